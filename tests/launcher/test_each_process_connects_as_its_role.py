"""The owner's URL for migrations, the demo reset and the tests; the application's for the web and the
worker. The settings pick by POWERDESK_DB_ROLE; each entry point names its role."""

from __future__ import annotations

import runpy

import pytest

import powerdesk.settings
from powerdesk.launcher import Role, role_for_command

APP = "postgres://powerdesk_app@db.example:5432/powerdesk"
OWNER = "postgres://powerdesk_owner@db.example:5432/powerdesk"


def database_user(monkeypatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(powerdesk.settings.__file__)["DATABASES"]["default"]["USER"]


def test_the_owner_role_uses_the_owner_url(unlaunched, monkeypatch):
    user = database_user(
        monkeypatch, DATABASE_URL=APP, POWERDESK_OWNER_DATABASE_URL=OWNER, POWERDESK_DB_ROLE="owner"
    )
    assert user == "powerdesk_owner"


@pytest.mark.parametrize("role", ["app", None])
def test_the_app_role_and_an_undeclared_process_use_database_url(unlaunched, monkeypatch, role):
    env = {"POWERDESK_DB_ROLE": role} if role else {}
    assert database_user(monkeypatch, DATABASE_URL=APP, POWERDESK_OWNER_DATABASE_URL=OWNER, **env) == (
        "powerdesk_app"
    )


def test_without_an_owner_url_the_owner_uses_database_url(unlaunched, monkeypatch):
    assert database_user(monkeypatch, DATABASE_URL=APP, POWERDESK_DB_ROLE="owner") == "powerdesk_app"


@pytest.mark.parametrize(
    ("argv", "role"),
    [
        (["migrate"], Role.OWNER),
        (["demo", "--reset"], Role.OWNER),
        (["createsuperuser"], Role.OWNER),
        (["shell"], Role.OWNER),
        (["runserver"], Role.APP),
        (["procrastinate", "worker"], Role.APP),
        (["check"], None),
        (["check", "--database", "default"], Role.OWNER),
        (["makemigrations", "--check", "--dry-run"], None),
        (["migrate", "--help"], None),
        ([], None),
    ],
)
def test_management_commands_run_as_the_role_they_need(argv, role):
    assert role_for_command(argv) == role
