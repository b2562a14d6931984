"""The public pages' throttle: requests per client address and minute, counted in the database so every
web process shares the count (the default cache is per process)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from powerdesk.core import bulk, clock
from powerdesk.core.net import client_address

from . import rules
from .models import PublicHit


def hit(key: str, now: dt.datetime) -> int:
    """Count one request of ``key`` in the current minute; the count so far."""
    return bulk.increment(PublicHit, "count", key=key[:100], minute=now.replace(second=0, microsecond=0))


def public_throttled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        count = hit(f"public:{client_address(request) or 'unknown'}", clock.now())
        if rules.throttled(count, settings.POWERDESK_PUBLIC_RATE):
            response = render(request, "feedback/public_error.html", {"reason": "throttled"}, status=429)
            response["Retry-After"] = "60"
            return response
        return view(request, *args, **kwargs)

    return wrapped
