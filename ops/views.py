from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ops import health


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
