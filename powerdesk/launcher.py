"""What a PowerDesk process needs before Django reads its settings, in one place.

:mod:`powerdesk.settings` only reads environment variables. Every entry point that runs Django calls
:func:`launch` first and names the database role it connects as:

- ``Role.OWNER`` owns the schema: ``migrate``, ``demo [--reset]`` and the other management commands, the
  test session (it creates and drops the test databases), the benchmarks' seeding;
- ``Role.APP`` serves: gunicorn and the job worker, which need no more than reading and writing rows;
- ``None``: commands that need no database at all (``check``, ``makemigrations``, ``makemessages``).

Steps of :func:`launch`:

1. without ``POWERDESK_SECRET_KEY``, read ``var/secret_key`` (created once, readable by its owner only)
   and export it;
2. with a role and without ``DATABASE_URL``, start the embedded PostgreSQL under ``var/`` or attach to the
   one running there (:mod:`powerdesk.dbserver`), and export ``DATABASE_URL`` (the app role's URL) and
   ``POWERDESK_OWNER_DATABASE_URL`` (the owner's) pointing at its Unix socket;
3. export ``POWERDESK_DB_ROLE``, which tells the settings which of the two URLs this process uses;
4. for the application role (the web and the worker), without ``PROMETHEUS_MULTIPROC_DIR``: export it,
   ``POWERDESK_METRICS_DIR`` or ``var/metrics``, where each process writes its Prometheus values for
   ``/metrics`` to add up (prometheus_client's multiprocess mode; :mod:`powerdesk.core.metrics`). It must
   be set before prometheus_client is imported, so here, before Django.

With the embedded server (step 2), ``POWERDESK_HTTPS`` defaults to ``off``: that is the demo and the
tests, served on plain ``http://127.0.0.1``. A deployment names its own database and keeps the settings'
default, HTTPS (Secure cookies, HSTS, a redirect to https; docs/deploy.md).

A step whose result is in the environment already is skipped, so a second call does nothing more, and
neither does a child process started with this environment. A parent that starts a child in another
role gives it :func:`environ` of that role.

On the embedded server the two URLs name its two roles (:mod:`powerdesk.dbserver` creates them): the
web and the worker connect as one that reads and writes rows and nothing more (docs/deploy.md,
"Database roles"). ``POWERDESK_VAR_DIR`` moves ``var/`` (the benchmarks run their own server under
``var/bench`` this way).
"""

from __future__ import annotations

import enum
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from powerdesk.dbserver import EmbeddedServer

BASE_DIR = Path(__file__).resolve().parent.parent


class Role(enum.StrEnum):
    """The database role a process connects as (``POWERDESK_DB_ROLE``)."""

    OWNER = "owner"
    APP = "app"


# POWERDESK_DB_ROLE of a process that needs no database: the settings give it Django's stand-in backend.
NO_DATABASE = "none"

# Management commands that never touch the database: run without one, so that `make lint` and a bare
# `check` start no server. `check --database …` does touch it (see role_for_command).
_COMMANDS_WITHOUT_DATABASE = frozenset(
    {
        "check",
        "collectstatic",
        "compilemessages",
        "diffsettings",
        "findstatic",
        "help",
        "makemessages",
        "makemigrations",
        "optimizemigration",
        "squashmigrations",
        "startapp",
        "version",
    }
)
# Management commands that serve: the development server and Procrastinate's worker (and its other
# subcommands, which read and write jobs only; the queue's schema comes with `migrate`).
_COMMANDS_OF_THE_APP = frozenset({"runserver", "procrastinate"})


@dataclass(frozen=True)
class Launched:
    """What :func:`launch` found or did."""

    var_dir: Path
    # The embedded server this process started or attached to; None when DATABASE_URL came from outside.
    embedded: EmbeddedServer | None

    @property
    def started_server(self) -> bool:
        """Whether this process started the embedded server (and so may stop it when it ends)."""
        return self.embedded is not None and self.embedded.started


_embedded: EmbeddedServer | None = None


def var_dir() -> Path:
    """Where the embedded server and the generated secret key live (as the settings read it)."""
    return Path(os.environ.get("POWERDESK_VAR_DIR", BASE_DIR / "var"))


def launch(role: Role | None) -> Launched:
    """Complete this process's environment for ``role`` (see the module's steps); call it before Django
    reads its settings."""
    _prepare(role)
    os.environ["POWERDESK_DB_ROLE"] = str(role or NO_DATABASE)
    os.environ.update(_metrics_environ(role))
    return Launched(var_dir=var_dir(), embedded=_embedded)


def environ(role: Role | None) -> dict[str, str]:
    """The environment of a child process that runs as ``role`` (gunicorn and the worker of ``powerdesk
    run``, the browser tests' server), prepared as :func:`launch` prepares this process's own."""
    _prepare(role)
    return {**os.environ, "POWERDESK_DB_ROLE": str(role or NO_DATABASE), **_metrics_environ(role)}


METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def _metrics_environ(role: Role | None) -> dict[str, str]:
    """Step 4: the multiprocess metrics directory of a web or worker process (made when missing)."""
    if role != Role.APP or os.environ.get(METRICS_DIR_VARIABLE):
        return {}
    path = Path(os.environ.get("POWERDESK_METRICS_DIR") or var_dir() / "metrics")
    path.mkdir(parents=True, exist_ok=True)
    return {METRICS_DIR_VARIABLE: str(path)}


def metrics_dir_clean(path: Path) -> int:
    """Remove the metrics files of processes that are gone (``<kind>_<pid>.db``), as a server starts: the
    values of a previous run would otherwise be added to this one's for ever. The files of live processes
    (a worker of this host that keeps running while gunicorn restarts) stay. Returns the files removed."""
    removed = 0
    for file in path.glob("*.db"):
        pid_text = file.stem.rpartition("_")[2]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        file.unlink(missing_ok=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def role_for_command(argv: list[str]) -> Role | None:
    """The role a Django management command line (``migrate --plan``, ``runserver``, …) runs as."""
    if not argv or argv[0].startswith("-") or {"-h", "--help"} & set(argv):
        return None  # help and --version
    name, options = argv[0], argv[1:]
    if name in _COMMANDS_WITHOUT_DATABASE and not any(o.startswith("--database") for o in options):
        return None
    return Role.APP if name in _COMMANDS_OF_THE_APP else Role.OWNER


def _prepare(role: Role | None) -> None:
    global _embedded
    if not os.environ.get("POWERDESK_SECRET_KEY"):
        os.environ["POWERDESK_SECRET_KEY"] = secret_key(var_dir() / "secret_key")
    if role is None or os.environ.get("DATABASE_URL"):
        return
    if os.environ.get("POWERDESK_OWNER_DATABASE_URL"):
        raise RuntimeError(
            "POWERDESK_OWNER_DATABASE_URL is set but DATABASE_URL is not: set both (the owner's and the "
            "application's URL) for a standalone PostgreSQL, or neither for the embedded one"
        )
    from powerdesk import dbserver

    os.environ.setdefault("POWERDESK_HTTPS", "off")
    _embedded = dbserver.ensure_running(var_dir())
    owner_url, app_url = _embedded_urls(_embedded)
    os.environ["POWERDESK_OWNER_DATABASE_URL"] = owner_url
    os.environ["DATABASE_URL"] = app_url


def _embedded_urls(server: EmbeddedServer) -> tuple[str, str]:
    """The owner's and the application's URL of the embedded server."""
    from powerdesk.dbserver import APP_ROLE, DB_NAME, OWNER_ROLE

    def url(user: str) -> str:
        return socket_url(socket_dir=server.socket_dir, port=server.port, user=user, database=DB_NAME)

    return url(OWNER_ROLE), url(APP_ROLE)


# Bytes a URL's host may carry as they are. Upper-case letters are not among them: dj-database-url reads the
# host through urllib's ``hostname``, which lower-cases it, and only their %XX form survives that.
_PLAIN = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789-._~")


def socket_url(*, socket_dir: str, port: int, user: str, database: str) -> str:
    """A ``postgres://`` URL of a server on a Unix socket: the directory, percent-encoded, as the host
    (libpq reads this form too, so ``psql "$DATABASE_URL"`` works)."""

    def encode(text: str) -> str:
        return "".join(chr(b) if b in _PLAIN else f"%{b:02X}" for b in text.encode())

    return f"postgres://{encode(user)}@{encode(socket_dir)}:{port}/{encode(database)}"


def secret_key(path: Path) -> str:
    """The secret key kept in ``path``, made on first use: a file only its owner can read, so sessions
    survive restarts without a key in git.

    The key is written to a private file of this process first and then linked into place, which fails
    when another process got there first: two first starts at once agree on one complete key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            os.write(fd, secrets.token_urlsafe(50).encode())
        finally:
            os.close(fd)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
