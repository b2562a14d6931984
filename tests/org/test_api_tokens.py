"""API tokens: only a digest stored, shown once, with a name and an expiry; revoked or expired tokens are
a 401 with the JSON error body; failed token authentications are throttled per address (429)."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from powerdesk.core import clock
from powerdesk.org.auth import TOKEN_LAST_USED_EVERY
from powerdesk.org.models import ApiToken, ApiTokenFailure
from powerdesk.org.tokens import api_token_create, api_token_revoke

URL = "/api/v1/workorders/"


def client_with(secret: str, address: str = "192.0.2.50") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_only_the_digest_of_a_token_is_stored(users):
    token, secret = api_token_create(user=users["agent"], name="ivr")
    assert len(secret) >= 40 and secret.startswith(token.prefix)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM org_apitoken WHERE id = %s", [token.pk])
        row = cur.fetchone()
    assert secret not in [str(v) for v in row]
    assert client_with(secret).get(URL).status_code == 200


def test_a_token_expires_after_its_days(users, settings):
    token, secret = api_token_create(user=users["agent"], name="ivr")
    assert token.expires_at - token.created_at == dt.timedelta(days=settings.POWERDESK_API_TOKEN_DAYS)
    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1), tick=False):
        response = client_with(secret).get(URL)
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "authentication_failed",
        "message": "API令牌已过期。",
        "fields": {},
    }


def test_a_revoked_token_is_refused(users):
    token, secret = api_token_create(user=users["agent"], name="ivr")
    api_token_revoke(token=token)
    response = client_with(secret).get(URL)
    assert response.status_code == 401 and response.json()["error"]["message"] == "API令牌已吊销。"


def test_last_used_is_written_at_most_once_an_hour(users):
    token, secret = api_token_create(user=users["agent"], name="ivr")
    start = clock.now()
    with time_machine.travel(start, tick=False):
        client_with(secret).get(URL)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + TOKEN_LAST_USED_EVERY / 2, tick=False):
        client_with(secret).get(URL)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + TOKEN_LAST_USED_EVERY + dt.timedelta(seconds=1), tick=False):
        client_with(secret).get(URL)
    token.refresh_from_db()
    assert token.last_used_at == start + TOKEN_LAST_USED_EVERY + dt.timedelta(seconds=1)


def test_failed_token_authentications_are_throttled_per_address(users, settings):
    settings.POWERDESK_TOKEN_FAILURE_LIMIT = 5
    settings.POWERDESK_TOKEN_FAILURE_WINDOW = 600
    start = clock.now()
    with time_machine.travel(start, tick=False):
        codes = [client_with(f"guess-{i}", "198.51.100.20").get(URL).status_code for i in range(8)]
        assert codes == [401] * 5 + [429] * 3
        response = client_with("guess-x", "198.51.100.20").get(URL)
        assert response.status_code == 429 and int(response["Retry-After"]) == 600
        assert response.json()["error"]["code"] == "throttled"
        # another address is not held back, nor a valid token from this one
        assert client_with("guess-y", "198.51.100.21").get(URL).status_code == 401
        _token, secret = api_token_create(user=users["agent"], name="ivr")
        assert client_with(secret, "198.51.100.20").get(URL).status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=601), tick=False):
        assert client_with("guess-z", "198.51.100.20").get(URL).status_code == 401
    assert ApiTokenFailure.objects.get(address="198.51.100.20").failures == 1


def test_the_admin_shows_a_new_token_once_and_revokes(client, users):
    from powerdesk.org.models import User

    admin = User.objects.create_superuser("tokenadmin", password="a-long-admin-pass-2024")
    client.force_login(admin)
    response = client.post(
        "/admin/org/apitoken/add/", {"user": users["agent"].pk, "name": "ivr", "days": "30"}, follow=True
    )
    token = ApiToken.objects.get(name="ivr")
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m.split("：", 1)[1] for m in shown if "只显示这一次" in m)
    assert client_with(secret).get(URL).status_code == 200
    assert token.expires_at - token.created_at == dt.timedelta(days=30)
    assert secret not in client.get(f"/admin/org/apitoken/{token.pk}/change/").content.decode()
    client.post("/admin/org/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client_with(secret).get(URL).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_the_command_prints_a_new_named_token_once(users):
    from django.db import connection as conn

    env_db = conn.settings_dict["NAME"]
    import os

    env = {**os.environ, "POWERDESK_DB_NAME": env_db}
    result = subprocess.run(
        [sys.executable, "-m", "powerdesk.cli", "token", "agent", "--name", "ivr", "--days", "7"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    secret = result.stdout.strip()
    token = ApiToken.objects.get(user=users["agent"], name="ivr")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.expires_at - token.created_at == dt.timedelta(days=7)
    missing = subprocess.run(
        [sys.executable, "-m", "powerdesk.cli", "token", "agent"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 2 and "--name" in missing.stderr


def test_existing_drf_tokens_keep_working_as_digests(users):
    """Migration org 0008 carries DRF's plain keys over as digests and drops their table."""
    import importlib

    carry = importlib.import_module("powerdesk.org.migrations.0008_carry_over_drf_tokens").carry_over
    from django.apps import apps

    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, created timestamptz)"
        )
        cur.execute("INSERT INTO authtoken_token VALUES (%s, %s, now())", [key, users["agent"].pk])
    carry(apps, None)
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('authtoken_token')")
        assert cur.fetchone()[0] is None
    assert client_with(key).get(URL).status_code == 200
