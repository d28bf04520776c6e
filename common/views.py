from __future__ import annotations

from django.contrib.auth import login
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from common import health, magiclink
from common.forms import MagicLinkForm
from common.http import client_ip, safe_next


@never_cache
@require_GET
def healthz(request):
    """JSON status of every part; 503 when one is down (for load balancers and monitoring).
    Details (endpoints, versions, host names, errors) only for staff."""
    checks = health.run_all()
    ok = all(c.ok for c in checks)
    staff = request.user.is_authenticated and request.user.is_staff
    body = {
        "status": "ok" if ok else "error",
        "checks": {
            c.name: {"ok": c.ok, "detail": c.detail} if staff else {"ok": c.ok} for c in checks
        },
    }
    return JsonResponse(body, status=200 if ok else 503)


@require_http_methods(["GET", "POST"])
def magic_request(request):
    """Ask for a sign-in link. Same answer for every address (no account enumeration)."""
    form = MagicLinkForm(request.POST if request.method == "POST" else None)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "POST" and form.is_valid():
        magiclink.request_link(
            email=form.cleaned_data["email"], ip=client_ip(request), next_url=next_url
        )
        return redirect("magic-sent")
    return render(request, "common/magic_request.html", {"form": form, "next": next_url})


def magic_sent(request):
    return render(request, "common/magic_sent.html")


@require_http_methods(["GET", "POST"])
def magic_link(request, token: str):
    """GET shows a button (mail scanners that open links must not use them up); POST signs in."""
    if request.method == "GET":
        return render(request, "common/magic_confirm.html", {"token": token})
    try:
        user, next_url = magiclink.redeem_link(token=token)
    except magiclink.LinkInvalid as error:
        form = MagicLinkForm()
        return render(
            request, "common/magic_request.html", {"form": form, "link_error": error.message},
            status=400,
        )  # fmt: skip
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(safe_next(request, next_url) or "home")
