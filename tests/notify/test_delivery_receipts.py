"""Delivery receipts: the gateway's signed status callback and the outbox's simulated receipts set a
message's delivery state (sent → delivered / failed) with the time and the gateway's code, forward only."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from powerdesk.notify import rules
from powerdesk.notify.api import signature
from powerdesk.notify.models import Notification
from powerdesk.notify.services import notification_send
from tests.notify.helpers import enqueue

DAYTIME = dt.datetime(2026, 6, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

pytestmark = pytest.mark.django_db

SECRET = "gateway-shared-secret"


@pytest.fixture
def secret(settings):
    settings.POWERDESK_SMS_CALLBACK_SECRET = SECRET
    return SECRET


def post(client, body, *, key: str = SECRET, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body).encode()
    return client.post(
        reverse("api-v1-notify-receipts"),
        data=data,
        content_type="application/json",
        HTTP_X_SIGNATURE=signature(key, data),
    )


@pytest.mark.parametrize(
    ("current", "reported", "after"),
    [
        ("", "sent", "sent"),
        ("", "delivered", "delivered"),
        ("sent", "delivered", "delivered"),
        ("sent", "failed", "failed"),
        ("delivered", "sent", None),
        ("delivered", "delivered", None),
        ("failed", "delivered", None),
        ("sent", "sent", None),
    ],
)
def test_a_receipt_moves_the_delivery_state_forward_only(current, reported, after):
    assert rules.delivery_next(current, reported) == after


def test_the_gateways_callback_records_delivery_with_its_time_and_code(client, secret):
    message = enqueue()
    at = dt.datetime(2026, 12, 1, 10, 5, tzinfo=dt.UTC)
    receipt = {"out_id": message.pk, "status": "delivered", "code": "DELIVRD", "at": at.isoformat()}
    body = {"receipts": [receipt]}
    answer = post(client, body)
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"results": {str(message.pk): "recorded"}}
    message.refresh_from_db()
    assert message.delivery_state == "delivered"
    assert (message.delivery_at, message.delivery_code) == (at, "DELIVRD")


def test_a_retried_or_stale_callback_changes_nothing(client, secret):
    message = enqueue()
    post(client, {"receipts": [{"out_id": message.pk, "status": "failed", "code": "UNDELIV"}]})
    again = post(client, {"receipts": [{"out_id": message.pk, "status": "failed", "code": "UNDELIV"}]})
    stale = post(client, {"receipts": [{"out_id": message.pk, "status": "sent", "code": "ACCEPTD"}]})
    assert again.json()["results"][str(message.pk)] == "unchanged"
    assert stale.json()["results"][str(message.pk)] == "unchanged"
    message.refresh_from_db()
    assert (message.delivery_state, message.delivery_code) == ("failed", "UNDELIV")


def test_an_unknown_message_is_answered_unknown_not_refused(client, secret):
    answer = post(client, {"receipts": [{"out_id": 987654321, "status": "delivered"}]})
    assert answer.status_code == 200 and answer.json()["results"] == {"987654321": "unknown"}


def test_a_callback_without_the_right_signature_is_refused_and_records_nothing(client, secret):
    message = enqueue()
    body = {"receipts": [{"out_id": message.pk, "status": "delivered"}]}
    forged = post(client, body, key="not-the-secret")
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "bad_signature"
    unsigned = client.post(reverse("api-v1-notify-receipts"), body, content_type="application/json")
    assert unsigned.status_code == 403
    message.refresh_from_db()
    assert message.delivery_state == ""


def test_without_a_configured_secret_every_callback_is_refused(client, settings):
    settings.POWERDESK_SMS_CALLBACK_SECRET = ""
    assert post(client, {"receipts": []}, key="").status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"receipts": [{"out_id": 1, "status": "read"}]},
        {"receipts": [{"status": "delivered"}]},
        {"receipts": []},
        {"nothing": 1},
    ],
)
def test_bad_input_is_a_400_with_the_error_body(client, secret, body):
    answer = post(client, body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "validation_error"


def test_a_body_that_is_not_json_is_a_400(client, secret):
    answer = post(client, None, raw=b"{not json")
    assert answer.status_code == 400 and "error" in answer.json()


def test_the_outbox_reports_a_simulated_receipt_as_soon_as_it_sends(outbox, settings):
    settings.POWERDESK_NOTIFY_UNDELIVERABLE = ["13800000099"]
    delivered = notification_send(notification_id=enqueue().pk)
    failed = notification_send(notification_id=enqueue(recipient_address="13800000099").pk)
    assert (delivered.delivery_state, delivered.delivery_code) == ("delivered", "DELIVRD")
    assert (failed.delivery_state, failed.delivery_code) == ("failed", "UNDELIV")
    assert failed.state == "sent"  # it left; the gateway could not deliver it


def test_the_http_gateway_leaves_delivery_to_its_callback(gateway):
    sent = notification_send(notification_id=enqueue().pk)
    assert sent.state == "sent" and sent.delivery_state == ""
    assert Notification.objects.get(pk=sent.pk).delivery_at is None


def test_the_order_page_and_answer_show_what_the_gateway_reported(users, customer, outbox, client):
    from tests.api.conftest import client_for
    from tests.workorders.helpers import intake

    # In the day: a customer's message taken in the quiet hours waits for their end (and so would this test).
    with time_machine.travel(DAYTIME, tick=False):
        order = intake(users, customer, business_type="consultation", topic_code="billing")
        [message] = Notification.objects.filter(order=order, recipient_user__isnull=True)
        notification_send(notification_id=message.pk)
    client.force_login(users["agent"])
    page = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    assert "已送达" in page
    detail = client_for(users["agent"]).get(reverse("api-v1-workorder-detail", args=[order.number])).json()
    assert [m["delivery_state"] for m in detail["customer_messages"]] == ["delivered"]
