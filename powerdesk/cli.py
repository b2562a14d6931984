"""The ``powerdesk`` command.

``powerdesk run``            migrate, load demo data on first start, serve (gunicorn) and run the worker,
                             kept up by :mod:`powerdesk.supervisor`
``powerdesk worker``         the Procrastinate worker (background jobs and periodic tasks)
``powerdesk demo``           (re)load the deterministic demo data set
``powerdesk token USERNAME --name X [--days N]`` make a new API token of a user, print it once
``powerdesk backup [--to DIR]``  the database (pg_dump) and the uploaded files, with a manifest and checksums
``powerdesk restore DIR``        a backup, checksums verified, into an empty database and media directory
``powerdesk <anything else>`` any Django management command (``migrate``, ``createsuperuser``, …)

Every command starts with :func:`powerdesk.launcher.launch` in the database role it needs: the owner's for
``run`` (it migrates and loads the demo), ``demo`` and the management commands, the application's for
``worker``, ``token`` and the processes ``run`` starts; none for commands that need no database.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import sys
from pathlib import Path

from powerdesk import launcher
from powerdesk.launcher import Role
from powerdesk.supervisor import ChildProcess, EmbeddedDatabase, Service, Supervisor


def _setup(role: Role) -> launcher.Launched:
    launched = launcher.launch(role)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powerdesk.settings")
    import django

    django.setup()
    return launched


def _manage(argv: list[str], role: Role | None) -> None:
    launcher.launch(role)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powerdesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["powerdesk", *argv])


def cmd_token(argv: list[str]) -> int:
    """Make a new API token of a user and print its secret, once: only its digest is stored."""
    import argparse

    parser = argparse.ArgumentParser(prog="powerdesk token", description=cmd_token.__doc__)
    parser.add_argument("username")
    parser.add_argument("--name", required=True, help="what the token is for, e.g. ivr")
    parser.add_argument("--days", type=int, default=None, help="validity (default POWERDESK_API_TOKEN_DAYS)")
    args = parser.parse_args(argv)
    _setup(Role.APP)
    from django.contrib.auth import get_user_model

    from powerdesk.core.errors import ValidationFailed
    from powerdesk.org.tokens import api_token_create

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"no such user: {args.username}", file=sys.stderr)
        return 1
    try:
        token, secret = api_token_create(user=user, name=args.name, days=args.days)
    except ValidationFailed as error:
        print(error.message, file=sys.stderr)
        return 2
    print(secret)
    print(f"({token.name}, {token.prefix}…, expires {token.expires_at:%Y-%m-%d %H:%M %Z})", file=sys.stderr)
    return 0


def cmd_backup(argv: list[str]) -> int:
    """Back up the database and the uploaded files into a new directory (docs/operations.md)."""
    import argparse

    parser = argparse.ArgumentParser(prog="powerdesk backup", description=cmd_backup.__doc__)
    parser.add_argument("--to", type=Path, default=None, help="where to make it (default var/backups)")
    args = parser.parse_args(argv)
    launched = _setup(Role.OWNER)
    from django.conf import settings
    from django.db import connections

    import powerdesk
    from powerdesk import backup

    connections.close_all()
    try:
        made = backup.backup(
            database=backup.Database.from_django(settings.DATABASES["default"]),
            media_root=Path(settings.MEDIA_ROOT),
            destination=args.to or launched.var_dir / "backups",
            app_version=powerdesk.__version__,
        )
    except backup.BackupError as error:
        print(f"PowerDesk: backup failed: {error}", file=sys.stderr)
        return 1
    print(made)
    return 0


def cmd_restore(argv: list[str]) -> int:
    """Restore a backup into an empty database and an empty media directory (docs/operations.md)."""
    import argparse

    parser = argparse.ArgumentParser(prog="powerdesk restore", description=cmd_restore.__doc__)
    parser.add_argument("source", type=Path, help="a directory made by powerdesk backup")
    args = parser.parse_args(argv)
    _setup(Role.OWNER)
    from django.conf import settings

    from powerdesk import backup

    try:
        restored = backup.restore(
            source=args.source,
            database=backup.Database.from_django(settings.DATABASES["default"]),
            media_root=Path(settings.MEDIA_ROOT),
        )
    except backup.BackupError as error:
        print(f"PowerDesk: restore refused: {error}", file=sys.stderr)
        return 1
    rows = sum(restored.row_counts.values())
    print(
        f"PowerDesk: restored the backup of {restored.manifest['created_at']}: "
        f"{len(restored.row_counts)} tables, {rows} rows, {restored.files} files."
    )
    return 0


def cmd_worker(argv: list[str]) -> int:
    _manage(["procrastinate", "worker", *argv], Role.APP)
    return 0


def gunicorn_command(*extra: str) -> list[str]:
    """How ``powerdesk run`` starts gunicorn (settings in :mod:`powerdesk.gunicorn_conf`)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:powerdesk.gunicorn_conf",
        *extra,
        "powerdesk.wsgi:application",
    ]


def bind_taken(bind: str) -> OSError | None:
    """Why a TCP ``host:port`` cannot be listened on (another server holds it), or None.

    gunicorn's workers each bind their own ``SO_REUSEPORT`` socket (:mod:`powerdesk.gunicorn_conf`),
    and such sockets share a port with any other server of the same user that does the same: a second
    ``powerdesk run`` would join the first one instead of failing. A plain bind fails while anything
    listens there. Unix sockets (``unix:``) and inherited descriptors (``fd://``) are not checked."""
    from powerdesk.gunicorn_conf import NOT_TCP

    if bind.startswith(NOT_TCP):
        return None
    host, _, port = bind.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"  # noqa: S104 - gunicorn's reading of ":8000"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn: TIME_WAIT is no owner
            probe.bind((host, int(port)))
    except OSError as exc:
        return exc
    except ValueError:  # not a port number: gunicorn says so
        pass
    return None


def other_database_clients() -> int:
    """Client connections to the database besides this process's own (another ``powerdesk run`` on
    another port, a shell, a benchmark)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        (count,) = cur.fetchone()
    connection.close()
    return int(count)


def _stop_embedded_database(var_dir: Path) -> None:
    """Stop the embedded server at Ctrl-C, unless something else still uses it."""
    from django.db import Error

    from powerdesk import dbserver

    try:
        others = other_database_clients()
    except Error:  # the server is gone or broken: stopping it is all that is left
        others = 0
    if others:
        print(f"PowerDesk: the embedded database stays up: {others} other connection(s) use it.", flush=True)
        return
    dbserver.stop(var_dir)


def cmd_run(argv: list[str]) -> int:
    """Migrate, load the demo county on the first start, and serve the web server and the worker (with
    the embedded PostgreSQL unless DATABASE_URL names a server) until Ctrl-C. The address is
    POWERDESK_BIND (default 127.0.0.1:8000)."""
    import argparse

    # No options yet: ``--help`` answers, and anything else is refused before a process starts.
    argparse.ArgumentParser(prog="powerdesk run", description=cmd_run.__doc__).parse_args(argv)
    from powerdesk.gunicorn_conf import bind  # where gunicorn will listen, read as gunicorn reads it

    taken = bind_taken(bind)
    if taken is not None:
        print(
            f"PowerDesk: cannot serve on {bind} ({taken.strerror or taken}); is it running already?",
            flush=True,
        )
        print(
            "Stop the other server, or choose another address: POWERDESK_BIND=127.0.0.1:8001 make run",
            flush=True,
        )
        return 1
    launched = _setup(Role.OWNER)
    from django.core.management import call_command

    from powerdesk.org.models import Unit

    print("PowerDesk: migrating the database…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    # A newer chinese-calendar release, the derived years of the holiday rule: clocks re-timed before serving.
    call_command("calendar", "--sync", verbosity=0, stdout=io.StringIO())
    if not Unit.objects.exists():
        print("PowerDesk: first start, loading the demo county (about a minute)…", flush=True)
        call_command("demo", verbosity=0)
    from django.db import connections

    connections.close_all()

    env = {**launcher.environ(Role.APP), "DJANGO_SETTINGS_MODULE": "powerdesk.settings"}
    supervisor = _supervisor(launched, env)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # Ctrl-C, kill, the terminal closed
        signal.signal(signum, lambda signum, frame: supervisor.request_stop())
    supervisor.start()
    from powerdesk.demo.users import DEMO_PASSWORD, DEMO_USERS

    print(f"\nPowerDesk is running at http://{bind}/  (API docs: http://{bind}/api/docs/)", flush=True)
    print(f"Demo logins (password {DEMO_PASSWORD}):", flush=True)
    for username, _unit, _role, label, _name in DEMO_USERS:
        print(f"  {username:<12} {label}", flush=True)
    print("Press Ctrl-C to stop.\n", flush=True)
    try:
        supervisor.run()
    finally:
        print("\nPowerDesk: stopping…", flush=True)
        supervisor.shutdown()
        print("PowerDesk: stopped.", flush=True)
    return 0


def _supervisor(launched: launcher.Launched, env: dict[str, str]) -> Supervisor:
    """The web server and the worker, and the embedded database when there is one (a standalone server
    is its operator's to keep up), as :mod:`powerdesk.supervisor` keeps them."""
    services: list[Service] = []
    if launched.embedded is not None:
        var_dir = launched.var_dir
        services.append(
            EmbeddedDatabase(var_dir, launched.embedded, lambda: _stop_embedded_database(var_dir))
        )
    worker = [sys.executable, "-m", "powerdesk.cli", "worker"]
    services += [
        ChildProcess("the web server (gunicorn)", gunicorn_command(), env),
        ChildProcess("the worker", worker, env, needs=services[:1]),  # the database, if embedded
    ]
    return Supervisor(services)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "run":
        return cmd_run(rest)
    if command == "worker":
        return cmd_worker(rest)
    if command == "token":
        return cmd_token(rest)
    if command == "backup":
        return cmd_backup(rest)
    if command == "restore":
        return cmd_restore(rest)
    if command == "demo":
        _manage(["demo", *rest], Role.OWNER)
        return 0
    _manage(argv, launcher.role_for_command(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
