"""A one-time code is kept in clear nowhere once its SMS is sent: not in any notify table, not on the
worker's console; only the message itself (the outbox file, the demo's phone) carries it."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core import serializers
from django.test import Client
from django.urls import reverse

from powerdesk.notify.models import Notification, NotificationState
from powerdesk.notify.services import SECRET_CONTEXT, notification_cancel, notification_send
from powerdesk.portal import services
from powerdesk.portal.models import OneTimeCode, PortalAccount
from tests.portal.conftest import read_code

pytestmark = pytest.mark.django_db


def _stored() -> str:
    """Every row of every notify table, and the codes table, as text."""
    models = [*apps.get_app_config("notify").get_models(), OneTimeCode]
    return "".join(serializers.serialize("json", m.objects.all()) for m in models)


def test_after_the_sign_in_sms_is_sent_no_row_holds_the_code(customer, capsys, outbox):
    Client().post(reverse("portal:sign_in"), {"phone": "13812345678"})
    sms = Notification.objects.get(template__code="portal_sign_in_code")
    assert "code" not in sms.context  # the secret waits apart from the template's context
    code = read_code(sms)  # sends it
    sms.refresh_from_db()
    assert sms.state == NotificationState.SENT
    assert SECRET_CONTEXT not in sms.context
    assert code not in _stored() and "******" in sms.text
    assert code not in capsys.readouterr().out  # the worker's console line
    assert code in (outbox / "notifications.jsonl").read_text()  # the phone reads it


def test_after_the_proof_sms_is_sent_no_row_holds_the_code(portal, customer):
    account = PortalAccount.objects.get(phone="13812345678")
    services.proof_start(account=account, customer=customer, kind="app_transfer", address=None)
    sms = Notification.objects.get(template__code="portal_proof_code")
    code = read_code(sms)
    assert code not in _stored()
    assert customer.account_no in Notification.objects.get(pk=sms.pk).text  # the rest is kept as sent


def test_a_cancelled_or_permanently_failed_code_message_drops_its_code(customer, settings):
    Client().post(reverse("portal:sign_in"), {"phone": "13812345678"})
    Client().post(reverse("portal:sign_in"), {"phone": "13700001111"})
    first, second = Notification.objects.order_by("id")
    assert notification_cancel(notification_id=first.pk)
    settings.POWERDESK_NOTIFY_TRANSPORT_SMS = "http"
    settings.POWERDESK_SMS_URL = ""  # no gateway configured: a permanent error
    notification_send(notification_id=second.pk)
    second.refresh_from_db()
    assert second.state == NotificationState.FAILED and second.permanent_error, second.last_error
    for row in Notification.objects.all():
        assert SECRET_CONTEXT not in row.context


def test_the_demo_customer_reads_the_code_from_the_outbox(customer, outbox):
    Client().post(reverse("portal:sign_in"), {"phone": "13812345678"})
    code = read_code(Notification.objects.get())
    answer = Client().post(reverse("portal:verify"), {"phone": "13812345678", "code": code})
    assert answer.status_code == 302
