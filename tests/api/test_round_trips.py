"""What an API request does not send: Django's connection health check (``SELECT 1`` before the first
ORM query of a request, with ``CONN_HEALTH_CHECKS``) once the token lookup has just used the connection."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.api.test_idempotency import URL, _body
from tests.statements import statements

pytestmark = pytest.mark.django_db


def test_an_intake_does_not_ping_the_connection_it_has_just_used(api, customer):
    assert connection.health_check_enabled  # the setting this saves a round trip of is on
    client = api("agent")
    connection.health_check_done = False  # as at the start of a request (close_old_connections)
    with statements() as sent:
        response = client.post(URL, _body(customer), format="json", HTTP_IDEMPOTENCY_KEY="rt-1")
    assert response.status_code == 201
    assert not [q for q in sent if q.strip().upper() == "SELECT 1"]


def test_a_console_page_still_checks_a_connection_it_has_not_used(client, users):
    client.force_login(users["agent"])
    connection.health_check_done = False
    with statements() as sent:
        assert client.get("/").status_code in (200, 302)
    assert [q for q in sent if q.strip().upper() == "SELECT 1"]
