"""A hot standby and the modules that hold one transaction open across all their tests, kept apart.

Some fixtures (the permission matrix's ``scene``, the demo tests' ``small_demo``) build their data once
inside a transaction that lasts the whole module, each test in a savepoint of it: past 64 subtransactions
it is "overflowed". A hot standby started while such a transaction is open on its primary does not accept
connections until it ends (PostgreSQL waits for a snapshot it can trust), and the module may run for
minutes on the other xdist worker. Those fixtures hold a shared lock for their transaction's life; the
standby takes it exclusively while it starts, so it waits for them (and they for it) instead of timing
out. A lock file, not xdist's groups: ``--dist loadgroup`` does not name groups under pytest 9.2.
"""

from __future__ import annotations

import fcntl
import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from django.db import connections


def _lock_path() -> Path:
    # One lock per server (the xdist workers' databases share it, and the standby copies all of it):
    # two checkouts on one machine do not wait for each other.
    settings = connections["default"].settings_dict
    key = f"{settings['HOST']}:{settings['PORT']}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"powerdesk-standby-{digest}.lock"


@contextmanager
def _locked(mode: int) -> Iterator[None]:
    with open(_lock_path(), "a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def module_wide_transaction() -> AbstractContextManager[None]:
    """Held by a fixture for as long as its module-wide transaction is open."""
    return _locked(fcntl.LOCK_SH)


def standby_start() -> AbstractContextManager[None]:
    """Held while a hot standby is copied and started, until it accepts connections."""
    return _locked(fcntl.LOCK_EX)
