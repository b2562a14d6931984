"""Writes of the notify app: enqueue notifications with their send jobs, and send each at most once.

The guarantees, and where each comes from:

- *enqueued with its cause*: the enqueue functions write the rows and defer the Procrastinate jobs through
  Django's connection (:mod:`powerdesk.core.jobs`), inside the caller's transaction; a rollback removes
  both.
- *never twice for one cause*: the ``dedupe_key``, unique across months in ``NotificationKey``.
- *rows are the truth, the queue only executes*: a job names the notifications it sends (up to
  :data:`NOTIFICATIONS_PER_JOB` of them); what is sent, to whom and how often is on the rows.
- *never sent by two workers at once*: :func:`notification_send` claims the row with a compare-and-set
  UPDATE (committed before the transport is called), like healthchecks' ``sendalerts``.
- *rendered once*: the text is rendered from the template and the stored context when the row is first
  claimed, and stored before the transport is called; a retry sends that stored text again.
- *secrets never kept*: a one-time code is a ``secret`` of the row, not part of its context: it waits in
  the row's context under :data:`SECRET_CONTEXT` only until the row is finished (sent, failed for good,
  cancelled), when it is dropped. The stored text is rendered with each secret masked
  (:data:`SECRET_MASK`); the text given to the transport is rendered with the secrets, in memory, at
  every attempt. So the clear code lives in the database while the message waits to go out, and after
  that only in the message itself (the gateway, the outbox file that is the demo's phone).
- *at most once after a crash*: a worker killed between the transport call and "mark sent" leaves the row
  in ``sending``, claimed by its job. Procrastinate hands that job out again once the worker stopped
  sending heartbeats (``tasks.retry_stalled_sends``); the job's new run takes its own claim over at once
  and sends again with the same idempotency key, which the gateway (``out_id``) or the outbox
  de-duplicates. A claim held by anything else is taken over only once it is stale
  (:data:`SENDING_STALE_AFTER`): a call outside a job, or a job lost with its row in the queue.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Func, JSONField, Q, Value
from django.utils.translation import gettext as _

from powerdesk.core import bulk, clock, metrics, refcache, sql
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.jobs import defer_in_transaction
from powerdesk.notify import policy
from powerdesk.notify.models import (
    Notification,
    NotificationKey,
    NotificationState,
    NotificationTemplate,
    NotifyChannel,
)
from powerdesk.notify.receipts import delivery_receipts_record
from powerdesk.notify.transports import PermanentError, SendResult, TransientError, transport_for
from powerdesk.workorders.models import WorkOrder

logger = logging.getLogger(__name__)

# A claim older than this belongs to a sender that died: the send may be retried by anyone. Longer than
# any transport timeout, shorter than the retry schedule of the send task (SendRetryPolicy: about 75
# minutes as seeded). The job that made a claim takes it over sooner (see the module's guarantees).
SENDING_STALE_AFTER = dt.timedelta(minutes=5)

# Notifications one send job delivers, one after another. A job per notification made a 1,000-step
# sweep defer 1,000 jobs; a job per batch of this size keeps the queue small and still lets several
# workers share a storm (a sluggish gateway at ~0.1 s a message takes ~10 s per job).
NOTIFICATIONS_PER_JOB = 100

# Where a row's secrets wait until it is sent, and what the stored text shows in their place.
SECRET_CONTEXT = "_secret"
SECRET_MASK = "******"


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
    customer: Any = None,
    suppress: str = "",
    secret: Mapping[str, str] | None = None,
) -> Notification | None:
    """Queue one notification and its delivery, in the caller's transaction.

    The row stores ``context`` (JSON-serialisable); its subject and text are rendered from the template
    when it is sent, and stay on the row as sent. Returns ``None`` when nothing is queued: the
    ``dedupe_key`` was used before, or an administrator switched the template off. A customer's message
    (no ``recipient_user``) obeys the customer's opt-outs and the quiet hours unless its template's
    category is exempt (:mod:`powerdesk.notify.policy`): the row returned is then ``suppressed`` or
    carries a ``send_after``. ``suppress`` (a ``SuppressedReason``) records a message that cannot be
    sent (no number) without an address. Raises
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
        "customer": customer,
        "suppress": suppress,
        "secret": secret,
    }
    created = notification_enqueue_many([request])
    return Notification.objects.select_related("template").get(pk=created[0]) if created else None


def templates_by_code() -> dict[str, NotificationTemplate]:
    """Every template with its category, by code: a few dozen rows read on every intake and sweep."""
    return refcache.get(
        "notify.templates",
        lambda: {t.code: t for t in NotificationTemplate.objects.select_related("category")},
    )


def notification_enqueue_many(requests: Iterable[Mapping[str, Any]]) -> list[int]:
    """:func:`notification_enqueue` for many notifications at once, in a constant number of statements.

    Each request is a dict of ``notification_enqueue``'s keyword arguments (``recipient_user_id``,
    ``order_id`` and ``customer_id`` may stand for the objects). Steps:

    1. check every request (a known channel and template, a non-blank address): any failure raises
       :class:`ValidationFailed` and nothing is written;
    2. leave out requests of switched-off templates;
    3. decide for each customer's message what the opt-outs and the quiet hours say
       (:func:`powerdesk.notify.policy.decide`): send now, send after the quiet hours, or suppressed;
    4. reserve the batch's ``dedupe_key``s in ``NotificationKey``, each bound to a new id from the
       notifications' sequence that its row then takes, in one statement that skips a key stored
       before (``ON CONFLICT DO NOTHING``: a key another transaction is inserting right now waits for
       that transaction, then is skipped if it committed), and insert in one statement the rows
       without a key and the first row of each key reserved (the notifications are partitioned by month:
       the key table holds the key's uniqueness; its trigger finds each key bound to its row, and binds
       or refuses the key of a row written any other way);
    5. defer one ``send_notifications`` job per :data:`NOTIFICATIONS_PER_JOB` rows to send, scheduled at
       their ``send_after``, in the same transaction (:func:`powerdesk.core.jobs.defer_in_transaction`).

    Returns the ids of the notifications created, ascending.
    """
    requests = list(requests)
    if not requests:
        return []
    every_template = templates_by_code()
    templates = {
        r["template_code"]: every_template[r["template_code"]]
        for r in requests
        if r["template_code"] in every_template
    }
    _check(requests, templates)
    now = clock.now()
    live = [r for r in requests if templates[r["template_code"]].is_active]
    off = {r["template_code"] for r in requests} - {r["template_code"] for r in live}
    if off:
        logger.info("notification templates %s are switched off; nothing queued for them", sorted(off))
    decisions = policy.decide(live, templates, now=now)
    rows = [
        {
            "recipient_user_id": _id(request, "recipient_user"),
            "recipient_address": (request.get("recipient_address") or "").strip(),
            "channel": request["channel"],
            "template_id": templates[request["template_code"]].pk,
            "context": _with_secret(request),
            "order_id": _id(request, "order"),
            "customer_id": decision.customer_id,
            "dedupe_key": request.get("dedupe_key") or None,
            "state": NotificationState.SUPPRESSED if decision.suppressed else NotificationState.PENDING,
            "suppressed_reason": decision.suppressed,
            "send_after": decision.send_after,
        }
        for request, decision in zip(live, decisions, strict=True)
    ]
    # The rows and their jobs go or stay together with the caller's transaction (no savepoint of their
    # own: a refusal above wrote nothing, and a failure below fails the caller's transaction anyway).
    with transaction.atomic(savepoint=False):
        rows = _reserve_keys(rows)
        written = bulk.insert_rows(
            Notification, rows, same={"created_at": now}, returning=["state", "send_after"]
        )
        _defer_sends(written, created_at=now)
    return sorted(pk for pk, _state, _send_after in written)


def _reserve_keys(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows to insert: those without a ``dedupe_key``, and the first of each key not stored before,
    which is reserved in ``NotificationKey`` here already bound to the id its row then takes. Bound at
    once, a key row is written once: reserved empty, the notification's insert had to update each key row
    (a new version of it and of its index entry per notification). A batch with keys gets its ids in the
    reservation's statement; its rows without a key then take theirs beforehand too (the rows of one
    insert name the same fields)."""
    first: dict[str, int] = {}  # each key's first row
    for i, row in enumerate(rows):
        if row["dedupe_key"] is not None:
            first.setdefault(row["dedupe_key"], i)
    if not first:
        return rows
    reserved = _reserve(list(first))
    kept = []
    for i, row in enumerate(rows):
        key = row["dedupe_key"]
        if key is None:
            kept.append(row)
        elif key in reserved and first[key] == i:  # a later row of the batch with the key is a repeat
            row["id"] = reserved[key]
            kept.append(row)
    unkeyed = [row for row in kept if "id" not in row]
    if unkeyed and len(unkeyed) < len(kept):
        for row, pk in zip(unkeyed, bulk.new_keys(Notification, len(unkeyed)), strict=True):
            row["id"] = pk
    return kept


def _reserve(keys: list[str]) -> dict[str, int]:
    """Reserve ``keys`` (a key stored before is skipped), each bound to a new id of the notifications'
    sequence: the keys reserved and their ids, in one statement."""
    with sql.cursor() as cur:
        cur.execute(_reserve_statement(), [bulk.key_sequence(Notification), keys], prepare=True)
        return dict(cur.fetchall())


@functools.cache
def _reserve_statement() -> str:
    meta = NotificationKey._meta
    qn = connection.ops.quote_name
    columns = {f.attname: str(f.column) for f in meta.concrete_fields}
    key, bound = qn(columns["dedupe_key"]), qn(columns["notification_id"])
    return (
        f"INSERT INTO {qn(meta.db_table)} ({key}, {bound}) "  # noqa: S608
        "SELECT k, nextval(%s::regclass) FROM unnest(%s::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n "
        f"ON CONFLICT ({key}) DO NOTHING RETURNING {key}, {bound}"
    )


def _defer_sends(written: list[tuple[int, str, dt.datetime | None]], *, created_at: dt.datetime) -> None:
    """One send job per :data:`NOTIFICATIONS_PER_JOB` pending rows (``written``: key, state and
    ``send_after`` of each row inserted), scheduled at their ``send_after``; none for suppressed rows.
    The job carries the rows' ``created_at`` (one for the batch): its reads of the rows, by id, then read
    their month of the partitioned table only."""
    batches: dict[dt.datetime | None, list[int]] = {}
    for pk, state, send_after in written:
        if state == NotificationState.PENDING:
            batches.setdefault(send_after, []).append(pk)
    for send_after, pks in batches.items():
        pks.sort()
        defer_in_transaction(
            send_notifications_task(),
            *(
                {"notification_ids": pks[i : i + NOTIFICATIONS_PER_JOB], "created_at": created_at.isoformat()}
                for i in range(0, len(pks), NOTIFICATIONS_PER_JOB)
            ),
            schedule_at=send_after,
        )


def _with_secret(request: Mapping[str, Any]) -> dict[str, Any]:
    context = dict(request["context"] or {})
    context.pop(SECRET_CONTEXT, None)
    if request.get("secret"):
        context[SECRET_CONTEXT] = {str(k): str(v) for k, v in request["secret"].items()}
    return context


def _without_secret() -> Func:
    """The stored context less its secrets, in SQL (``jsonb - key``): a finished row keeps none."""
    return Func(
        F("context"),
        Value(SECRET_CONTEXT),
        arg_joiner=" - ",
        template="(%(expressions)s)",
        output_field=JSONField(),
    )


def _id(request: Mapping[str, Any], name: str) -> int | None:
    obj = request.get(name)
    return obj.pk if obj is not None else request.get(f"{name}_id")


def _check(requests: list[Mapping[str, Any]], templates: Mapping[str, NotificationTemplate]) -> None:
    known = set(NotifyChannel.values)
    bad_channels = sorted({r["channel"] for r in requests if r["channel"] not in known})
    if bad_channels:
        raise ValidationFailed(_("未知的通知渠道"), code="unknown_channel", fields={"channel": bad_channels})
    # A request marked suppressed (no number to send to) is recorded without an address.
    if any(not (r.get("recipient_address") or "").strip() and not r.get("suppress") for r in requests):
        raise ValidationFailed(_("缺少接收地址"), code="no_recipient_address")
    bad_templates = sorted({r["template_code"] for r in requests if r["template_code"] not in templates})
    if bad_templates:
        raise ValidationFailed(
            _("通知模板不存在"), code="unknown_template", fields={"template_code": bad_templates}
        )


def send_notifications_task() -> Any:
    from powerdesk.notify.tasks import send_notifications  # the task module imports this one

    return send_notifications


def _by_id(notification_id: int, created_at: dt.datetime | None) -> Any:
    """The row ``notification_id``; with its ``created_at`` (what the send job carries) read from its one
    month of the partitioned table, else looked up in every month's primary key."""
    rows = Notification.objects.filter(pk=notification_id)
    return rows.filter(created_at=created_at) if created_at is not None else rows


def _same_row(notification: Notification) -> Any:
    """The stored row of ``notification``, by its key and its month."""
    return Notification.objects.filter(pk=notification.pk, created_at=notification.created_at)


def _claim(
    notification_id: int, now: dt.datetime, job_id: int | None, created_at: dt.datetime | None
) -> bool:
    claimable = (
        Q(state=NotificationState.PENDING)
        | Q(state=NotificationState.FAILED, permanent_error=False)
        | Q(state=NotificationState.SENDING, claimed_at__lt=now - SENDING_STALE_AFTER)
    )
    if job_id is not None:  # an earlier run of this very job, whose worker is gone
        claimable |= Q(state=NotificationState.SENDING, claimed_by_job=job_id)
    # Deferred past the quiet hours: not before then, whoever asks (its own job is scheduled for it).
    due = Q(send_after__isnull=True) | Q(send_after__lte=now)
    claimed = (
        _by_id(notification_id, created_at)
        .filter(claimable, due)
        .update(
            state=NotificationState.SENDING, attempts=F("attempts") + 1, claimed_at=now, claimed_by_job=job_id
        )
    )
    return claimed == 1


def _scrubbed(notification: Notification, error: str) -> str:
    """``error`` with the row's secrets masked: a gateway may echo the text it refused, and the error is
    stored and logged."""
    for value in ((notification.context or {}).get(SECRET_CONTEXT) or {}).values():
        if value:
            error = error.replace(str(value), SECRET_MASK)
    return error


def _record_failure(notification: Notification, error: str, *, permanent: bool) -> None:
    error = _scrubbed(notification, error)
    _same_row(notification).filter(
        state=NotificationState.SENDING, claimed_at=notification.claimed_at
    ).update(
        state=NotificationState.FAILED,
        last_error=error[:2000],
        permanent_error=permanent,
        # A retry needs the secrets; a message that failed for good does not.
        **({"context": _without_secret()} if permanent else {}),
    )
    metrics.NOTIFICATION_FAILURES.labels(notification.channel, str(permanent).lower()).inc()


def _mark_sent(notification: Notification, result: SendResult) -> None:
    _same_row(notification).filter(state=NotificationState.SENDING).update(
        state=NotificationState.SENT,
        sent_at=clock.now(),
        provider_message_id=result.provider_id[:200],
        last_error="",
        context=_without_secret(),
    )


def notification_send(
    *, notification_id: int, job_id: int | None = None, created_at: dt.datetime | None = None
) -> Notification | None:
    """Deliver one notification; called by the send tasks, with the id of the job that runs.

    1. claim the row (pending, transiently failed, stuck in ``sending`` past the stale limit, or in
       ``sending`` under a claim of the same ``job_id``) with one conditional UPDATE, committed at once,
       counting the attempt;
    2. if the claim fails: nothing to do when the row is finished (sent, cancelled, permanently failed);
       raise :class:`SendInProgress` when another worker holds a fresh claim, so the job looks again later;
    3. on the first claim, render the subject and text from the template and the stored context and
       store them (a retry sends the stored text, whatever the template says by then); a text that
       renders empty is a permanent error;
    4. call the channel's transport;
    5. mark the row sent (with the transport's receipt when it knows one at once: the outbox), or
       record the error: transient → ``failed`` and re-raise so the task retries
       with backoff; permanent → ``failed`` with ``permanent_error`` and no retry.

    ``created_at``, when the caller knows it (the send job does), keeps every read and write of the row
    in its month. Returns the notification as it ends up, or ``None`` when the row does not exist (any
    more).
    """
    now = clock.now()
    if not _claim(notification_id, now, job_id, created_at):
        notification = _by_id(notification_id, created_at).first()
        if notification is None or notification.state != NotificationState.SENDING:
            return notification
        raise SendInProgress(f"通知 {notification_id} 正由其他进程发送")
    notification = _by_id(notification_id, created_at).select_related("order", "template").get()
    try:
        _render(notification)
        transport = transport_for(notification.channel)
        result = transport.send(notification)
    except PermanentError as exc:
        logger.warning(
            "notification %s failed permanently: %s", notification_id, _scrubbed(notification, exc.message)
        )
        _record_failure(notification, exc.message, permanent=True)
    except TransientError as exc:
        _record_failure(notification, exc.message, permanent=False)
        raise
    except Exception as exc:
        # An unforeseen error (a bug, a library's own exception): recorded and retried a bounded number
        # of times rather than lost.
        error = _scrubbed(notification, f"{type(exc).__name__}: {exc}")
        logger.exception("notification %s: unexpected error", notification_id)
        _record_failure(notification, error, permanent=False)
        raise TransientError(error) from exc
    else:
        _mark_sent(notification, result)
        receipt = transport.receipt(notification, result)
        if receipt is not None:  # the outbox's simulated receipt, known at once
            delivery_receipts_record(receipts=[receipt])
    return _same_row(notification).get()


def _render(notification: Notification) -> None:
    """Fill in the subject and text once, from the template as it is at the first send, with the row's
    secrets masked; then, for a row with secrets, give the transport the text with them (in memory
    only, at every attempt)."""
    context = dict(notification.context or {})
    secret = context.pop(SECRET_CONTEXT, None) or {}
    if not notification.text:
        masked = {**context, **dict.fromkeys(secret, SECRET_MASK)}
        subject, text = notification.template.render(masked)
        if not text:
            raise PermanentError(_("通知内容为空"))
        notification.subject, notification.text = subject[:200], text
        _same_row(notification).filter(state=NotificationState.SENDING).update(
            subject=notification.subject, text=notification.text
        )
    if secret:
        # The subject stays masked: it is what the outbox prints on the worker's console.
        notification.text = notification.template.render({**context, **secret})[1]


def notification_send_batch(
    *, notification_ids: Iterable[int], job_id: int | None = None, created_at: dt.datetime | None = None
) -> dict[str, int]:
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
            notification = notification_send(
                notification_id=notification_id, job_id=job_id, created_at=created_at
            )
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
        state=NotificationState.CANCELLED, context=_without_secret()
    )
    return cancelled == 1
