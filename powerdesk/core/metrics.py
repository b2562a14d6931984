"""The Prometheus metrics every process writes, and the middleware that times requests.

One home for the metric objects: the apps import them from here (``core`` is below every app) and only
increment or observe; what is read at scrape time from the database (the queue's depth) is
:mod:`powerdesk.ops.metrics`'s, which also serves ``/metrics``.

Under gunicorn the web has several processes, and the worker is one more: with
``PROMETHEUS_MULTIPROC_DIR`` set (the launcher sets it, :func:`powerdesk.launcher.launch`), each process
writes its values into memory-mapped files of that directory and a scrape adds them up
(prometheus_client's multiprocess mode). Without it (tests, a shell) the values stay in the process.

What each costs on the intake's path: a counter increment or a histogram observation is a write into a
memory-mapped file (a few microseconds); no metric here reads the database.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

# Whether this process writes its values for a multiprocess scrape: prometheus_client decided it when it
# was imported (just above), from the same variable.
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

# Request latency by view: the URL pattern's name (never the path: order numbers and account numbers are
# in paths), the method and the status class.
REQUEST_SECONDS = Histogram(
    "powerdesk_request_duration_seconds",
    "Time from the first middleware to the response, by view",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Contacts taken at intake (console and API), counted after their transaction: ``outcome`` is ``opened``
# (a new order), ``repeat`` (a repeat call on an open order), ``linked`` (another contact on an order:
# the outage's one order, a contact added by hand) or ``replayed`` (an Idempotency-Key seen before).
INTAKES = Counter("powerdesk_intakes", "Customer contacts taken at intake", ["channel", "outcome"])
# One SLA sweep cycle (every 30 s in the worker), all slices.
SWEEP_SECONDS = Histogram(
    "powerdesk_sla_sweep_cycle_seconds",
    "Duration of one SLA sweep cycle",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0),
)
SWEEP_STEPS = Counter("powerdesk_sla_sweep_steps", "Steps (warnings, breaches, escalations) the sweep took")
# A send that failed: ``permanent`` says whether it will be retried (false) or is given up (true).
NOTIFICATION_FAILURES = Counter(
    "powerdesk_notification_failures",
    "Notification sends that failed",
    ["channel", "permanent"],
)

UNRESOLVED = "<unresolved>"  # a path no URL pattern matched (404s, the static files)


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or match.route or UNRESOLVED) if match is not None else UNRESOLVED


class RequestMetricsMiddleware:
    """Observes each request's duration under its view's name (first in the chain, so it times the rest).
    An exception that escapes every handler is Django's 500 and is observed as such."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        status = f"{response.status_code // 100}xx"
        REQUEST_SECONDS.labels(view_label(request), request.method, status).observe(seconds)
        return response
