"""The SMS gateway over HTTP: success, transient and permanent failures, and the idempotency key."""

from __future__ import annotations

import socket

import pytest

from powerdesk.notify.models import NotificationState
from powerdesk.notify.services import notification_send
from powerdesk.notify.transports import TransientError
from tests.notify.helpers import enqueue

pytestmark = pytest.mark.django_db


def test_a_200_marks_the_notification_sent_with_the_gateways_message_id(gateway):
    notification = enqueue()
    notification = notification_send(notification_id=notification.pk)
    assert notification.state == NotificationState.SENT and notification.attempts == 1
    assert notification.provider_message_id == "gw-1" and notification.sent_at is not None
    [request] = gateway.requests
    assert request["body"] == {
        "sign": "国网青溪供电",
        "phone": "13800000001",
        "text": notification.text,
        "out_id": str(notification.pk),
    }
    assert request["headers"]["x-api-key"] == "test-key"
    assert request["headers"]["idempotency-key"] == str(notification.pk)


def test_a_500_is_transient_counted_and_the_retry_succeeds(gateway):
    gateway.answers = [500]
    notification = enqueue()
    with pytest.raises(TransientError):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.state == NotificationState.FAILED and not notification.permanent_error
    assert notification.attempts == 1 and "HTTP 500" in notification.last_error

    notification = notification_send(notification_id=notification.pk)
    assert notification.state == NotificationState.SENT and notification.attempts == 2
    assert notification.last_error == ""
    assert [r["body"]["out_id"] for r in gateway.requests] == [str(notification.pk)] * 2


def test_a_400_is_permanent_and_never_retried(gateway):
    gateway.answers = [400]
    notification = enqueue()
    notification = notification_send(notification_id=notification.pk)  # no exception: nothing to retry
    assert notification.state == NotificationState.FAILED and notification.permanent_error
    assert "HTTP 400" in notification.last_error

    again = notification_send(notification_id=notification.pk)
    assert again.attempts == 1 and len(gateway.requests) == 1


def test_429_is_transient(gateway):
    gateway.answers = [429]
    notification = enqueue()
    with pytest.raises(TransientError):
        notification_send(notification_id=notification.pk)


def test_an_unreachable_gateway_is_transient(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    settings.POWERDESK_NOTIFY_TRANSPORT_SMS = "http"
    settings.POWERDESK_SMS_URL = f"http://127.0.0.1:{port}/sms"
    notification = enqueue()
    with pytest.raises(TransientError):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.state == NotificationState.FAILED and "连接失败" in notification.last_error


def test_a_gateway_without_a_url_is_a_permanent_error(settings):
    settings.POWERDESK_NOTIFY_TRANSPORT_SMS = "http"
    settings.POWERDESK_SMS_URL = ""
    notification = notification_send(notification_id=enqueue().pk)
    assert notification.permanent_error and "POWERDESK_SMS_URL" in notification.last_error
