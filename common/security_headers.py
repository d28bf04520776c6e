"""Security headers that Django has no setting for. The rest come from settings:
Content-Security-Policy (django-csp), X-Content-Type-Options, Referrer-Policy,
Cross-Origin-Opener-Policy (SecurityMiddleware) and X-Frame-Options (clickjacking)."""

from __future__ import annotations

from django.conf import settings


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every response (settings.PERMISSIONS_POLICY): the browser
    features no page of the platform uses (camera, microphone, location, payment, ...) are
    off, also for anything injected into a page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response
