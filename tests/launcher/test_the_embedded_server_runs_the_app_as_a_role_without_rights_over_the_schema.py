"""The embedded server has the two roles of docs/deploy.md: the owner of the database and of everything in
it, and the application role the web and the worker connect as, which is no superuser and owns nothing.
A var/ made before the roles existed is brought to that state at its next start."""

from __future__ import annotations

import json
import os

import pytest

from powerdesk import dbserver
from tests.launcher.conftest import LAUNCHER_VARIABLES, run

WHO = """
import json, os, sys
from powerdesk import launcher
launcher.launch(launcher.Role[sys.argv[1]])
os.environ["DJANGO_SETTINGS_MODULE"] = "powerdesk.settings"
import django
django.setup()
from django.db import connection
with connection.cursor() as cur:
    cur.execute(
        "SELECT current_user, r.rolsuper, r.rolcreaterole, r.rolcreatedb, pg_get_userbyid(d.datdba)"
        " FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()"
    )
    print(json.dumps(cur.fetchone()))
"""


def _who(var_dir, role: str) -> list:
    env = {k: v for k, v in os.environ.items() if k not in LAUNCHER_VARIABLES}
    done = run("-c", WHO, role, env={**env, "POWERDESK_VAR_DIR": str(var_dir)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_app_connects_as_a_role_that_is_no_superuser_and_the_owner_owns_the_database(embedded_var_dir):
    assert _who(embedded_var_dir, "APP") == ["powerdesk_app", False, False, False, "powerdesk_owner"]
    assert _who(embedded_var_dir, "OWNER") == ["powerdesk_owner", False, False, True, "powerdesk_owner"]


def _as_superuser(server: dbserver.EmbeddedServer, sql: str) -> str:
    return dbserver._psql(server, sql, database=dbserver.DB_NAME)


@pytest.fixture
def server(embedded_var_dir, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", os.environ.get("XDG_RUNTIME_DIR", ""))  # ensure_running sets it
    return dbserver.ensure_running(embedded_var_dir)


def test_objects_the_superuser_made_before_are_given_to_the_owner_at_the_next_start(server, embedded_var_dir):
    name = f"launcher_probe_{os.getpid()}"
    _as_superuser(
        server,
        f"CREATE TABLE {name} (id bigserial PRIMARY KEY); CREATE SEQUENCE {name}_seq;"
        f" CREATE FUNCTION {name}_fn() RETURNS int LANGUAGE sql AS 'SELECT 1';"
        f" CREATE TYPE {name}_kind AS ENUM ('a'); CREATE TYPE {name}_row AS (a int)",
    )
    try:
        dbserver.ensure_running(embedded_var_dir)
        owners = _as_superuser(
            server,
            "SELECT pg_get_userbyid(relowner) FROM pg_class"
            f" WHERE relname IN ('{name}', '{name}_seq', '{name}_id_seq')"
            f" UNION ALL SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = '{name}_fn'"
            " UNION ALL SELECT pg_get_userbyid(typowner) FROM pg_type"
            f" WHERE typname IN ('{name}_kind', '{name}_row')",
        )
        assert owners.split() == ["powerdesk_owner"] * 6
    finally:
        _as_superuser(
            server,
            f"DROP TABLE IF EXISTS {name}; DROP SEQUENCE IF EXISTS {name}_seq;"
            f" DROP FUNCTION IF EXISTS {name}_fn(); DROP TYPE IF EXISTS {name}_kind, {name}_row",
        )
