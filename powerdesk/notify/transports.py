"""One transport class per channel, after healthchecks' ``hc/api/transports.py``.

A transport delivers one rendered notification and returns the provider's message id. It raises
:class:`TransientError` when trying again later may work (timeouts, 5xx, rate limits) and
:class:`PermanentError` when it will not (bad number, rejected credentials, missing configuration).

Every transport is idempotent per notification, because a worker can die after the message left but
before the row was marked sent, and the retry will send again:

- the SMS gateway receives the notification id as ``out_id`` and ``Idempotency-Key`` and drops repeats;
- e-mail carries a Message-ID derived from the notification id, which mail systems de-duplicate on;
- the console transport looks the id up in its outbox file and does not write it twice.
"""

from __future__ import annotations

import abc
import datetime as dt
import fcntl
import http.client
import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage

from powerdesk.notify.models import NotifyChannel
from powerdesk.org.masking import present

if TYPE_CHECKING:
    from powerdesk.notify.models import Notification


class TransportError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransientError(TransportError):
    """Worth retrying later."""


class PermanentError(TransportError):
    """Retrying will not help; the error is recorded on the notification."""


@dataclass(frozen=True)
class SendResult:
    provider_id: str


@dataclass(frozen=True)
class Receipt:
    """A delivery receipt: the gateway's word on one message after it left (``state``: sent, delivered,
    failed), when (``at``; none: when it reached us) and the gateway's own status code."""

    notification_id: int
    state: str
    at: dt.datetime | None = None
    code: str = ""


def idempotency_key(notification: Notification) -> str:
    return str(notification.pk)


class Transport(abc.ABC):
    """How a notification leaves: the gateway over HTTP, e-mail, or the demo's outbox file."""

    @abc.abstractmethod
    def send(self, notification: Notification) -> SendResult: ...

    def receipt(self, notification: Notification, result: SendResult) -> Receipt | None:
        """The delivery receipt known as soon as the message left: none for a real gateway, which
        reports later through its status callback (``notify.api.DeliveryReceiptApi``)."""
        return None


class HttpSmsTransport(Transport):
    """POST one message as JSON to the SMS gateway.

    Request: ``{"sign", "phone", "text", "out_id"}`` with the key in ``X-Api-Key`` and the out_id also in
    ``Idempotency-Key``. Answer: any 2xx, ideally ``{"message_id": "…"}``. 408, 429 and 5xx are transient,
    other 4xx permanent.
    """

    timeout = 10

    def __init__(self, *, url: str, api_key: str, sign: str):
        self.url = url
        self.api_key = api_key
        self.sign = sign

    def send(self, notification: Notification) -> SendResult:
        if not self.url:
            raise PermanentError("短信网关未配置（POWERDESK_SMS_URL）")
        out_id = idempotency_key(notification)
        payload = {
            "sign": self.sign,
            "phone": notification.recipient_address,
            "text": notification.text,
            "out_id": out_id,
        }
        request = urllib.request.Request(  # noqa: S310 (the operator's configured gateway URL)
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Api-Key": self.api_key,
                "Idempotency-Key": out_id,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:200].decode(errors="replace")
            message = f"短信网关返回 HTTP {exc.code}：{detail}".rstrip("：")
            if exc.code >= 500 or exc.code in (408, 429):
                raise TransientError(message) from exc
            raise PermanentError(message) from exc
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as exc:
            raise TransientError(f"短信网关连接失败：{exc}") from exc
        return SendResult(provider_id=_message_id(body))


def _message_id(body: bytes) -> str:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return ""
    return str(data.get("message_id", "")) if isinstance(data, dict) else ""


class EmailTransport(Transport):
    """Django e-mail (``EMAIL_BACKEND``, ``EMAIL_HOST`` …)."""

    def send(self, notification: Notification) -> SendResult:
        domain = getattr(settings, "POWERDESK_NOTIFY_MESSAGE_ID_DOMAIN", "powerdesk.local")
        message_id = f"<notification-{idempotency_key(notification)}@{domain}>"
        message = EmailMessage(
            subject=notification.subject or notification.text.splitlines()[0][:60],
            body=notification.text,
            to=[notification.recipient_address],
            headers={"Message-ID": message_id},
        )
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"收件人被拒绝：{exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"邮件发送失败：{exc}") from exc
        return SendResult(provider_id=message_id)


class ConsoleTransport(Transport):
    """Append one JSON line per notification to ``<outbox>/notifications.jsonl``, and print one short
    readable line (the address masked) so the worker's console says what went where without flooding.

    Used by the demo, by tests and for channels without a gateway. The file is locked while it is
    searched and appended to, so two workers cannot both decide that an id is missing.
    """

    filename = "notifications.jsonl"

    def __init__(self, *, outbox: Path):
        self.outbox = Path(outbox)

    @property
    def path(self) -> Path:
        return self.outbox / self.filename

    def send(self, notification: Notification) -> SendResult:
        provider_id = f"console-{notification.pk}"
        line = json.dumps(
            {
                "id": notification.pk,
                "channel": notification.channel,
                "to": notification.recipient_address,
                "subject": notification.subject,
                "text": notification.text,
                "order": notification.order.number if notification.order is not None else None,
            },
            ensure_ascii=False,
        )
        try:
            self.outbox.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+", encoding="utf-8") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                fh.seek(0)
                if any(_line_id(existing) == notification.pk for existing in fh):
                    return SendResult(provider_id=provider_id)
                fh.write(line + "\n")
                fh.flush()
        except OSError as exc:
            raise TransientError(f"写入发件箱失败：{exc}") from exc
        order = notification.order.number if notification.order is not None else "-"
        first_line = (notification.subject or notification.text or "").splitlines()[:1]
        # What the worker's console prints is read by nobody in particular: masked as for a reader
        # without a role (org.masking), the address and any ID or phone number in the text, before the
        # text is cut (a number split by the cut would no longer look like one).
        summary = present(None, "description", first_line[0]).text[:60] if first_line else ""
        to = present(None, "contact_phone", notification.recipient_address).text
        print(
            f"[notify] {notification.channel} to {to} · order {order} · {summary}  ({self.path})",
            flush=True,
        )
        return SendResult(provider_id=provider_id)

    def receipt(self, notification: Notification, result: SendResult) -> Receipt | None:
        """The outbox's simulated receipt, so the demo and the tests see delivery as a gateway reports it:
        delivered, or failed for an address listed in ``POWERDESK_NOTIFY_UNDELIVERABLE``."""
        if notification.recipient_address in settings.POWERDESK_NOTIFY_UNDELIVERABLE:
            return Receipt(notification.pk, "failed", code=SIMULATED_FAILED)
        return Receipt(notification.pk, "delivered", code=SIMULATED_DELIVERED)


# The status codes of the outbox's simulated receipts (the usual SMPP report words).
SIMULATED_DELIVERED = "DELIVRD"
SIMULATED_FAILED = "UNDELIV"


def _line_id(line: str) -> int | None:
    try:
        return json.loads(line).get("id")
    except (ValueError, AttributeError):
        return None


def transport_for(channel: str) -> Transport:
    """The transport for a channel, from settings.

    ``sms``: the HTTP gateway when ``POWERDESK_NOTIFY_TRANSPORT_SMS = "http"``, else the outbox.
    ``email``: Django e-mail. ``wechat`` has no gateway yet and ``console`` is the outbox by definition.
    """
    outbox = ConsoleTransport(outbox=settings.POWERDESK_NOTIFY_OUTBOX)
    if channel == NotifyChannel.SMS:
        if settings.POWERDESK_NOTIFY_TRANSPORT_SMS == "http":
            return HttpSmsTransport(
                url=settings.POWERDESK_SMS_URL,
                api_key=settings.POWERDESK_SMS_KEY,
                sign=settings.POWERDESK_SMS_SIGN,
            )
        return outbox
    if channel == NotifyChannel.EMAIL:
        return EmailTransport()
    if channel in (NotifyChannel.WECHAT, NotifyChannel.CONSOLE):
        return outbox
    raise PermanentError(f"未知的通知渠道：{channel}")
