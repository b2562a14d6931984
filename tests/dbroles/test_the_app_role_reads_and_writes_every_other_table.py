"""Everything else the web and the worker need: every table of the schema (Procrastinate's queue
included) read and written, every sequence drawn from, and TRUNCATE on none."""

from __future__ import annotations

from powerdesk.core import dbroles

PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")


def test_every_table_is_read_and_written_and_the_append_only_ones_only_appended_to(app_role):
    conn = app_role.connect()
    append_only = set(dbroles.append_only_tables(conn.cursor()))
    assert "workorders_workorderevent" in append_only
    rows = conn.execute(
        "SELECT c.relname, "
        + ", ".join(f"has_table_privilege(current_user, c.oid, '{p}')" for p in PRIVILEGES)
        + " FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')"
    ).fetchall()
    found = {name: dict(zip(PRIVILEGES, granted, strict=True)) for name, *granted in rows}
    assert {"procrastinate_jobs", "procrastinate_workers", "django_session"} <= set(found)
    expected = {
        name: {
            "SELECT": True,
            "INSERT": True,
            "UPDATE": name not in append_only,
            "DELETE": name not in append_only,
            "TRUNCATE": False,
        }
        for name in found
    }
    assert found == expected


def test_every_sequence_may_be_drawn_from(app_role):
    conn = app_role.connect()
    missing = conn.execute(
        "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace"
        " AND c.relkind = 'S' AND NOT has_sequence_privilege(current_user, c.oid, 'USAGE')"
    ).fetchall()
    assert missing == []
