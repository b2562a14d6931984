"""The application role, as the web and the worker connect with it, on the test database.

The test session runs as the owner (it creates the test databases); these tests open connections of their
own with the application role's rights:

- on the embedded server, and whenever ``DATABASE_URL`` names a role of its own (a standalone server set
  up as docs/deploy.md says): a connection as ``DATABASE_URL``'s role, with the grants the test database
  got when it was migrated;
- one URL for both on a standalone server (CI's second pass) and the session is a superuser: a role made
  for the test, given the same grants, taken on with ``SET ROLE``, dropped afterwards;
- otherwise the tests are skipped: no separate role, and none can be made.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import dj_database_url
import psycopg
import pytest

from powerdesk.pytest_plugin import LAUNCHED


@dataclass
class AppRole:
    name: str
    params: dict[str, Any]
    set_role: bool  # take the role on after connecting (a role made for the test cannot log in)
    opened: list[psycopg.Connection] = field(default_factory=list)

    def connect(self) -> psycopg.Connection:
        """A connection to the test database with the application role's rights (not autocommit: a
        statement that should have been refused is rolled back)."""
        conn = psycopg.connect(**self.params)
        self.opened.append(conn)
        if self.set_role:
            conn.execute(f'SET ROLE "{self.name}"')
            conn.commit()
        return conn


def _params(settings_dict: dict[str, Any], database: str) -> dict[str, Any]:
    params = {"dbname": database, "user": settings_dict["USER"], "host": settings_dict["HOST"]}
    if settings_dict.get("PORT"):
        params["port"] = settings_dict["PORT"]
    if settings_dict.get("PASSWORD"):
        params["password"] = settings_dict["PASSWORD"]
    return params


@pytest.fixture
def app_role(request, django_db_setup, django_db_blocker, settings) -> Iterator[AppRole]:
    from django.db import connection, transaction

    from powerdesk.core import dbroles

    database = connection.settings_dict["NAME"]
    configured = dj_database_url.parse(os.environ["DATABASE_URL"])
    embedded = request.config.stash[LAUNCHED].embedded is not None
    with django_db_blocker.unblock():
        with connection.cursor() as cur:
            cur.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            current, superuser = cur.fetchone()
        if embedded or (configured["USER"] and configured["USER"] != current):
            role = AppRole(configured["USER"], _params(configured, database), set_role=False)
            made = False
        elif superuser:
            name = f"powerdesk_app_test_{os.getpid()}"
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(f'CREATE ROLE "{name}" NOLOGIN')
                dbroles.grant_app_privileges(cur, name)
            settings.POWERDESK_APP_DB_USER = name
            role = AppRole(name, _params(connection.settings_dict, database), set_role=True)
            made = True
        else:
            pytest.skip(
                "DATABASE_URL and POWERDESK_OWNER_DATABASE_URL name the same role and it may not create "
                "another: there is no application role to test"
            )
        try:
            yield role
        finally:
            for conn in role.opened:
                conn.close()
            if made:
                with connection.cursor() as cur:
                    cur.execute(f'DROP OWNED BY "{role.name}"')
                    cur.execute(f'DROP ROLE "{role.name}"')


def refusal(conn: psycopg.Connection, sql: str) -> str:
    """The error PostgreSQL gives the role for ``sql`` (which must fail); the transaction is rolled back."""
    try:
        conn.execute(sql)
    except psycopg.Error as exc:
        conn.rollback()
        return str(exc)
    conn.rollback()
    raise AssertionError(f"the application role was allowed: {sql}")
