"""The one place that reads the current time, so tests and the demo loader can set it, and all code
agrees on the business time zone.

``clock.at(moment)`` makes :func:`now` return ``moment`` inside the block (used by the demo loader to
write a plausible 90-day history through the real services). Tests pin time with ``time_machine``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.utils import timezone

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
_override: ContextVar[dt.datetime | None] = ContextVar("powerdesk_clock_override", default=None)


def now() -> dt.datetime:
    return _override.get() or timezone.now()


def local_now() -> dt.datetime:
    return now().astimezone(BUSINESS_TZ)


def local_date(value: dt.datetime | None = None) -> dt.date:
    return (value or now()).astimezone(BUSINESS_TZ).date()


@contextlib.contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    if timezone.is_naive(moment):
        raise ValueError("clock.at needs an aware datetime")
    token = _override.set(moment)
    try:
        yield
    finally:
        _override.reset(token)
