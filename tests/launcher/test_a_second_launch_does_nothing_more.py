"""The launcher runs at most once per environment: a second call, and a child process started with the
environment it exported, start nothing and write nothing."""

from __future__ import annotations

import json
import os

from powerdesk import launcher
from tests.launcher.conftest import run


def test_a_second_call_changes_nothing(unlaunched, starts):
    first = launcher.launch(launcher.Role.OWNER)
    environment = dict(os.environ)
    key = (unlaunched / "secret_key").stat()

    second = launcher.launch(launcher.Role.OWNER)

    assert second == first and second.started_server  # still known to have started it, to stop it at the end
    assert dict(os.environ) == environment
    assert len(starts) == 1
    assert (unlaunched / "secret_key").stat() == key


def test_a_child_started_with_the_environment_does_nothing(unlaunched, starts):
    env = launcher.environ(launcher.Role.APP)
    (unlaunched / "secret_key").unlink()  # a child that looked for it would make a new one

    done = run(
        "-c",
        "import json, os, sys; from powerdesk import launcher;"
        " launched = launcher.launch(launcher.Role.OWNER);"
        " print(json.dumps([launched.embedded is None, 'powerdesk.dbserver' in sys.modules,"
        " os.environ['DATABASE_URL'], os.environ['POWERDESK_SECRET_KEY']]))",
        env=env,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [True, False, env["DATABASE_URL"], env["POWERDESK_SECRET_KEY"]]
    assert not (unlaunched / "secret_key").exists()


def test_the_role_is_set_for_every_call(unlaunched, starts):
    launcher.launch(launcher.Role.OWNER)
    assert os.environ["POWERDESK_DB_ROLE"] == "owner"
    assert launcher.environ(launcher.Role.APP)["POWERDESK_DB_ROLE"] == "app"
    assert os.environ["POWERDESK_DB_ROLE"] == "owner"  # a child's role is the child's
    launcher.launch(None)
    assert os.environ["POWERDESK_DB_ROLE"] == "none"
    assert len(starts) == 1
