"""The worker's nightly anonymisation runs as the application role, which has no UPDATE on the timeline:
it reaches the owner's rights only through ``workorders_event_anonymise`` (workorders 0023), a function
it may execute, which rewrites nothing but closed orders' event notes and data."""

from __future__ import annotations

from tests.dbroles.conftest import refusal

FUNCTION = "workorders_event_anonymise(bigint[], text[], jsonb[])"


def test_it_may_call_the_anonymisation_function(app_role):
    conn = app_role.connect()
    [(allowed,)] = conn.execute(f"SELECT has_function_privilege(current_user, '{FUNCTION}', 'EXECUTE')")
    assert allowed
    [(changed,)] = conn.execute(
        "SELECT workorders_event_anonymise('{}'::bigint[], '{}'::text[], '{}'::jsonb[])"
    )
    assert changed == 0
    conn.rollback()


def test_the_rewrite_setting_gives_it_no_update_of_its_own(app_role):
    conn = app_role.connect()
    conn.execute("SELECT set_config('powerdesk.event_rewrite', 'on', false)")
    error = refusal(conn, "UPDATE workorders_workorderevent SET note = 'rewritten'")
    assert "permission denied for table" in error, error
