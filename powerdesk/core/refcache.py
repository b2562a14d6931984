"""Per-process cache of small reference tables (topics, sub-types, repeat-call rules, SLA policies,
escalation steps) read on every intake and transition.

Why a cache: each of these is a handful of rows that changes a few times a year, but the hot paths read
them on every request; an ORM query costs more than the rest of the intake's logic.

How it stays true:

- an entry lives ``TTL_SECONDS`` at most, so a change made by another process (an administrator in the
  admin, served by another gunicorn worker) reaches every process within that time;
- a save or delete of a watched model in *this* process clears the whole cache at once (a signal
  receiver: cache bookkeeping, not business logic), so the admin, the shell, the demo loader and tests
  see their own changes immediately;
- :func:`clear` is there for everything else (a raw SQL import, a test that flushed the database).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models.signals import post_delete, post_save

TTL_SECONDS = 60.0

T = TypeVar("T")

_lock = threading.Lock()
_entries: dict[str, tuple[float, Any]] = {}
_watched: set[type] = set()


def get(key: str, load: Callable[[], T]) -> T:
    """The cached value of ``key``, loaded with ``load()`` when missing or older than the TTL."""
    now = time.monotonic()
    hit = _entries.get(key)
    if hit is not None and now - hit[0] < TTL_SECONDS:
        return hit[1]
    value = load()
    with _lock:
        _entries[key] = (now, value)
    return value


def clear(*_args: Any, **_kwargs: Any) -> None:
    """Forget everything (also usable as a signal receiver)."""
    with _lock:
        _entries.clear()


def watch(*models: type) -> None:
    """Clear the cache whenever a row of one of ``models`` is saved or deleted in this process."""
    for model in models:
        if model in _watched:
            continue
        _watched.add(model)
        post_save.connect(clear, sender=model, weak=False, dispatch_uid=f"refcache-save-{model.__name__}")
        post_delete.connect(clear, sender=model, weak=False, dispatch_uid=f"refcache-del-{model.__name__}")
