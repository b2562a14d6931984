"""E-mail through Django's mail settings; the console outbox; the transport chosen per channel."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from powerdesk.notify.models import NotificationState
from powerdesk.notify.services import notification_send
from powerdesk.notify.transports import (
    ConsoleTransport,
    EmailTransport,
    HttpSmsTransport,
    PermanentError,
    TransientError,
    transport_for,
)
from tests.notify.conftest import outbox_lines
from tests.notify.helpers import enqueue

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"no such user")})


class DownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


def test_an_email_notification_goes_out_with_its_subject_and_a_stable_message_id():
    notification = enqueue(
        channel="email", recipient_address="head@example.com", template_code="sla_escalated"
    )
    notification = notification_send(notification_id=notification.pk)
    [message] = mail.outbox
    assert message.to == ["head@example.com"] and message.subject == notification.subject
    assert message.body == notification.text
    assert message.extra_headers["Message-ID"] == notification.provider_message_id
    assert str(notification.pk) in notification.provider_message_id
    assert notification.state == NotificationState.SENT


def test_a_refused_recipient_is_permanent_and_a_server_that_is_down_transient(settings):
    settings.EMAIL_BACKEND = "tests.notify.test_email_and_console.RefusingBackend"
    refused = enqueue(channel="email", recipient_address="x@example.com")
    refused = notification_send(notification_id=refused.pk)
    assert refused.state == NotificationState.FAILED and refused.permanent_error

    settings.EMAIL_BACKEND = "tests.notify.test_email_and_console.DownBackend"
    down = enqueue(channel="email", recipient_address="x@example.com")
    with pytest.raises(TransientError):
        notification_send(notification_id=down.pk)
    down.refresh_from_db()
    assert down.state == NotificationState.FAILED and not down.permanent_error


def test_the_console_transport_writes_one_line_per_notification_and_skips_a_repeat(outbox, capsys):
    notification = notification_send(notification_id=enqueue(channel="console").pk)
    capsys.readouterr()
    outbox.unlink()
    transport = transport_for("console")
    first = transport.send(notification)
    second = transport.send(notification)
    assert first == second
    assert [line["id"] for line in outbox_lines(outbox)] == [notification.pk]
    assert capsys.readouterr().out.count("[notify]") == 1  # one line, not one for the repeat


def test_the_transport_follows_the_channel_and_the_sms_setting(settings, tmp_path):
    settings.POWERDESK_NOTIFY_OUTBOX = tmp_path
    settings.POWERDESK_NOTIFY_TRANSPORT_SMS = "console"
    assert isinstance(transport_for("sms"), ConsoleTransport)
    settings.POWERDESK_NOTIFY_TRANSPORT_SMS = "http"
    assert isinstance(transport_for("sms"), HttpSmsTransport)
    assert isinstance(transport_for("email"), EmailTransport)
    assert isinstance(transport_for("wechat"), ConsoleTransport)
    with pytest.raises(PermanentError):
        transport_for("fax")


def test_the_console_line_shows_no_whole_phone_number(outbox, capsys):
    """The console log is read by whoever runs the demo: no phone number in it is shown whole, neither
    the address nor one the text carries (templates are data; an order's context may name a phone)."""
    notification = notification_send(
        notification_id=enqueue(
            channel="console", recipient_address="13800000001", context={"recipient": "客户 13912345678"}
        ).pk
    )
    notification.subject = "客户 13912345678 / 0571-88776655 来电催办"
    printed = ""
    outbox.unlink()
    capsys.readouterr()
    transport_for("console").send(notification)
    printed = capsys.readouterr().out
    assert "[notify]" in printed
    for whole in ("13800000001", "13912345678", "88776655"):
        assert whole not in printed, printed
    assert "139****5678" in printed


def test_the_console_transport_prints_personal_data_masked(outbox, capsys):
    notification = notification_send(notification_id=enqueue(channel="console").pk)
    notification.recipient_address = "13812345678"
    notification.subject = ""
    notification.text = "客户身份证330100199001011234，电话13912345678"
    capsys.readouterr()
    outbox.unlink()
    transport_for("console").send(notification)
    printed = capsys.readouterr().out
    assert "138****5678" in printed and "13812345678" not in printed
    assert "330100199001011234" not in printed and "13912345678" not in printed
