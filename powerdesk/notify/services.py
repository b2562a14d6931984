"""Writes of the notify app: enqueue notifications with their send jobs, and send each at most once.

The guarantees, and where each comes from:

- *enqueued with its cause*: the enqueue functions write the rows and defer the Procrastinate jobs through
  Django's connection, inside the caller's transaction; a rollback removes both.
- *never twice for one cause*: the unique ``dedupe_key``.
- *rows are the truth, the queue only executes*: a job names the notifications it sends (up to
  :data:`NOTIFICATIONS_PER_JOB` of them); what is sent, to whom and how often is on the rows.
- *never sent by two workers at once*: :func:`notification_send` claims the row with a compare-and-set
  UPDATE (committed before the transport is called), like healthchecks' ``sendalerts``.
- *rendered once*: the text is rendered from the template and the stored context when the row is first
  claimed, and stored before the transport is called; a retry sends that stored text again.
- *at most once after a crash*: a worker killed between the transport call and "mark sent" leaves the row
  in ``sending``; once that claim is stale, a retry re-claims it and sends again with the same
  idempotency key, which the gateway (``out_id``) or the outbox de-duplicates.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.notify.models import Notification, NotificationState, NotifyChannel
from powerdesk.notify.transports import PermanentError, SendResult, TransientError, transport_for
from powerdesk.workorders.models import WorkOrder

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died: the send may be retried. Longer than any
# transport timeout, shorter than the retry schedule of the send task (about six minutes in all).
SENDING_STALE_AFTER = dt.timedelta(minutes=5)

# Notifications one send job delivers, one after another. A job per notification made a 1,000-step
# sweep defer 1,000 jobs; a job per batch of this size keeps the queue small and still lets several
# workers share a storm (a sluggish gateway at ~0.1 s a message takes ~10 s per job).
NOTIFICATIONS_PER_JOB = 100


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
    """Queue one notification and its delivery, in the caller's transaction.

    The row stores ``context`` (JSON-serialisable); its subject and text are rendered from the template
    when it is sent, and stay on the row as sent. Returns ``None`` when nothing is queued: the
    ``dedupe_key`` was used before, or an administrator switched the template off. Raises
    :class:`ValidationFailed` for an unknown channel or template, or an empty address; nothing is written
    then. Safe inside any transaction: the caller's transaction stays usable after a refusal.
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


def notification_enqueue_many(requests: Iterable[Mapping[str, Any]]) -> list[int]:
    """:func:`notification_enqueue` for many notifications at once, set-wise.

    Each request is a dict of ``notification_enqueue``'s keyword arguments. The batch goes to the
    database as one JSON parameter (binding thousands of parameters one by one costs more than the
    insert) and is written by :func:`notification_enqueue_query`: repeats of a ``dedupe_key`` (stored
    before, or earlier in the batch) and switched-off templates are skipped, one send job is deferred
    per :data:`NOTIFICATIONS_PER_JOB` rows. Returns the ids of the notifications created, ascending.
    Invalid input raises :class:`ValidationFailed` before anything is written.
    """
    rows = []
    for request in requests:
        user, order = request.get("recipient_user"), request.get("order")
        rows.append(
            {
                "channel": request["channel"],
                "template_code": request["template_code"],
                "context": request["context"],
                "recipient_user_id": user.pk if user is not None else None,
                "recipient_address": request.get("recipient_address") or "",
                "order_id": order.pk if order is not None else None,
                "dedupe_key": request.get("dedupe_key") or None,
            }
        )
    if not rows:
        return []
    return notification_enqueue_query(
        _ROWS_SOURCE, {"notify_rows": json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False)}
    )


_ROWS_SOURCE = """
SELECT r.channel, r.template_code, r.context, r.recipient_user_id, r.recipient_address, r.order_id,
       r.dedupe_key
FROM ROWS FROM (jsonb_to_recordset(%(notify_rows)s::jsonb) AS (
    channel text, template_code text, context jsonb, recipient_user_id bigint, recipient_address text,
    order_id bigint, dedupe_key text
)) WITH ORDINALITY AS r
ORDER BY r.ordinality
"""


def notification_enqueue_query(source_sql: str, params: Mapping[str, Any] | None = None) -> list[int]:
    """Queue one notification per row of a query, in the caller's transaction, in one statement.

    For set-wise callers whose notifications are already rows in the database: no row passes through
    Python. ``source_sql`` is trusted code, not user input; a SELECT returning the columns
    ``channel, template_code, context (jsonb), recipient_user_id, recipient_address, order_id,
    dedupe_key`` in the order the notifications should be created, with named parameters only (``%(x)s``,
    none starting with ``notify_``). Steps, all in one statement:

    1. check every row: a known channel and template and a non-blank address; any row failing raises
       :class:`ValidationFailed` and nothing is written;
    2. insert the rows of active templates with ``ON CONFLICT (dedupe_key) DO NOTHING``: a key stored
       before or earlier in the query is skipped; a key another transaction is inserting right now waits
       for that transaction, then is skipped if it committed;
    3. defer one ``send_notifications`` job per :data:`NOTIFICATIONS_PER_JOB` rows created, through
       Procrastinate's own SQL entry point on Django's connection (see ``tasks.py``).

    Returns the ids of the notifications created, ascending. A caller that writes more in the same
    statement (the SLA sweep) composes :func:`enqueue_ctes`, :func:`enqueue_values` and
    :func:`enqueue_outcome` itself.
    """
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"WITH {enqueue_ctes(source_sql)} SELECT {ENQUEUE_RESULT}", enqueue_values(params))
        return enqueue_outcome(*cur.fetchone())


def enqueue_ctes(source_sql: str) -> str:
    """The common table expressions of :func:`notification_enqueue_query` for ``source_sql``, to be placed
    in a caller's own ``WITH`` (CTE names ``notify_*``); select :data:`ENQUEUE_RESULT` from them."""
    return _ENQUEUE_CTES.format(source=source_sql)


def enqueue_values(params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``params`` plus the parameters :func:`enqueue_ctes` needs."""
    from powerdesk.notify.tasks import send_notifications  # the task module imports this one

    job = send_notifications.configure().job
    return {
        **(params or {}),
        "notify_channels": list(_CHANNELS),
        "notify_created_at": clock.now(),
        "notify_per_job": NOTIFICATIONS_PER_JOB,
        "notify_queue": job.queue,
        "notify_task": job.task_name,
        "notify_priority": job.priority,
    }


def enqueue_outcome(
    bad_templates: list[str],
    bad_channels: list[str],
    blank_addresses: int,
    off: list[str],
    created: list[int],
    jobs: int | None = None,
) -> list[int]:
    """The ids created, from the :data:`ENQUEUE_RESULT` columns; raises :class:`ValidationFailed` for the
    problems the statement found (it then wrote no notification; the caller's transaction must roll back
    whatever else it wrote)."""
    if bad_channels:
        raise ValidationFailed(_("未知的通知渠道"), code="unknown_channel", fields={"channel": bad_channels})
    if blank_addresses:
        raise ValidationFailed(_("缺少接收地址"), code="no_recipient_address")
    if bad_templates:
        raise ValidationFailed(
            _("通知模板不存在"), code="unknown_template", fields={"template_code": bad_templates}
        )
    if off:
        logger.info("notification templates %s are switched off; nothing queued for them", off)
    return list(created)


_CHANNELS = frozenset(NotifyChannel.values)

# The checks gate the insert (``NOT EXISTS (… invalid …)``), so an invalid batch writes nothing and the
# caller gets a ValidationFailed from the counts. The subject and text stay empty until the send.
_ENQUEUE_CTES = """
notify_source AS MATERIALIZED (
    SELECT s.*, row_number() OVER () AS n, btrim(coalesce(s.recipient_address, '')) AS address
    FROM ({source}) AS s
),
notify_checked AS MATERIALIZED (
    SELECT notify_source.*, t.id AS template_id, t.is_active,
           notify_source.channel = ANY(%(notify_channels)s::text[]) AS channel_ok
    FROM notify_source LEFT JOIN notify_notificationtemplate t ON t.code = notify_source.template_code
),
notify_problems AS MATERIALIZED (
    SELECT coalesce(array_agg(DISTINCT template_code) FILTER (WHERE template_id IS NULL), '{{}}')
               AS templates,
           coalesce(array_agg(DISTINCT channel) FILTER (WHERE NOT channel_ok), '{{}}') AS channels,
           count(*) FILTER (WHERE address = '') AS blank_addresses,
           coalesce(array_agg(DISTINCT template_code) FILTER (WHERE NOT is_active), '{{}}') AS off
    FROM notify_checked
),
notify_inserted AS (
    INSERT INTO notify_notification (
        recipient_user_id, recipient_address, channel, template_id, context, subject, text, order_id,
        dedupe_key, state, attempts, last_error, permanent_error, created_at, provider_message_id
    )
    SELECT c.recipient_user_id, c.address, c.channel, c.template_id, coalesce(c.context, '{{}}'), '', '',
           c.order_id, c.dedupe_key, 'pending', 0, '', false, %(notify_created_at)s, ''
    FROM notify_checked c, notify_problems p
    WHERE c.is_active AND cardinality(p.templates) = 0 AND cardinality(p.channels) = 0
      AND p.blank_addresses = 0
    ORDER BY c.n
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id
),
notify_jobs AS MATERIALIZED (
    SELECT procrastinate_defer_jobs_v1(ARRAY(
        SELECT ROW(%(notify_queue)s, %(notify_task)s, %(notify_priority)s, NULL, NULL,
                   jsonb_build_object('notification_ids', jsonb_agg(b.id ORDER BY b.id)),
                   NULL)::procrastinate_job_to_defer_v1
        FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / %(notify_per_job)s AS k
              FROM notify_inserted) b
        GROUP BY b.k
        ORDER BY b.k
    )) AS ids
)
"""
# What to select from the CTEs, in the order enqueue_outcome takes it (the jobs are selected so that they
# are deferred: an unreferenced CTE that is not a data-modifying statement is not run).
ENQUEUE_RESULT = """
(SELECT templates FROM notify_problems), (SELECT channels FROM notify_problems),
(SELECT blank_addresses FROM notify_problems), (SELECT off FROM notify_problems),
ARRAY(SELECT id FROM notify_inserted ORDER BY id), (SELECT cardinality(ids) FROM notify_jobs)
"""


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
    """Deliver one notification; called by the send tasks.

    1. claim the row (pending, transiently failed, or stuck in ``sending`` past the stale limit) with one
       conditional UPDATE, committed at once, counting the attempt;
    2. if the claim fails: nothing to do when the row is finished (sent, cancelled, permanently failed);
       raise :class:`SendInProgress` when another worker holds a fresh claim, so the job looks again later;
    3. on the first claim, render the subject and text from the template and the stored context and
       store them (a retry sends the stored text, whatever the template says by then); a text that
       renders empty is a permanent error;
    4. call the channel's transport;
    5. mark the row sent, or record the error: transient → ``failed`` and re-raise so the task retries
       with backoff; permanent → ``failed`` with ``permanent_error`` and no retry.

    Returns the notification as it ends up, or ``None`` when the row does not exist (any more).
    """
    now = clock.now()
    if not _claim(notification_id, now):
        notification = Notification.objects.filter(pk=notification_id).first()
        if notification is None or notification.state != NotificationState.SENDING:
            return notification
        raise SendInProgress(f"通知 {notification_id} 正由其他进程发送")
    notification = Notification.objects.select_related("order", "template").get(pk=notification_id)
    try:
        _render(notification)
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


def _render(notification: Notification) -> None:
    """Fill in the subject and text once, from the template as it is at the first send."""
    if notification.text:
        return
    subject, text = notification.template.render(notification.context or {})
    if not text:
        raise PermanentError(_("通知内容为空"))
    notification.subject, notification.text = subject[:200], text
    Notification.objects.filter(pk=notification.pk, state=NotificationState.SENDING).update(
        subject=notification.subject, text=notification.text
    )


def notification_send_batch(*, notification_ids: Iterable[int]) -> dict[str, int]:
    """Deliver the notifications of one send job, one after another (each claimed on its own).

    A row that is finished already (sent by an earlier run of the job, cancelled, failed for good) is
    skipped by its claim. Transient failures do not stop the batch: the rest is still sent, and at the
    end :class:`TransientError` is raised so the job is retried with backoff, which sends only what is
    still unsent. Returns how many rows ended in each state.
    """
    outcome: dict[str, int] = {}
    retry: list[str] = []
    for notification_id in notification_ids:
        try:
            notification = notification_send(notification_id=notification_id)
        except TransientError as exc:
            retry.append(f"{notification_id}: {exc.message}")
            state = "retry"
        else:
            state = notification.state if notification is not None else "missing"
        outcome[state] = outcome.get(state, 0) + 1
    if retry:
        raise TransientError(f"{len(retry)} 条通知待重试：" + "；".join(retry[:5]))
    return outcome


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
