"""Writes of the notify app: enqueue a notification with its send job, and send one exactly once.

The guarantees, and where each comes from:

- *enqueued with its cause*: :func:`notification_enqueue` writes the row and defers the Procrastinate job
  through Django's connection, inside the caller's transaction; a rollback removes both.
- *never twice for one cause*: the unique ``dedupe_key``.
- *never sent by two workers at once*: :func:`notification_send` claims the row with a compare-and-set
  UPDATE (committed before the transport is called), like healthchecks' ``sendalerts``.
- *at most once after a crash*: a worker killed between the transport call and "mark sent" leaves the row
  in ``sending``; once that claim is stale, a retry re-claims it and sends again with the same
  idempotency key, which the gateway (``out_id``) or the outbox de-duplicates.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.notify.models import (
    Notification,
    NotificationState,
    NotificationTemplate,
    NotifyChannel,
)
from powerdesk.notify.transports import PermanentError, SendResult, TransientError, transport_for
from powerdesk.workorders.models import WorkOrder

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died: the send may be retried. Longer than any
# transport timeout, shorter than the retry schedule of the send task (about six minutes in all).
SENDING_STALE_AFTER = dt.timedelta(minutes=5)


class SendInProgress(TransientError):
    """Another worker holds a fresh claim on the row; try later, when it is sent or its claim is stale."""


def notification_enqueue(
    *,
    channel: str,
    template_code: str,
    context: dict[str, Any],
    recipient_user: Any = None,
    recipient_address: str = "",
    order: WorkOrder | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Render a template now and queue its delivery, in the caller's transaction.

    Returns ``None`` when nothing is queued: the ``dedupe_key`` was used before, or an administrator
    switched the template off. ``context`` must be JSON-serialisable (it is stored for the record).
    Raises :class:`ValidationFailed` for an unknown channel or template, or an empty address or text.
    """
    request = {
        "channel": channel,
        "template_code": template_code,
        "context": context,
        "recipient_user": recipient_user,
        "recipient_address": recipient_address,
        "order": order,
        "dedupe_key": dedupe_key,
    }
    created = notification_enqueue_many([request])
    return Notification.objects.select_related("template").get(pk=created[0]) if created else None


def notification_enqueue_many(requests: Iterable[dict[str, Any]]) -> list[int]:
    """:func:`notification_enqueue` for many notifications at once, set-wise (the SLA sweep's path).

    Each request is a dict of ``notification_enqueue``'s keyword arguments. Steps:

    1. validate every request, with the templates it names loaded in one query; drop requests for a
       switched-off template and repeats of a ``dedupe_key`` earlier in the batch; render the rest;
    2. insert the rows with ``ON CONFLICT (dedupe_key) DO NOTHING`` in one statement, the batch passed as
       one JSON parameter (binding thousands of parameters one by one costs more than the insert). A key
       stored before is skipped; a key another transaction is inserting right now waits for that
       transaction, then is skipped if it committed;
    3. defer one send job per inserted row, in one statement; both in the caller's transaction.

    Returns the ids of the notifications created, ascending. Invalid input raises before anything is
    written.
    """
    from powerdesk.notify.tasks import defer_sends_in_transaction  # the task module imports this one

    rows = _prepare(list(requests))
    if not rows:
        return []
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(_INSERT, {"rows": json.dumps(rows, cls=DjangoJSONEncoder), "created_at": clock.now()})
        created = sorted(pk for (pk,) in cur.fetchall())
        defer_sends_in_transaction(notification_ids=created)
    return created


_INSERT = """
INSERT INTO notify_notification (
    recipient_user_id, recipient_address, channel, template_id, context, subject, text, order_id,
    dedupe_key, state, attempts, last_error, permanent_error, created_at, provider_message_id
)
SELECT r.recipient_user_id, r.recipient_address, r.channel, r.template_id, r.context, r.subject, r.text,
       r.order_id, r.dedupe_key, 'pending', 0, '', false, %(created_at)s, ''
FROM ROWS FROM (jsonb_to_recordset(%(rows)s::jsonb) AS (
    recipient_user_id bigint, recipient_address text, channel text, template_id bigint, context jsonb,
    subject text, text text, order_id bigint, dedupe_key text
)) WITH ORDINALITY AS r
ORDER BY r.ordinality
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id
"""
_CHANNELS = frozenset(NotifyChannel.values)


def _prepare(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate and render: one row of ``notify_notification`` per request to insert."""
    codes = {r["template_code"] for r in requests}
    templates = {t.code: t for t in NotificationTemplate.objects.filter(code__in=codes)}
    seen: set[str] = set()
    rows = []
    for request in requests:
        channel, code, key = request["channel"], request["template_code"], request.get("dedupe_key") or None
        address = (request.get("recipient_address") or "").strip()
        template = _validated_template(channel, code, address, templates.get(code))
        if not template.is_active or (key and key in seen):
            continue
        if key:
            seen.add(key)
        subject, text = template.render(request["context"])
        if not text:
            raise ValidationFailed(
                _("通知内容为空"), code="empty_notification", fields={"template_code": [code]}
            )
        user, order = request.get("recipient_user"), request.get("order")
        rows.append(
            {
                "recipient_user_id": user.pk if user is not None else None,
                "recipient_address": address,
                "channel": channel,
                "template_id": template.pk,
                "context": request["context"],
                "subject": subject[:200],
                "text": text,
                "order_id": order.pk if order is not None else None,
                "dedupe_key": key,
            }
        )
    return rows


def _validated_template(
    channel: str, code: str, address: str, template: NotificationTemplate | None
) -> NotificationTemplate:
    if channel not in _CHANNELS:
        raise ValidationFailed(_("未知的通知渠道"), code="unknown_channel", fields={"channel": [channel]})
    if not address:
        raise ValidationFailed(_("缺少接收地址"), code="no_recipient_address")
    if template is None:
        raise ValidationFailed(_("通知模板不存在"), code="unknown_template", fields={"template_code": [code]})
    if not template.is_active:
        logger.info("notification template %s is switched off; nothing queued", code)
    return template


def _claim(notification_id: int, now: dt.datetime) -> bool:
    claimable = (
        Q(state=NotificationState.PENDING)
        | Q(state=NotificationState.FAILED, permanent_error=False)
        | Q(state=NotificationState.SENDING, claimed_at__lt=now - SENDING_STALE_AFTER)
    )
    claimed = Notification.objects.filter(claimable, pk=notification_id).update(
        state=NotificationState.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    return claimed == 1


def _record_failure(notification: Notification, error: str, *, permanent: bool) -> None:
    Notification.objects.filter(
        pk=notification.pk, state=NotificationState.SENDING, claimed_at=notification.claimed_at
    ).update(state=NotificationState.FAILED, last_error=error[:2000], permanent_error=permanent)


def _mark_sent(notification: Notification, result: SendResult) -> None:
    Notification.objects.filter(pk=notification.pk, state=NotificationState.SENDING).update(
        state=NotificationState.SENT,
        sent_at=clock.now(),
        provider_message_id=result.provider_id[:200],
        last_error="",
    )


def notification_send(*, notification_id: int) -> Notification | None:
    """Deliver one notification; called by the ``send_notification`` task.

    1. claim the row (pending, transiently failed, or stuck in ``sending`` past the stale limit) with one
       conditional UPDATE, committed at once, counting the attempt;
    2. if the claim fails: nothing to do when the row is finished (sent, cancelled, permanently failed);
       raise :class:`SendInProgress` when another worker holds a fresh claim, so the job looks again later;
    3. call the channel's transport;
    4. mark the row sent, or record the error: transient → ``failed`` and re-raise so the task retries
       with backoff; permanent → ``failed`` with ``permanent_error`` and no retry.

    Returns the notification as it ends up, or ``None`` when the row does not exist (any more).
    """
    now = clock.now()
    if not _claim(notification_id, now):
        notification = Notification.objects.filter(pk=notification_id).first()
        if notification is None or notification.state != NotificationState.SENDING:
            return notification
        raise SendInProgress(f"通知 {notification_id} 正由其他进程发送")
    notification = Notification.objects.select_related("order").get(pk=notification_id)
    try:
        transport = transport_for(notification.channel)
        result = transport.send(notification)
    except PermanentError as exc:
        logger.warning("notification %s failed permanently: %s", notification_id, exc.message)
        _record_failure(notification, exc.message, permanent=True)
    except TransientError as exc:
        _record_failure(notification, exc.message, permanent=False)
        raise
    except Exception as exc:
        # An unforeseen error (a bug, a library's own exception): recorded and retried a bounded number
        # of times rather than lost.
        logger.exception("notification %s: unexpected error", notification_id)
        _record_failure(notification, f"{type(exc).__name__}: {exc}", permanent=False)
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc
    else:
        _mark_sent(notification, result)
    notification.refresh_from_db()
    return notification


def notification_cancel(*, notification_id: int) -> bool:
    """Withdraw a notification that has not gone out (e.g. the order was closed meanwhile).

    Only a pending or transiently failed row is cancelled; one being sent, sent, or permanently failed is
    left as it is. Returns whether the row was cancelled. Its queued job then finds nothing to send.
    """
    cancellable = Q(state=NotificationState.PENDING) | Q(
        state=NotificationState.FAILED, permanent_error=False
    )
    cancelled = Notification.objects.filter(cancellable, pk=notification_id).update(
        state=NotificationState.CANCELLED
    )
    return cancelled == 1
