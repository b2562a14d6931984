"""``gunicorn -c python:powerdesk.gunicorn_conf …`` (docs/deploy.md) prepares the environment once, in the
master, for the workers it forks: as the application role."""

from __future__ import annotations

import os

from powerdesk import gunicorn_conf


def test_the_master_launches_as_the_app_role(unlaunched, starts):
    gunicorn_conf.on_starting(server=None)
    assert len(starts) == 1
    assert os.environ["POWERDESK_DB_ROLE"] == "app"
    assert os.environ["DATABASE_URL"].startswith("postgres://powerdesk_app@")
    assert os.environ["POWERDESK_SECRET_KEY"] == (unlaunched / "secret_key").read_text()
