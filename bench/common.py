"""Shared plumbing of the benchmarks: their own embedded PostgreSQL, gunicorn as ``powerdesk run``
starts it, the bench users, and latency statistics.

Every benchmark runs against ``var/bench`` (``POWERDESK_VAR_DIR``), never the dev data under ``var/``.
Import this module before anything from Django: it sets the environment the launcher and the settings read.
The benchmark process seeds and migrates as the database owner; gunicorn serves as the application role,
as under ``powerdesk run``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_VAR_DIR = Path(os.environ.get("BENCH_VAR_DIR", REPO / "var" / "bench"))

os.environ["POWERDESK_VAR_DIR"] = str(BENCH_VAR_DIR)
os.environ["DJANGO_SETTINGS_MODULE"] = "powerdesk.settings"
# Always the embedded bench server, whatever the shell says.
for _name in ("DATABASE_URL", "POWERDESK_OWNER_DATABASE_URL", "POWERDESK_DB_NAME"):
    os.environ.pop(_name, None)
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from powerdesk.hostspeed import calibration_us as calibration_us  # noqa: E402  (the benches' name for it)

BENCH_PASSWORD = "bench-pass-2024"
AGENT_USERNAME = "bench_agent"


def django_setup() -> None:
    """Start (or attach to) the bench server, then Django."""
    from powerdesk import launcher

    launcher.launch(launcher.Role.OWNER)
    import django

    django.setup()


_T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - _T0:6.1f}s] {message}", flush=True)


def migrate() -> None:
    """Migrate the bench database; one whose migration history no longer fits the code (migrations
    were rewritten during development) is dropped and recreated: it only ever holds generated data."""
    from django.core.management import call_command
    from django.db.migrations.exceptions import InconsistentMigrationHistory

    started = time.monotonic()
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except InconsistentMigrationHistory as exc:
        log(f"bench database out of step with the migrations ({exc}); recreating it")
        recreate_database()
        call_command("migrate", interactive=False, verbosity=0)
    log(f"migrated the bench database ({time.monotonic() - started:.1f} s)")


def recreate_database() -> None:
    import psycopg
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def stop_database() -> None:
    from django.db import connections

    from powerdesk import dbserver

    connections.close_all()
    if dbserver.stop(BENCH_VAR_DIR):
        log("stopped the embedded bench PostgreSQL")


def machine_facts() -> dict[str, str]:
    facts = {"nproc": str(os.cpu_count())}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                facts["memory"] = f"{int(line.split()[1]) // 1024} MiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                facts["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return facts


def cpu_times() -> tuple[int, int]:
    """(all ticks, idle ticks) of the machine since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields), idle


def cpu_busy(seconds: float = 2.0) -> float:
    """Share of all CPUs busy over ``seconds`` (anything running now is someone else's load)."""
    total0, idle0 = cpu_times()
    time.sleep(seconds)
    total1, idle1 = cpu_times()
    return 1.0 - (idle1 - idle0) / max(1, total1 - total0)


def wait_for_quiet(threshold: float = 0.15, max_wait: float = 120.0) -> float:
    """Wait (bounded) until other processes leave the CPUs mostly idle; returns the last busy share.

    A 2-core machine shared with a test run measures the test run, not PowerDesk."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    while busy > threshold and time.monotonic() < deadline:
        log(f"machine busy ({busy:.0%} of CPU used by other processes); waiting for it to calm down")
        time.sleep(8)
        busy = cpu_busy()
    if busy > threshold:
        log(f"WARNING: still {busy:.0%} busy after {max_wait:.0f} s; measuring anyway (figures will be low)")
    else:
        log(f"background CPU load before measuring: {busy:.0%}")
    return busy


# --- the host's speed (powerdesk.hostspeed) ---------------------------------------------------
# Every phase samples it, so that figures from a slow minute are recognised as such.


class HostSpeed:
    """Samples :func:`calibration_us` once a second in a thread while a phase runs (the benchmark process
    itself only waits for its load generator then, so the sampler disturbs nothing)."""

    def __init__(self) -> None:
        import threading

        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.samples.append(calibration_us())

    def __enter__(self) -> HostSpeed:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def median_us(self) -> float:
        return percentile(self.samples, 50) if self.samples else float("nan")


# --- CPU accounting -------------------------------------------------------------------------
# Wall-clock rates on a shared 2-core machine measure the neighbours too; CPU seconds spent by the
# server processes per request do not (much), and give the ceiling on an otherwise idle machine.

_TICK = os.sysconf("SC_CLK_TCK")


def _children(ppid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == ppid:
                out.append(int(entry.name))
    return out


def _cpu_seconds(pid: int, reaped: bool = False) -> float:
    """utime + stime of ``pid``; with ``reaped``, plus that of its children that exited (a backend
    closed by CONN_MAX_AGE, a restarted worker): their CPU must not vanish from the account."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])  # cutime + cstime
    return ticks / _TICK


def postmaster_pid() -> int:
    return int((BENCH_VAR_DIR / "pgdata" / "postmaster.pid").read_text().split()[0])


@dataclass
class CpuSnapshot:
    app: float  # gunicorn master and workers
    db: float  # the postmaster and all its children (backends, WAL writer, checkpointer, …)


def cpu_snapshot(gunicorn_pid: int) -> CpuSnapshot:
    pg = postmaster_pid()
    app = _cpu_seconds(gunicorn_pid, reaped=True) + sum(map(_cpu_seconds, _children(gunicorn_pid)))
    db = _cpu_seconds(pg, reaped=True) + sum(map(_cpu_seconds, _children(pg)))
    return CpuSnapshot(app=app, db=db)


def pg_settings() -> dict[str, str]:
    from django.db import connection

    names = ["server_version", "shared_buffers", "work_mem", "synchronous_commit", "fsync", "max_connections"]
    with connection.cursor() as cur:
        out = {}
        for name in names:
            cur.execute(f"SHOW {name}")
            out[name] = cur.fetchone()[0]
    return out


def drop_secondary_indexes(cur, tables: list[str]) -> list[tuple[str, str]]:
    """Drop the indexes of ``tables`` that back no constraint, for a bulk load; returns (name, definition)
    of each, to be re-created after the load (one sorted build beats a million index inserts)."""
    cur.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [tables],
    )
    # A partitioned table's index is defined "ON ONLY" the parent: re-created as such it would cover no
    # partition; without ONLY it is built on every partition again.
    dropped = [(name, definition.replace(" ON ONLY ", " ON ")) for name, definition in cur.fetchall()]
    for name, _definition in dropped:
        cur.execute(f"DROP INDEX {name}")
    return dropped


# --- the users the benchmarks act as ----------------------------------------------------------


def bench_user(username: str, role_code: str, unit_code: str) -> object:
    """Create (or update) a bench user with a known password; returns the User."""
    from django.contrib.auth.hashers import make_password

    from powerdesk.org.models import Role, Unit, User

    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "full_name": username,
            "unit": Unit.objects.get(code=unit_code),
            "role": Role.objects.get(code=role_code),
            "is_active": True,
            "password": make_password(BENCH_PASSWORD),
        },
    )
    return user


def token_for(user: object) -> str:
    """A new API token of ``user`` (its secret; only the digest is stored)."""
    from powerdesk.org.tokens import api_token_create

    _token, secret = api_token_create(user=user, name="bench", days=1)
    return secret


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen
    base_url: str
    port: int

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        log("stopped gunicorn")


BOOT_SECONDS = 180


def start_gunicorn(workers: int | None = None) -> Server:
    """Serve the app as ``powerdesk run`` does: same module, same options, same environment."""
    from django.db import connections

    connections.close_all()
    port = free_port()
    bind = f"127.0.0.1:{port}"
    from powerdesk import launcher

    env = {
        **launcher.environ(launcher.Role.APP),
        "DJANGO_SETTINGS_MODULE": "powerdesk.settings",
        "POWERDESK_BIND": bind,
    }
    if workers:
        env["POWERDESK_WEB_WORKERS"] = str(workers)
    from powerdesk import gunicorn_conf
    from powerdesk.cli import gunicorn_command

    workers = int(env.get("POWERDESK_WEB_WORKERS", "0")) or gunicorn_conf.workers
    proc = subprocess.Popen(gunicorn_command(), env=env, cwd=REPO)
    base_url = f"http://{bind}"
    # 60 s is plenty on a quiet machine; at a load average of 20 (a shared machine) three workers
    # importing the app took longer, so allow that rather than abort a run before it starts.
    deadline = time.monotonic() + BOOT_SECONDS
    import requests

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            requests.get(f"{base_url}/login/", timeout=2)
            break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError(f"gunicorn did not answer within {BOOT_SECONDS} s")
    threads = int(env.get("POWERDESK_WEB_THREADS", "0")) or gunicorn_conf.threads
    log(
        f"gunicorn serving at {base_url} as powerdesk run does: {workers} workers x {threads} threads (pid {proc.pid})"
    )
    return Server(proc=proc, base_url=base_url, port=port)


# --- statistics -------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of ``values`` (any order)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
