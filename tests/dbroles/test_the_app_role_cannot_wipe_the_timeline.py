"""The web and the worker cannot empty or rewrite the timeline, nor switch off the trigger that guards it:
TRUNCATE (which the trigger does not see), UPDATE and DELETE are not granted, the table is not theirs to
alter, and ``session_replication_role`` (which silences triggers) is a superuser's setting.

The refusals asserted are PostgreSQL's privilege checks, not the trigger's own error, which stays behind
them as the second line."""

from __future__ import annotations

import pytest

from tests.dbroles.conftest import refusal

TIMELINE = "workorders_workorderevent"
TRIGGER = "workorders_event_no_update_delete"


@pytest.mark.parametrize(
    "sql",
    [
        f"TRUNCATE {TIMELINE}",
        f"TRUNCATE {TIMELINE} CASCADE",
        "TRUNCATE workorders_workorder CASCADE",
        f"UPDATE {TIMELINE} SET note = 'rewritten'",
        f"DELETE FROM {TIMELINE}",
    ],
)
def test_it_may_not_truncate_update_or_delete_the_timeline(app_role, sql):
    error = refusal(app_role.connect(), sql)
    assert "permission denied for table" in error, error
    assert "append-only" not in error  # refused before the trigger is reached


@pytest.mark.parametrize(
    "sql",
    [
        f"ALTER TABLE {TIMELINE} DISABLE TRIGGER {TRIGGER}",
        f"ALTER TABLE {TIMELINE} DISABLE TRIGGER ALL",
        f"DROP TRIGGER {TRIGGER} ON {TIMELINE}",
    ],
)
def test_it_may_not_switch_the_trigger_off(app_role, sql):
    assert "must be owner of" in refusal(app_role.connect(), sql)


@pytest.mark.parametrize(
    "sql", ["SET session_replication_role = replica", "SET LOCAL session_replication_role = replica"]
)
def test_it_may_not_set_session_replication_role(app_role, sql):
    conn = app_role.connect()
    assert "permission denied to set parameter" in refusal(conn, sql)
    assert conn.execute("SHOW session_replication_role").fetchone() == ("origin",)


def test_it_still_reads_and_appends_to_the_timeline(app_role):
    conn = app_role.connect()
    conn.execute(f"SELECT count(*) FROM {TIMELINE}")
    granted = conn.execute(
        f"SELECT has_table_privilege(current_user, '{TIMELINE}', 'INSERT'),"
        f" has_table_privilege(current_user, '{TIMELINE}', 'SELECT')"
    ).fetchone()
    assert granted == (True, True)
