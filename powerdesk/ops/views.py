"""The probes and the scrape: JSON or Prometheus text, no login, nothing personal (docs/deploy.md,
"Monitoring")."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from powerdesk.ops import checks
from powerdesk.ops.metrics import exposition, may_scrape


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and answers (no database: a lost database is /readyz's, not a reason to restart
    the process)."""
    return _no_store(JsonResponse({"status": "ok"}))


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when every readiness check passes, 503 otherwise; each check's result in the body."""
    results = checks.readiness()
    ready = all(c.ok for c in results.values())
    body = {
        "status": "ready" if ready else "not_ready",
        "checks": {name: check.as_json() for name, check in results.items()},
    }
    return _no_store(JsonResponse(body, status=200 if ready else 503))


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        refused = {"error": {"code": "forbidden", "message": "forbidden", "fields": {}}}
        return _no_store(JsonResponse(refused, status=403))
    return _no_store(HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST))
