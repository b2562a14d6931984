"""The readiness checks of ``/readyz``: each answers whether one thing a node needs to serve is there,
with a few facts that help an operator and reveal nothing about the data.

1. ``database``: a connection and ``SELECT 1``;
2. ``migrations``: every migration of this release is recorded as applied (the code may expect a column
   that a migration not yet run would add);
3. ``worker``: some job worker sent a heartbeat within the time after which Procrastinate's stalled-job
   rescue counts a worker as gone (``notify.tasks.STALLED_AFTER``): without a worker nothing is sent, no
   clock is swept;
4. ``calendar``: the working-day calendar has the current year (imported, or derived from the holiday
   rule); a missing year would count every weekday as a working day.

The later checks need the database: when it is away they are reported as not run.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from django.db import Error as DatabaseError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from powerdesk.core import clock, workdays
from powerdesk.notify.tasks import STALLED_AFTER


@dataclass(frozen=True)
class Check:
    ok: bool
    facts: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, **self.facts}


# Registered workers and the age of the freshest heartbeat, by the database's clock (no skew).
HEARTBEAT_SQL = "SELECT count(*), extract(epoch FROM now() - max(last_heartbeat)) FROM procrastinate_workers"
NOT_RUN = Check(False, {"reason": "database_unavailable"})


def database() -> Check:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except DatabaseError:
        return Check(False, {"reason": "unreachable"})
    return Check(True)


@functools.cache
def _release_migrations() -> tuple[frozenset[tuple[str, str]], dict[tuple[str, str], list[tuple[str, str]]]]:
    """This release's migrations, read from disk once per process, and what each squashed one replaces."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    replaced = {key: list(m.replaces) for key, m in graph.nodes.items() if getattr(m, "replaces", None)}
    return frozenset(graph.nodes), replaced


def migrations() -> Check:
    expected, replaced = _release_migrations()
    with connection.cursor() as cur:
        cur.execute("SELECT app, name FROM django_migrations")
        applied = {(app, name) for app, name in cur.fetchall()}
    pending = [
        key
        for key in expected
        if key not in applied and not (key in replaced and all(r in applied for r in replaced[key]))
    ]
    return Check(not pending, {"pending": len(pending)})


def worker() -> Check:
    with connection.cursor() as cur:
        cur.execute(HEARTBEAT_SQL)
        workers, age = cur.fetchone()
    if not workers:
        return Check(False, {"workers": 0, "reason": "no_worker"})
    age = float(age)
    fresh = age <= STALLED_AFTER
    facts: dict[str, Any] = {"workers": int(workers), "heartbeat_age_seconds": round(age, 1)}
    if not fresh:
        facts["reason"] = "heartbeat_stale"
    return Check(fresh, facts)


def calendar() -> Check:
    year = clock.local_date().year
    status = workdays.year_status(year)
    return Check(status != workdays.MISSING, {"year": year, "status": status})


def readiness() -> dict[str, Check]:
    """Every check, in order (see the module's steps)."""
    results = {"database": database()}
    if not results["database"].ok:
        return results | {"migrations": NOT_RUN, "worker": NOT_RUN, "calendar": NOT_RUN}
    for name, check in (("migrations", migrations), ("worker", worker), ("calendar", calendar)):
        try:
            results[name] = check()
        except DatabaseError:
            results[name] = NOT_RUN
    return results
