"""A killed postmaster that nobody has reaped yet (a zombie) must not keep the embedded PostgreSQL from
starting again: its ``postmaster.pid`` is forgotten, unless a process still works in the data directory."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from powerdesk import dbserver


def _pid_file(pgdata, pid: int) -> None:
    pgdata.mkdir(exist_ok=True)
    (pgdata / "postmaster.pid").write_text(f"{pid}\n{pgdata}\n1765000000\n5432\n\n\n  0 0\nready\n")


def _zombie() -> subprocess.Popen:
    proc = subprocess.Popen(["true"])
    for _ in range(100):  # until it has exited (it stays a zombie: nobody waits for it)
        state = Path(f"/proc/{proc.pid}/stat").read_text().rpartition(")")[2].split()[0]
        if state == "Z":
            return proc
        time.sleep(0.02)
    raise AssertionError("the child did not exit")


def test_the_pid_file_of_an_unreaped_killed_postmaster_is_forgotten(tmp_path):
    pgdata = tmp_path / "pgdata"
    zombie = _zombie()
    try:
        _pid_file(pgdata, zombie.pid)
        dbserver._forget_a_dead_postmaster(pgdata)
        assert not (pgdata / "postmaster.pid").exists()
    finally:
        zombie.wait()


def test_it_is_kept_while_a_process_still_works_in_the_data_directory(tmp_path):
    pgdata = tmp_path / "pgdata"
    zombie = _zombie()
    pgdata.mkdir()
    backend = subprocess.Popen(["sleep", "30"], cwd=pgdata)  # as an orphaned backend would
    try:
        _pid_file(pgdata, zombie.pid)
        dbserver._forget_a_dead_postmaster(pgdata)
        assert (pgdata / "postmaster.pid").exists()
    finally:
        backend.kill()
        backend.wait()
        zombie.wait()


def test_the_pid_file_of_a_running_server_is_kept(tmp_path):
    pgdata = tmp_path / "pgdata"
    alive = subprocess.Popen(["sleep", "30"])
    try:
        _pid_file(pgdata, alive.pid)
        dbserver._forget_a_dead_postmaster(pgdata)
        assert (pgdata / "postmaster.pid").exists()
    finally:
        alive.kill()
        alive.wait()
