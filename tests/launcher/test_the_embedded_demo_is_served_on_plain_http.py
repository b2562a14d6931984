"""The settings default to HTTPS (Secure cookies, HSTS, a redirect to https); the demo and the tests, which
run on the embedded database at http://127.0.0.1, are launched with POWERDESK_HTTPS off."""

from __future__ import annotations

import json
import os

import pytest

from powerdesk import launcher
from tests.launcher.conftest import run

READ = """
import json
import powerdesk.settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "POWERDESK_SESSION_MAX_HOURS",
    "POWERDESK_REQUIRE_SECOND_FACTOR")}))
"""


def settings_with(**env: str) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("POWERDESK_HSTS", "POWERDESK_HTTPS"))}
    done = run("-c", READ, env={**base, **env})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_without_a_word_the_settings_are_those_of_production(unlaunched):
    found = settings_with()
    assert found["SESSION_COOKIE_SECURE"] and found["CSRF_COOKIE_SECURE"] and found["SECURE_SSL_REDIRECT"]
    assert found["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert not found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and not found["SECURE_HSTS_PRELOAD"]
    assert found["SECURE_PROXY_SSL_HEADER"] is None
    assert found["SESSION_COOKIE_AGE"] == 30 * 60 and found["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
    assert found["POWERDESK_SESSION_MAX_HOURS"] == 12
    assert found["POWERDESK_REQUIRE_SECOND_FACTOR"] is False


def test_plain_http_turns_off_what_needs_https(unlaunched):
    found = settings_with(POWERDESK_HTTPS="off")
    assert not found["SESSION_COOKIE_SECURE"] and not found["CSRF_COOKIE_SECURE"]
    assert not found["SECURE_SSL_REDIRECT"] and found["SECURE_HSTS_SECONDS"] == 0


def test_each_setting_has_its_own_variable(unlaunched):
    found = settings_with(
        POWERDESK_PROXY_SSL_HEADER="X-Forwarded-Proto",
        POWERDESK_HSTS_SECONDS="600",
        POWERDESK_HSTS_INCLUDE_SUBDOMAINS="on",
        POWERDESK_HSTS_PRELOAD="on",
        POWERDESK_SSL_REDIRECT="off",
        POWERDESK_SESSION_IDLE_MINUTES="15",
        POWERDESK_SESSION_MAX_HOURS="8",
        POWERDESK_REQUIRE_SECOND_FACTOR="on",
    )
    assert found["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert found["SECURE_HSTS_SECONDS"] == 600
    assert found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and found["SECURE_HSTS_PRELOAD"]
    assert not found["SECURE_SSL_REDIRECT"] and found["SESSION_COOKIE_SECURE"]
    assert found["SESSION_COOKIE_AGE"] == 15 * 60 and found["POWERDESK_SESSION_MAX_HOURS"] == 8
    assert found["POWERDESK_REQUIRE_SECOND_FACTOR"] is True


def test_the_launcher_serves_the_embedded_database_on_plain_http(unlaunched, starts):
    launcher.launch(launcher.Role.APP)
    assert os.environ["POWERDESK_HTTPS"] == "off"


@pytest.mark.parametrize("given", ["on", "off"])
def test_an_explicit_choice_is_kept(unlaunched, starts, monkeypatch, given):
    monkeypatch.setenv("POWERDESK_HTTPS", given)
    launcher.launch(launcher.Role.APP)
    assert os.environ["POWERDESK_HTTPS"] == given


def test_a_deployment_with_its_own_database_keeps_https(unlaunched, starts, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db.example.internal/powerdesk")
    launcher.launch(launcher.Role.APP)
    assert "POWERDESK_HTTPS" not in os.environ
    assert starts == []
