"""A process environment as before any launcher call, and running Python in it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from powerdesk import dbserver, launcher
from powerdesk.pytest_plugin import LAUNCHED, on_embedded_server

REPO = Path(__file__).resolve().parents[2]
# Everything the launcher reads or writes, besides var/ itself.
LAUNCHER_VARIABLES = (
    "DATABASE_URL",
    "POWERDESK_OWNER_DATABASE_URL",
    "POWERDESK_SECRET_KEY",
    "POWERDESK_DB_ROLE",
    "POWERDESK_DB_NAME",
    "POWERDESK_HTTPS",
)


@pytest.fixture
def unlaunched(monkeypatch, tmp_path) -> Path:
    """This process's environment without the launcher's variables and with var/ in a temporary directory
    that does not exist yet (returned); all put back after the test."""
    for name in LAUNCHER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    var = tmp_path / "var"
    monkeypatch.setenv("POWERDESK_VAR_DIR", str(var))
    monkeypatch.setattr(launcher, "_embedded", None)
    return var


@pytest.fixture
def starts(monkeypatch, tmp_path) -> list[object]:
    """The embedded server's start, counted instead of done."""
    calls: list[object] = []

    def ensure_running(var_dir):
        calls.append(var_dir)
        return dbserver.EmbeddedServer(socket_dir=str(tmp_path / "socket"), port=5432, started=True)

    monkeypatch.setattr(dbserver, "ensure_running", ensure_running)
    return calls


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``args`` with this interpreter in the repository, in ``env`` (this process's by default)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=dict(os.environ) if env is None else env,
        capture_output=True,
        text=True,
        timeout=120,
    )


STOP = "import sys, pathlib; from powerdesk import dbserver; dbserver.stop(pathlib.Path(sys.argv[1]))"


@pytest.fixture
def embedded_var_dir(request) -> Iterator[Path]:
    """The var/ of an embedded server: the session's (an xdist worker's too: it attached to the server its
    controller started), or, when the session runs on DATABASE_URL (CI's second pass), one under var/ of
    this worker's own, stopped after the test (two workers' tests sharing one would stop it under each
    other)."""
    launched = request.config.stash[LAUNCHED]
    if on_embedded_server(request.config):
        yield launched.var_dir
        return
    var = launched.var_dir / f"launcher-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    yield var
    run("-c", STOP, str(var))
