"""A process no launcher prepared (a script, ``django-admin``) learns from its first query how to get a
database, instead of seeing a connection refused."""

from __future__ import annotations

import runpy

import pytest
from django.db.utils import ConnectionHandler

import powerdesk.settings
from powerdesk.nodatabase.base import NoDatabaseError


def test_connecting_raises_an_error_that_names_the_ways_to_a_database(django_db_blocker):
    connection = ConnectionHandler({"default": {"ENGINE": "powerdesk.nodatabase", "NAME": "powerdesk"}})[
        "default"
    ]
    with django_db_blocker.unblock(), pytest.raises(NoDatabaseError) as raised:
        connection.ensure_connection()
    message = str(raised.value)
    assert "DATABASE_URL is not set" in message
    assert "powerdesk migrate" in message and "manage.py" in message and "launch(" in message


def test_it_is_what_the_settings_give_a_process_without_database_url(unlaunched):
    settings = runpy.run_path(powerdesk.settings.__file__)
    assert settings["DATABASES"]["default"]["ENGINE"] == "powerdesk.nodatabase"
