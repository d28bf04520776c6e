from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from common import health


@never_cache
@require_GET
def healthz(request):
    """JSON status of every part; 503 when one is down (for load balancers and monitoring)."""
    checks = health.run_all()
    ok = all(c.ok for c in checks)
    body = {
        "status": "ok" if ok else "error",
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
    }
    return JsonResponse(body, status=200 if ok else 503)
