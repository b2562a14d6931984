"""Where the dashboards' and the monthly reports' reads go: the ``replica`` database when
``DATABASE_REPLICA_URL`` configures one (docs/deploy.md), else ``default``.

Only reads that may be a moment behind go there — the rollups and facts behind the dashboards and the
API, and the issued reports a reader opens. What posts never reads from it: flagging a demand as
malicious and issuing a report (its figures and its "already issued?" check) run under
:func:`on_primary`, since a decision must not rest on a copy that has not caught up."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

REPLICA = "replica"
DEFAULT = "default"

_primary: contextvars.ContextVar[bool] = contextvars.ContextVar("analytics_reads_primary", default=False)


def alias() -> str:
    """The database alias for a read that may lag: ``replica`` if configured, else ``default``."""
    if _primary.get() or REPLICA not in settings.DATABASES:
        return DEFAULT
    return REPLICA


@contextmanager
def on_primary() -> Iterator[None]:
    """Reads inside this block go to ``default`` (a write's own reads)."""
    token = _primary.set(True)
    try:
        yield
    finally:
        _primary.reset(token)
