"""Sign-in by SMS code: what an attacker can and cannot learn or do."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from powerdesk.core import clock
from powerdesk.notify.models import Notification, NotificationState, QuietHours
from powerdesk.notify.services import notification_send
from powerdesk.portal.models import OneTimeCode, PortalAccount, PortalConsent, PortalSession
from tests.portal.conftest import DAY, last_code, sign_in

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(response) -> str:
    return CSRF.sub("", response.content.decode())


def test_a_registered_and_an_unregistered_number_get_the_same_answer_and_each_a_code(customer):
    registered = Client().post(reverse("portal:sign_in"), {"phone": "13812345678"})
    unknown = Client().post(reverse("portal:sign_in"), {"phone": "13700001111"})
    assert registered.status_code == unknown.status_code == 200
    assert _page(registered).replace("13812345678", "N") == _page(unknown).replace("13700001111", "N")
    assert Notification.objects.filter(template__code="portal_sign_in_code").count() == 2


def test_the_code_is_stored_as_a_digest_and_not_printed_by_the_outbox(
    customer, capsys, caplog, settings, tmp_path
):
    settings.POWERDESK_NOTIFY_OUTBOX = tmp_path
    caplog.set_level(logging.DEBUG)  # every logger, every level: the request's, the sender's, Django's
    Client().post(reverse("portal:sign_in"), {"phone": "13812345678"})
    code = last_code("13812345678")
    row = OneTimeCode.objects.get(phone="13812345678")
    assert code not in row.digest and len(row.digest) == 64
    sms = Notification.objects.get(template__code="portal_sign_in_code")
    notification_send(notification_id=sms.pk)
    assert code not in capsys.readouterr().out  # the worker's console line
    # Whatever the request and the send log, at any level, names no code (raw records, before the
    # handlers' redacting filter).
    assert not [r for r in caplog.records if code in r.getMessage() or code in str(vars(r))]
    assert code in (tmp_path / "notifications.jsonl").read_text()  # the message itself, in the outbox


def test_codes_are_sent_in_quiet_hours(customer):
    QuietHours.objects.create(name="夜间", start=dt.time(22), end=dt.time(8))
    night = dt.datetime(2026, 11, 18, 23, 30, tzinfo=clock.BUSINESS_TZ)
    with time_machine.travel(night, tick=False):
        Client().post(reverse("portal:sign_in"), {"phone": "13812345678"})
    sms = Notification.objects.get(template__code="portal_sign_in_code")
    assert sms.state == NotificationState.PENDING and sms.send_after is None


def test_the_right_code_signs_in_once_and_asks_for_consent_first(customer):
    client = sign_in(Client(), "13812345678", consent=False)
    assert client.get(reverse("portal:home")).url == reverse("portal:consent")
    client.post(reverse("portal:consent"), {"agree": "on"})
    consent = PortalConsent.objects.get()
    assert consent.version == "2026-12" and consent.at == clock.now()
    assert client.get(reverse("portal:home")).status_code == 200


def test_a_used_code_does_not_sign_in_again(customer):
    client = Client()
    client.post(reverse("portal:sign_in"), {"phone": "13812345678"})
    code = last_code("13812345678")
    assert client.post(reverse("portal:verify"), {"phone": "13812345678", "code": code}).status_code == 302
    again = Client().post(reverse("portal:verify"), {"phone": "13812345678", "code": code})
    assert again.status_code == 200 and "验证码错误或已失效" in again.content.decode()
    assert PortalSession.objects.count() == 1


def test_an_expired_code_does_not_sign_in(customer):
    client = Client()
    client.post(reverse("portal:sign_in"), {"phone": "13812345678"})
    code = last_code("13812345678")
    with time_machine.travel(DAY + dt.timedelta(minutes=6), tick=False):
        answer = client.post(reverse("portal:verify"), {"phone": "13812345678", "code": code})
    assert answer.status_code == 200 and "验证码错误或已失效" in answer.content.decode()
    assert not PortalAccount.objects.exists()


def test_wrong_guesses_spend_the_code_then_the_phone_is_throttled(customer):
    client = Client()
    client.post(reverse("portal:sign_in"), {"phone": "13812345678"})
    code = last_code("13812345678")
    wrong = "000000" if code != "000000" else "111111"
    for _i in range(5):
        client.post(reverse("portal:verify"), {"phone": "13812345678", "code": wrong})
    spent = client.post(reverse("portal:verify"), {"phone": "13812345678", "code": code})
    assert spent.status_code == 200 and not PortalSession.objects.exists()  # five misses spent the code
    for _i in range(4):
        client.post(reverse("portal:verify"), {"phone": "13812345678", "code": wrong})
    # ten failures in the hour: refused before any code is compared, even a fresh right one
    client.post(reverse("portal:sign_in"), {"phone": "13812345678"})
    fresh = last_code("13812345678")
    throttled = client.post(reverse("portal:verify"), {"phone": "13812345678", "code": fresh})
    assert throttled.status_code == 429 and not PortalSession.objects.exists()


def test_codes_per_phone_are_limited(customer):
    client = Client()
    answers = [
        client.post(reverse("portal:sign_in"), {"phone": "13700001111"}).status_code for _i in range(6)
    ]
    assert answers == [200] * 5 + [429]
    assert Notification.objects.filter(template__code="portal_sign_in_code").count() == 5


def test_a_landline_or_garbage_is_a_field_error_not_a_500(customer):
    for text in ("057188881234", "abc", "12345"):
        answer = Client().post(reverse("portal:sign_in"), {"phone": text})
        assert answer.status_code == 200 and "请输入11位手机号码" in answer.content.decode()


def test_the_console_refuses_a_portal_session(portal):
    for name in ("home", "workorders:list", "customers:search"):
        answer = portal.get(reverse(name))
        assert answer.status_code == 302 and answer.url.startswith(reverse("login"))


def test_a_staff_session_is_a_stranger_to_the_portal(client, users):
    client.force_login(users["manager"])
    assert client.get(reverse("portal:home")).url == reverse("portal:sign_in")


def test_signing_out_ends_the_session(portal):
    portal.post(reverse("portal:sign_out"))
    assert PortalSession.objects.get().ended_at is not None
    assert portal.get(reverse("portal:home")).status_code == 302
