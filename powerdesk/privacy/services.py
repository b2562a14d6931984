"""The writes of retention: the anonymisation run, the holds, and the data-subject requests.

Every write here leaves an audit entry in its own transaction. The timeline's notes and data are
rewritten through ``workorders_event_anonymise`` only (workorders 0023): a function that runs as the
schema's owner and touches nothing but the notes and data of closed orders' events. It is the one path
past the timeline's append-only trigger, and this module is its one caller.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from asgiref.sync import async_to_sync
from django.db import connection, transaction
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app as jobs_app

from powerdesk import audit
from powerdesk.audit.models import AuditEntry
from powerdesk.core import bulk, clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.customers.models import Customer, CustomerPhone
from powerdesk.notify.models import Notification
from powerdesk.org.models import User
from powerdesk.privacy import rules, selectors
from powerdesk.privacy.copies import anonymise_copies
from powerdesk.privacy.models import AnonymisedOrder, RetentionHold, RetentionKind
from powerdesk.workorders.choices import CLOSED_STATUSES
from powerdesk.workorders.models import Attachment, Contact, WorkOrder, WorkOrderEvent

BATCH_SIZE = 500


@dataclass
class RunReport:
    """What one run did (or, dry, would do): rows per kind of data."""

    dry_run: bool
    orders: int = 0
    events: int = 0
    contacts: int = 0
    notifications: int = 0
    contact_phones: int = 0
    attachments: int = 0
    copies: int = 0  # rows of the other apps' copies (surveys, triage, outage calls, complaints)
    audit_entries: int = 0  # audit entries past their period, deleted
    job_history_pruned: bool = False  # finished jobs past their period handed to Procrastinate's delete
    cutoffs: dict[str, str] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "orders": self.orders,
            "events": self.events,
            "contacts": self.contacts,
            "notifications": self.notifications,
            "contact_phones": self.contact_phones,
            "attachments": self.attachments,
            "copies": self.copies,
            "audit_entries": self.audit_entries,
            "job_history_pruned": self.job_history_pruned,
            "cutoffs": self.cutoffs,
        }


COUNTS = (
    "orders",
    "events",
    "contacts",
    "notifications",
    "contact_phones",
    "attachments",
    "copies",
    "audit_entries",
)


# --- anonymising orders ------------------------------------------------------------------------------


def _rewrite_events(rows: list[tuple[int, str, Any]]) -> int:
    """Rewrite these events' notes and data through the owner's function; how many it changed."""
    if not rows:
        return 0
    with connection.cursor() as cur:
        cur.execute(
            "SELECT workorders_event_anonymise(%s::bigint[], %s::text[], %s::jsonb[])",
            [[r[0] for r in rows], [r[1] for r in rows], [json.dumps(r[2]) for r in rows]],
        )
        (changed,) = cur.fetchone()
    return int(changed)


def _known_by_order(
    orders: list[WorkOrder], contacts: list[tuple[int, int, str, str]]
) -> dict[int, tuple[str, ...]]:
    customer_ids = {o.customer_id for o in orders if o.customer_id}
    people = {
        pk: [name, address, id_number]
        for pk, name, address, id_number in Customer.objects.filter(pk__in=customer_ids).values_list(
            "pk", "name", "address", "id_number"
        )
    }
    for customer_id, number in CustomerPhone.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "number"
    ):
        people[customer_id].append(number)
    contact_phones: dict[int, list[str]] = defaultdict(list)
    for _pk, order_id, phone, _summary in contacts:
        contact_phones[order_id].append(phone)
    return {
        o.pk: rules.known_values(
            [
                o.caller_name,
                o.caller_phone,
                o.address,
                *people.get(o.customer_id or 0, []),
                *contact_phones[o.pk],
            ]
        )
        for o in orders
    }


def _anonymise_orders(ids: list[int], now: dt.datetime) -> RunReport:
    """Blank the personal data of the closed orders ``ids`` (locked first, in id order) with their
    timeline, contacts and customer messages, in the caller's transaction; counts."""
    report = RunReport(dry_run=False)
    orders = list(
        WorkOrder.objects.filter(pk__in=ids, status__in=CLOSED_STATUSES)
        .order_by("pk")
        .select_for_update(of=("self",))
        .only(
            "pk",
            "customer_id",
            "caller_name",
            "caller_phone",
            "address",
            "description",
            "result",
            "reply_text",
            "facts",
            "version",
        )
    )
    if not orders:
        return report
    order_ids = [o.pk for o in orders]
    contacts = list(
        Contact.objects.filter(order_id__in=order_ids).values_list("pk", "order_id", "phone", "summary")
    )
    known = _known_by_order(orders, contacts)

    changed_orders = [
        SimpleNamespace(
            id=o.pk,
            caller_name="",
            caller_phone="",
            address="",
            description=rules.scrub_text(o.description, known[o.pk]),
            result=rules.scrub_text(o.result, known[o.pk]),
            reply_text=rules.scrub_text(o.reply_text, known[o.pk]),
            facts=rules.scrub_json(o.facts, known[o.pk]),
            version=o.version + 1,
        )
        for o in orders
    ]
    bulk.bulk_update(
        WorkOrder,
        changed_orders,
        ["caller_name", "caller_phone", "address", "description", "result", "reply_text", "facts", "version"],
    )
    report.orders = len(changed_orders)

    events = []
    for pk, order_id, note, data in WorkOrderEvent.objects.filter(order_id__in=order_ids).values_list(
        "pk", "order_id", "note", "data"
    ):
        new_note, new_data = rules.scrub_text(note, known[order_id]), rules.scrub_json(data, known[order_id])
        if new_note != note or new_data != data:
            events.append((pk, new_note, new_data))
    report.events = _rewrite_events(events)

    changed_contacts = [
        SimpleNamespace(id=pk, phone="", summary=rules.scrub_text(summary, known[order_id]))
        for pk, order_id, phone, summary in contacts
    ]
    bulk.bulk_update(Contact, changed_contacts, ["phone", "summary"])
    report.contacts = len(changed_contacts)

    messages = []
    for pk, order_id, address, text, subject, context in Notification.objects.filter(
        order_id__in=order_ids, recipient_user__isnull=True
    ).values_list("pk", "order_id", "recipient_address", "text", "subject", "context"):
        values = rules.known_values([*known[order_id], address])
        messages.append(
            SimpleNamespace(
                id=pk,
                recipient_address="",
                text=rules.scrub_text(text, values),
                subject=rules.scrub_text(subject, values),
                context=rules.scrub_json(context, values),
            )
        )
    bulk.bulk_update(Notification, messages, ["recipient_address", "text", "subject", "context"])
    report.notifications = len(messages)

    report.copies = anonymise_copies(order_ids, known)

    AnonymisedOrder.objects.bulk_create(
        [AnonymisedOrder(order_id=pk, at=now) for pk in order_ids], ignore_conflicts=True
    )
    return report


def _batches(queryset: Any, size: int) -> Iterable[list[int]]:
    """The ids of ``queryset`` (ordered by id), ``size`` at a time; each batch read afresh after the
    previous one was written, so rows the previous batch changed are not read again."""
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _run_pass(
    kind: str,
    queryset: Any,
    write: Callable[[list[int]], RunReport],
    report: RunReport,
    size: int,
) -> None:
    """Each batch in its own transaction with its audit entry: a run stopped halfway keeps what it did."""
    for ids in _batches(queryset, size):
        with transaction.atomic():
            done = write(ids)
            for name in COUNTS:
                setattr(report, name, getattr(report, name) + getattr(done, name))
            audit.record(
                "retention_anonymised",
                None,
                target=f"privacy.{kind}",
                data={"kind": kind, "first": ids[0], "last": ids[-1], **done.as_data()},
            )


def _blank_contact_phones(ids: list[int]) -> RunReport:
    report = RunReport(dry_run=False)
    report.contact_phones = Contact.objects.filter(pk__in=ids).update(phone="")
    return report


def _blank_notifications(ids: list[int]) -> RunReport:
    report = RunReport(dry_run=False)
    report.notifications = Notification.objects.filter(pk__in=ids).update(
        text="", subject="", recipient_address="", context={}
    )
    return report


def _delete_attachments(ids: list[int]) -> RunReport:
    report = RunReport(dry_run=False)
    rows = list(Attachment.objects.filter(pk__in=ids).select_for_update())
    Attachment.objects.filter(pk__in=[a.pk for a in rows]).delete()
    files = [(a.file.storage, a.file.name) for a in rows if a.file and a.file.name]

    def remove_files() -> None:  # after the commit: a rolled-back batch keeps its files
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)
    report.attachments = len(rows)
    return report


def retention_anonymise(
    *, now: dt.datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> RunReport:
    """Apply the retention periods: for each kind whose period is active, what has expired and no hold
    keeps is blanked (orders' identity with their timeline, contacts and messages; contacts' numbers;
    messages' texts) or deleted (attachments). Statistics stay: no order, event, contact or message is
    removed and no code, unit, time or verdict changes. ``dry_run`` counts and writes nothing but the
    audit entry saying it looked."""
    now = now or clock.now()
    cut = selectors.cutoffs(now)
    report = RunReport(dry_run=dry_run, cutoffs={k: v.isoformat() for k, v in cut.items()})
    passes: list[tuple[str, Any, Callable[[list[int]], RunReport]]] = []
    if RetentionKind.ORDER_IDENTITY in cut:
        passes.append(
            (
                RetentionKind.ORDER_IDENTITY,
                selectors.orders_expired(now, cut[RetentionKind.ORDER_IDENTITY]),
                lambda ids: _anonymise_orders(ids, now),
            )
        )
    if RetentionKind.CONTACT_PHONE in cut:
        passes.append(
            (
                RetentionKind.CONTACT_PHONE,
                selectors.contacts_expired(now, cut[RetentionKind.CONTACT_PHONE]),
                _blank_contact_phones,
            )
        )
    if RetentionKind.NOTIFICATION_TEXT in cut:
        passes.append(
            (
                RetentionKind.NOTIFICATION_TEXT,
                selectors.notifications_expired(now, cut[RetentionKind.NOTIFICATION_TEXT]),
                _blank_notifications,
            )
        )
    if RetentionKind.ATTACHMENT in cut:
        passes.append(
            (
                RetentionKind.ATTACHMENT,
                selectors.attachments_expired(now, cut[RetentionKind.ATTACHMENT]),
                _delete_attachments,
            )
        )
    if RetentionKind.AUDIT_ENTRY in cut:
        passes.append(
            (
                RetentionKind.AUDIT_ENTRY,
                AuditEntry.objects.filter(at__lt=cut[RetentionKind.AUDIT_ENTRY]),
                lambda _ids: RunReport(dry_run=False),  # not by ids: see _expire_audit_entries
            )
        )
    if dry_run:
        counted = {
            RetentionKind.ORDER_IDENTITY: "orders",
            RetentionKind.CONTACT_PHONE: "contact_phones",
            RetentionKind.NOTIFICATION_TEXT: "notifications",
            RetentionKind.ATTACHMENT: "attachments",
            RetentionKind.AUDIT_ENTRY: "audit_entries",
        }
        for kind, queryset, _write in passes:
            setattr(report, counted[RetentionKind(kind)], queryset.count())
        audit.record("retention_anonymised", None, target="privacy.dry_run", data=report.as_data())
        return report
    for kind, queryset, write in passes:
        if kind == RetentionKind.AUDIT_ENTRY:
            _expire_audit_entries(cut[RetentionKind.AUDIT_ENTRY], report, batch_size)
        else:
            _run_pass(kind, queryset, write, report, batch_size)
    if RetentionKind.JOB_HISTORY in cut:
        _prune_job_history(cut[RetentionKind.JOB_HISTORY], now, report)
    return report


def _prune_job_history(before: dt.datetime, now: dt.datetime, report: RunReport) -> None:
    """Delete the background jobs that ended before ``before`` (succeeded, cancelled, aborted) with their
    events, through Procrastinate's own delete: without it every intake's message job, every sweep
    tick and every periodic run stays in its tables for ever (and the job gauges count them all). Its
    age is whole hours counted back from the database's clock, so the period is rounded up to an hour."""
    hours = max(1, math.ceil((now - before).total_seconds() / 3600))
    async_to_sync(jobs_app.job_manager.delete_old_jobs)(
        nb_hours=hours, include_cancelled=True, include_aborted=True
    )
    report.job_history_pruned = True
    audit.record(
        "retention_anonymised",
        None,
        target=f"privacy.{RetentionKind.JOB_HISTORY}",
        data={"kind": RetentionKind.JOB_HISTORY, "before": before.isoformat(), "hours": hours},
    )


def _expire_audit_entries(before: dt.datetime, report: RunReport, size: int) -> None:
    """Delete the audit entries older than ``before``, the oldest first, ``size`` at a time, each batch in
    its own transaction with the entry that says so (which is new, so it stays). The trail refuses DELETE:
    the owner's function ``audit_entry_expire`` (audit 0002) is the one path past its guard."""
    while True:
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SELECT audit_entry_expire(%s, %s)", [before, size])
                (removed,) = cur.fetchone()
            if not removed:
                return
            report.audit_entries += int(removed)
            audit.record(
                "retention_anonymised",
                None,
                target=f"privacy.{RetentionKind.AUDIT_ENTRY}",
                data={
                    "kind": RetentionKind.AUDIT_ENTRY,
                    "before": before.isoformat(),
                    "audit_entries": removed,
                },
            )


# --- holds ---------------------------------------------------------------------------------------------


@transaction.atomic
def retention_hold_place(
    *,
    actor: User,
    reason: str,
    customer: Customer | None = None,
    phone: str = "",
    until: dt.date | None = None,
) -> RetentionHold:
    if customer is None and not phone:
        raise ValidationFailed(_("请指定户号或电话号码。"), fields={"phone": [_("请指定户号或电话号码。")]})
    if not reason.strip():
        raise ValidationFailed(_("请填写原因。"), fields={"reason": [_("请填写原因。")]})
    hold = RetentionHold.objects.create(
        customer=customer,
        phone=phone,
        reason=reason.strip(),
        placed_by=actor,
        placed_at=clock.now(),
        until=until,
    )
    audit.record(
        "retention_hold_placed",
        actor,
        target=hold,
        subject=customer.account_no if customer else phone,
        reason=hold.reason,
        data={"until": until.isoformat() if until else None},
    )
    return hold


@transaction.atomic
def retention_hold_release(*, actor: User, hold: RetentionHold, reason: str) -> RetentionHold:
    locked = RetentionHold.objects.select_for_update().get(pk=hold.pk)
    if locked.released_at is not None:
        return locked
    locked.released_at = clock.now()
    locked.released_by = actor
    locked.save(update_fields=["released_at", "released_by"])
    audit.record(
        "retention_hold_released",
        actor,
        target=locked,
        subject=locked.customer.account_no if locked.customer else locked.phone,
        reason=reason,
    )
    return locked


# --- data-subject requests ----------------------------------------------------------------------------

CORRECTABLE = ("name", "address", "id_number")


def data_subject_export(*, actor: User, subject: selectors.Subject, reason: str, fmt: str) -> dict[str, Any]:
    """What we hold about ``subject``, for a download; recorded in the audit trail (rows, format)."""
    payload = selectors.export_payload(actor, subject)
    rows = sum(len(payload[k]) for k in ("customers", "orders", "contacts", "notifications"))
    audit.record(
        "privacy_export",
        actor,
        target="privacy.subject",
        subject=subject.label,
        reason=reason,
        data={
            "format": fmt,
            "rows": rows,
            **{k: len(payload[k]) for k in ("orders", "contacts", "notifications")},
        },
    )
    return payload


@transaction.atomic
def data_subject_correct(*, actor: User, customer: Customer, field: str, value: str, reason: str) -> Customer:
    """Correct one field of the customer's record at their request (the old value is not kept in the
    audit trail: it is the wrong personal value being removed)."""
    if field not in CORRECTABLE:
        raise ValidationFailed(_("该字段不能在此更正。"), fields={"field": [_("该字段不能在此更正。")]})
    value = value.strip()
    if field == "name" and not value:
        raise ValidationFailed(_("户名不能为空。"), fields={"value": [_("户名不能为空。")]})
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    setattr(locked, field, value)
    locked.full_clean(validate_unique=False, validate_constraints=False)
    locked.save(update_fields=[field])
    audit.record(
        "privacy_correct",
        actor,
        target=locked,
        subject=locked.account_no,
        reason=reason,
        data={"field": field},
    )
    return locked


def data_subject_erase(*, actor: User, subject: selectors.Subject, reason: str) -> RunReport:
    """Anonymise now, whatever the periods, what we hold about ``subject`` where the law allows it: their
    closed orders (with timeline, contacts and messages) and their other messages. Refused while a hold
    applies or an order of theirs is open (the service is still owed). The account itself stays while
    the supply contract runs: correcting it is ``data_subject_correct``'s."""
    now = clock.now()
    holds = selectors.subject_holds(now, subject)
    if holds:
        raise ValidationFailed(
            _("该客户的数据处于保留状态（敏感客户、未办结的投诉或保留冻结），不能删除。"),
            code="retention_hold",
        )
    if selectors.subject_open_orders(subject):
        raise ValidationFailed(_("该客户还有未办结的工单，办结后才能删除。"), code="orders_open")
    report = RunReport(dry_run=False)
    orders = selectors.subject_orders(actor, subject).filter(status__in=CLOSED_STATUSES).order_by("pk")
    done = AnonymisedOrder.objects.values("order_id")
    with transaction.atomic():
        for ids in _batches(orders.exclude(pk__in=done), BATCH_SIZE):
            part = _anonymise_orders(ids, now)
            report.orders += part.orders
            report.events += part.events
            report.contacts += part.contacts
            report.notifications += part.notifications
        report.notifications += selectors.subject_notifications(actor, subject).update(
            text="", subject="", recipient_address="", context={}
        )
        audit.record(
            "privacy_erase",
            actor,
            target="privacy.subject",
            subject=subject.label,
            reason=reason,
            data=report.as_data(),
        )
    return report
