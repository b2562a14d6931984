"""Sessions end after 30 idle minutes (sliding) and 12 hours after sign-in in any case; nothing a signed-in
user is answered, page or API, may be stored by a browser or proxy; static files stay cacheable."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_page_of_a_signed_in_user_is_no_store(client, users, customer):
    client.force_login(users["agent"])
    for url in (
        reverse("home"),
        reverse("workorders:list"),
        reverse("customers:detail", args=[customer.account_no]),
        reverse("customers:search") + "?q=1381",
        "/no-such-page/",
    ):
        response = client.get(url)
        assert no_store(response), url
        assert "private" in response["Cache-Control"], url


def test_api_answers_are_no_store_by_token_and_by_session(client, users, customer, api):
    token_answer = api("agent").get(f"/api/v1/customers/{customer.account_no}/")
    assert token_answer.status_code == 200 and no_store(token_answer)
    client.force_login(users["agent"])
    session_answer = client.get("/api/v1/workorders/")
    assert session_answer.status_code == 200 and no_store(session_answer)


def test_static_files_stay_cacheable_for_a_signed_in_user(client, users):
    client.force_login(users["agent"])
    static = client.get("/static/css/console.css")
    assert static.status_code == 200
    assert not no_store(static)


def test_the_answer_to_a_successful_sign_in_is_no_store(client, users):
    response = client.post(reverse("login"), {"username": "agent", "password": "pw-12345"})
    assert response.status_code == 302 and no_store(response)


def test_a_session_ends_after_the_idle_time_and_each_request_pushes_it_on(client, users):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(users["agent"])
        for _ in range(4):  # active for an hour: each request within 20 minutes of the last
            clock.shift(dt.timedelta(minutes=20))
            assert client.get(reverse("home")).status_code == 200
        session = Session.objects.get(session_key=client.session.session_key)
        assert session.expire_date == timezone.now() + dt.timedelta(minutes=30)
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_session_is_written_for_activity_at_most_once_a_minute(client, users):
    """Not on every request (every keystroke of the htmx search would write the session row)."""
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(users["agent"])
        client.get(reverse("home"))
        key = client.session.session_key

        def expiry():
            return Session.objects.get(session_key=key).expire_date

        first = expiry()
        clock.shift(dt.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("customers:search") + "?q=1381").status_code == 200
        assert not [q for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]
        assert expiry() == first
        clock.shift(dt.timedelta(seconds=31))
        client.get(reverse("customers:search") + "?q=13812")
        assert expiry() == timezone.now() + dt.timedelta(minutes=30)


def test_a_session_ends_at_its_absolute_lifetime_however_active(client, users):
    assert settings.POWERDESK_SESSION_MAX_HOURS == 12
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(users["agent"])
        assert client.get(reverse("home")).status_code == 200
        for _ in range(11 * 3):
            clock.shift(dt.timedelta(minutes=20))
            assert client.get(reverse("workorders:list")).status_code == 200
        clock.shift(dt.timedelta(minutes=61))  # 12 h 1 min after sign-in, 1 min after the last request
        assert client.get(reverse("workorders:list")).status_code == 302
        assert client.get(reverse("home")).status_code == 302  # signed out, not merely refused once


def test_the_absolute_lifetime_is_recorded_as_a_logout(client, users, settings):
    from powerdesk.audit.models import AuditEntry

    settings.POWERDESK_SESSION_MAX_HOURS = 1
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(users["agent"])
        client.get(reverse("home"))
        clock.shift(dt.timedelta(minutes=25))
        client.get(reverse("home"))
        clock.shift(dt.timedelta(minutes=25))
        client.get(reverse("home"))
        clock.shift(dt.timedelta(minutes=25))
        assert client.get(reverse("home")).status_code == 302
    assert AuditEntry.objects.filter(kind="logout", actor=users["agent"]).exists()


def test_the_cookies_follow_the_https_setting(client, users, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.post(reverse("login"), {"username": "agent", "password": "pw-12345"}, secure=True)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["secure"]
    assert response.cookies[settings.SESSION_COOKIE_NAME]["httponly"]


def test_https_answers_carry_hsts_and_plain_http_is_redirected(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("login"), secure=True)["Strict-Transport-Security"] == "max-age=31536000"
    plain = client.get(reverse("login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")


def test_behind_a_tls_proxy_its_header_counts_as_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="http").status_code == 301
