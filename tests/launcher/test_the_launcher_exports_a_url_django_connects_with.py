"""Without DATABASE_URL the launcher starts (or attaches to) the embedded PostgreSQL and exports URLs of its
Unix socket that dj-database-url, Django and libpq all read."""

from __future__ import annotations

import json
import os

import dj_database_url
import pytest

from powerdesk import launcher
from tests.launcher.conftest import LAUNCHER_VARIABLES, run

CONNECT = """
import json, os
from powerdesk import launcher
launched = launcher.launch(launcher.Role.OWNER)
os.environ["DJANGO_SETTINGS_MODULE"] = "powerdesk.settings"
import django
django.setup()
from django.db import connection
with connection.cursor() as cur:
    cur.execute("SELECT current_database(), inet_server_addr() IS NULL")
    database, over_a_socket = cur.fetchone()
print(json.dumps({
    "database": database, "over_a_socket": over_a_socket,
    "socket_dir": launched.embedded.socket_dir,
    "url": os.environ["DATABASE_URL"], "owner_url": os.environ["POWERDESK_OWNER_DATABASE_URL"],
}))
"""


def test_django_connects_over_the_socket_with_the_exported_url(embedded_var_dir):
    env = {k: v for k, v in os.environ.items() if k not in LAUNCHER_VARIABLES}
    done = run("-c", CONNECT, env={**env, "POWERDESK_VAR_DIR": str(embedded_var_dir)})
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["database"] == "powerdesk"
    assert found["over_a_socket"] is True
    assert dj_database_url.parse(found["owner_url"])["USER"] == "powerdesk_owner"
    assert dj_database_url.parse(found["url"])["USER"] == "powerdesk_app"
    parsed = dj_database_url.parse(found["url"])
    assert parsed["HOST"] == found["socket_dir"]
    assert parsed["NAME"] == "powerdesk"


@pytest.mark.parametrize("socket_dir", ["/srv/PowerDesk/var/pgdata", "/tmp/a dir/with%:@?#/and 中文"])
def test_a_socket_directory_survives_dj_database_url(socket_dir):
    """dj-database-url lower-cases the host: upper-case letters must reach it percent-encoded."""
    url = launcher.socket_url(socket_dir=socket_dir, port=5433, user="postgres", database="powerdesk")
    parsed = dj_database_url.parse(url)
    assert (parsed["HOST"], parsed["PORT"], parsed["USER"], parsed["NAME"]) == (
        socket_dir,
        5433,
        "postgres",
        "powerdesk",
    )
