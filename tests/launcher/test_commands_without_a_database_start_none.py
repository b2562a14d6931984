"""``check`` and ``makemigrations --check`` (as ``make lint`` runs it) need no database and start none."""

from __future__ import annotations

from tests.launcher.conftest import run


def test_manage_py_check_runs_without_a_database(unlaunched):
    done = run("manage.py", "check")
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout
    assert sorted(p.name for p in unlaunched.iterdir()) == ["secret_key"]  # no pgdata, no socket


def test_makemigrations_check_runs_without_a_database(unlaunched):
    done = run("-m", "powerdesk.cli", "makemigrations", "--check", "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No changes detected" in done.stdout
    assert "Warning" not in done.stderr  # makemigrations did not try to read a migration history
    assert sorted(p.name for p in unlaunched.iterdir()) == ["secret_key"]
