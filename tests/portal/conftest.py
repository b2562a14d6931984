"""Portal fixtures: a customer signed in through the real pages (phone, SMS code, privacy consent) with
their account bound; the code is read as the customer reads it: the SMS sent, its text in the outbox
file (the demo's phone)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from powerdesk.core import clock
from powerdesk.notify.models import Notification
from powerdesk.notify.services import notification_send
from powerdesk.notify.transports import ConsoleTransport
from powerdesk.portal.models import AccountBinding, PortalAccount

# A weekday afternoon: customer messages are not held by quiet hours (the codes never are anyway).
DAY = dt.datetime(2026, 11, 18, 14, 0, tzinfo=clock.BUSINESS_TZ)


@pytest.fixture(autouse=True)
def daytime():
    with time_machine.travel(DAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def outbox(settings, tmp_path):
    settings.POWERDESK_NOTIFY_OUTBOX = tmp_path / "outbox"
    return settings.POWERDESK_NOTIFY_OUTBOX


def read_code(sms: Notification) -> str:
    """The code of ``sms`` as its recipient reads it: the message sent (the outbox transport), its line
    in the outbox file."""
    from django.conf import settings

    notification_send(notification_id=sms.pk)
    lines = (settings.POWERDESK_NOTIFY_OUTBOX / ConsoleTransport.filename).read_text().splitlines()
    text = next(m["text"] for m in map(json.loads, lines) if m["id"] == sms.pk)
    found = re.search(r"验证码为?(\d+)", text)
    assert found is not None, text
    return found.group(1)


def last_code(phone: str, template: str = "portal_sign_in_code") -> str:
    sms = Notification.objects.filter(recipient_address=phone, template__code=template).latest("id")
    return read_code(sms)


def sign_in(client: Client, phone: str, *, consent: bool = True) -> Client:
    client.post(reverse("portal:sign_in"), {"phone": phone})
    answer = client.post(reverse("portal:verify"), {"phone": phone, "code": last_code(phone)})
    assert answer.status_code == 302, answer.content.decode()[:500]
    if consent:
        client.post(reverse("portal:consent"), {"agree": "on"})
    return client


@pytest.fixture
def portal(customer) -> Client:
    """The customer 张三 signed in with the phone on their account, the account bound."""
    client = sign_in(Client(), "13812345678")
    AccountBinding.objects.create(
        account=PortalAccount.objects.get(phone="13812345678"),
        customer=customer,
        method="name",
        bound_at=clock.now(),
    )
    return client
