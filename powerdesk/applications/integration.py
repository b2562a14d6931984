"""Telling others about an application's steps: the marketing system (营销系统), where the account change
itself is made, and the customer (an SMS at each step, through notify's customer message path).

The marketing system is told through a transport, as notify's are built (one class per way of sending,
errors transient or permanent, idempotent per message): :class:`HttpMarketingTransport` POSTs JSON to
``POWERDESK_MARKETING_URL``; :class:`OutboxMarketingTransport` appends a line to
``<outbox>/marketing.jsonl`` (demo, tests, and any deployment without the endpoint). The job
(:func:`powerdesk.applications.tasks.notify_marketing`) is deferred in the step's transaction.
"""

from __future__ import annotations

import abc
import fcntl
import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from powerdesk.core.jobs import defer_in_transaction
from powerdesk.notify.models import NotifyChannel, SuppressedReason
from powerdesk.notify.services import notification_enqueue_many
from powerdesk.notify.transports import PermanentError, TransientError

if TYPE_CHECKING:
    from powerdesk.applications.models import Application, ApplicationStep, ReturnReason

STEP_TEMPLATE = "application_step"  # notify.NotificationTemplate seeded by applications 0002
RETURNED_TEMPLATE = "application_step_returned"  # seeded by applications 0005
NOTICE_TEMPLATE = "application_notice"  # seeded by applications 0008


# --- the marketing system ---------------------------------------------------------------------------


class MarketingTransport(abc.ABC):
    @abc.abstractmethod
    def send(self, message: dict[str, Any]) -> str:
        """Deliver one step message (``message["id"]`` is its idempotency key); the receiver's id."""


class HttpMarketingTransport(MarketingTransport):
    """POST the message as JSON, the key in ``X-Api-Key`` and the message id in ``Idempotency-Key``
    (the receiver drops repeats). 408, 429 and 5xx are transient, other 4xx permanent."""

    timeout = 10

    def __init__(self, *, url: str, api_key: str):
        self.url = url
        self.api_key = api_key

    def send(self, message: dict[str, Any]) -> str:
        if not self.url:
            raise PermanentError("营销系统接口未配置（POWERDESK_MARKETING_URL）")
        request = urllib.request.Request(  # noqa: S310 (the operator's configured endpoint)
            self.url,
            data=json.dumps(message, ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Api-Key": self.api_key,
                "Idempotency-Key": str(message["id"]),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            text = f"营销系统返回 HTTP {exc.code}"
            if exc.code >= 500 or exc.code in (408, 429):
                raise TransientError(text) from exc
            raise PermanentError(text) from exc
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as exc:
            raise TransientError(f"营销系统连接失败：{exc}") from exc
        try:
            return str(json.loads(body).get("id") or message["id"])
        except (ValueError, AttributeError):
            return str(message["id"])


class OutboxMarketingTransport(MarketingTransport):
    """Append one JSON line per message to ``<outbox>/marketing.jsonl``, once per id (locked while
    searched and written, so two workers cannot both write it)."""

    filename = "marketing.jsonl"

    def __init__(self, *, outbox: Path):
        self.path = Path(outbox) / self.filename

    def send(self, message: dict[str, Any]) -> str:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+", encoding="utf-8") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                fh.seek(0)
                for line in fh:
                    try:
                        if json.loads(line).get("id") == message["id"]:
                            return f"outbox-{message['id']}"
                    except ValueError:
                        continue
                fh.write(json.dumps(message, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise TransientError(f"写入营销系统发件箱失败：{exc}") from exc
        return f"outbox-{message['id']}"


def marketing_transport() -> MarketingTransport:
    if settings.POWERDESK_MARKETING_TRANSPORT == "http":
        return HttpMarketingTransport(
            url=settings.POWERDESK_MARKETING_URL, api_key=settings.POWERDESK_MARKETING_KEY
        )
    return OutboxMarketingTransport(outbox=settings.POWERDESK_NOTIFY_OUTBOX)


def step_message(step: ApplicationStep) -> dict[str, Any]:
    """What the marketing system is told when a step completes (codes; the account number)."""
    application = step.application
    order = application.order
    return {
        "id": f"step-{step.pk}",
        "order": order.number,
        "account_no": order.customer.account_no if order.customer is not None else "",
        "kind": application.kind.code,
        "step": step.template.code,
        "round": step.round,
        "result": step.result,
        "done_at": step.done_at.isoformat() if step.done_at else None,
        "completed": application.state == "completed",
    }


def marketing_send(*, step_id: int) -> str:
    """Send the step's message (the job's body)."""
    from powerdesk.applications.models import ApplicationStep

    step = ApplicationStep.objects.select_related(
        "template", "application__kind", "application__order__customer"
    ).get(pk=step_id)
    return marketing_transport().send(step_message(step))


def enqueue_step_done(*, application: Application, step: ApplicationStep) -> None:
    """Defer the marketing system's message, in the step's transaction."""
    from powerdesk.applications.tasks import notify_marketing

    defer_in_transaction(notify_marketing, {"step_id": step.pk})


# --- the customer -----------------------------------------------------------------------------------


def _address(application: Application) -> str:
    order = application.order
    return order.caller_phone or (order.customer.primary_phone if order.customer is not None else "")


def _enqueue(application: Application, template: str, items: list[tuple[dict[str, Any], str]]) -> None:
    """One SMS per (context, dedupe key) through notify's enqueue path: opt-outs and quiet hours apply
    there, and each key is told once."""
    order = application.order
    address = _address(application)
    notification_enqueue_many(
        {
            "channel": NotifyChannel.SMS,
            "template_code": template,
            "context": context,
            "recipient_address": address,
            "order_id": order.pk,
            "customer_id": order.customer_id,
            "dedupe_key": key,
            "suppress": "" if address else SuppressedReason.NO_NUMBER,
        }
        for context, key in items
    )


def _base(application: Application) -> dict[str, Any]:
    return {"order_number": application.order.number, "kind": application.kind.name}


def _step_context(step: ApplicationStep) -> dict[str, Any]:
    # customer_side: the step is the customer's to do (the template asks them rather than tells them)
    return {"step": step.template.name, "due_at": _day(step), "customer_side": step.side == "customer"}


def enqueue_step_messages(*, application: Application, steps: Sequence[ApplicationStep], event: str) -> None:
    """An SMS to the customer for each step that started (or for the completion)."""
    base = _base(application)
    if event == "completed":
        items = [({**base, "step": "", "completed": True}, f"application:{application.pk}:completed")]
    else:
        items = [
            ({**base, **_step_context(s), "completed": False}, f"application:step:{s.pk}") for s in steps
        ]
    _enqueue(application, STEP_TEMPLATE, items)


def enqueue_notice(*, application: Application, documents: Sequence[str]) -> None:
    """The 一次性告知 list by SMS, when that is how it is given (``notice_channel`` sms): every document
    the application needs, at once; told once per application and kind (a changed kind's list again)."""
    context = {**_base(application), "documents": "、".join(documents)}
    _enqueue(
        application,
        NOTICE_TEMPLATE,
        [(context, f"application:{application.pk}:notice:{application.kind.code}")],
    )


def enqueue_step_returned(
    *,
    application: Application,
    returned: ApplicationStep,
    started: Sequence[ApplicationStep],
    reason: ReturnReason,
) -> None:
    """One SMS when a step is sent back: which step the application returns to, why (the return reason's
    wording for the customer; the staff's note is never sent), by when; told once per return (the key of
    the step sent back: a step run is sent back at most once)."""
    if not started:
        return
    first = min(started, key=lambda s: (s.template.seq, s.template_id))
    context = {
        **_base(application),
        **_step_context(first),
        "from_step": returned.template.name,
        "reason": reason.customer_text,
    }
    _enqueue(application, RETURNED_TEMPLATE, [(context, f"application:returned:{returned.pk}")])


def _day(step: ApplicationStep) -> str:
    from django.utils import timezone

    return timezone.localtime(step.due_at).strftime("%Y-%m-%d")
