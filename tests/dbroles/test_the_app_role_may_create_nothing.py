"""The application role is no superuser and owns nothing: no roles, databases, tables or triggers."""

from __future__ import annotations

import pytest

from tests.dbroles.conftest import refusal


def test_it_is_not_a_superuser_and_may_not_create_roles_or_databases(app_role):
    conn = app_role.connect()
    attributes = conn.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls"
        " FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    assert attributes == (False, False, False, False, False)


@pytest.mark.parametrize(
    ("sql", "error"),
    [
        ("CREATE ROLE powerdesk_intruder", "permission denied to create role"),
        ("CREATE TABLE powerdesk_intruder (id int)", "permission denied for schema"),
        ("CREATE FUNCTION powerdesk_intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'", "permission denied"),
        (
            "CREATE TRIGGER powerdesk_intruder BEFORE INSERT ON workorders_workorder"
            " FOR EACH ROW EXECUTE FUNCTION workorders_event_append_only()",
            "permission denied",
        ),
        ("ALTER TABLE workorders_workorder ADD COLUMN intruder int", "must be owner of"),
        ("DROP TABLE workorders_workorder CASCADE", "must be owner of"),
    ],
)
def test_it_may_not_change_the_schema(app_role, sql, error):
    assert error in refusal(app_role.connect(), sql)


@pytest.fixture
def no_intruder_database(django_db_blocker):
    """Drop what a role with too many rights would have made (CREATE DATABASE cannot be rolled back)."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS powerdesk_intruder")


def test_it_may_not_create_a_database(app_role, no_intruder_database):
    conn = app_role.connect()
    conn.autocommit = True  # CREATE DATABASE refuses to run in a transaction before checking rights
    assert "permission denied to create database" in refusal(conn, "CREATE DATABASE powerdesk_intruder")
