"""Delivery receipts onto outage notices: notify reports what the gateway said of its messages (its
``delivery_reported`` registry, in the receipt's transaction); each ``OutageNotice`` that points at one
of those messages takes its state (sent, delivered, failed), its times, and is judged late or not again.

The outage's timeline gets one event per receipt batch only when a notice failed (the dispatcher must
find another way to tell that customer); a delivered notice is shown on the notice itself, not as one
timeline line per customer. A change of the outage's lateness flag is an event of its own
(``services.notices_flag``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.outages import rules
from powerdesk.outages.models import NoticeState, Outage, OutageNotice
from powerdesk.outages.services import event_write, notices_flag

if TYPE_CHECKING:
    from powerdesk.notify.models import Notification

EVENT_NOTICES_FAILED = "notices_failed"


def notice_delivery_apply(
    notice: OutageNotice, *, state: str, at: dt.datetime, sent_at: dt.datetime | None, now: dt.datetime
) -> None:
    """Put what the gateway reported on ``notice`` (unsaved): state, when it left, when it arrived, late."""
    notice.state = state
    if state in (NoticeState.SENT, NoticeState.DELIVERED, NoticeState.FAILED) and notice.sent_at is None:
        notice.sent_at = sent_at or at
    if state == NoticeState.DELIVERED:
        notice.delivered_at = at
    notice.late = rules.notice_is_late(due_by=notice.due_by, sent_at=notice.sent_at, now=now) or (
        state == NoticeState.FAILED and notice.due_by < now
    )


def notice_delivery_record(
    *, notice: OutageNotice, state: str, at: dt.datetime | None = None
) -> OutageNotice:
    """What the gateway reported for one notice (sent, delivered, failed), entered by hand; lateness is
    judged again."""
    if state not in (NoticeState.SENT, NoticeState.DELIVERED, NoticeState.FAILED):
        raise ValidationFailed(_("送达状态无效。"), fields={"state": [_("送达状态无效。")]})
    at = at or clock.now()
    with transaction.atomic():
        notice = OutageNotice.objects.select_for_update().select_related("outage").get(pk=notice.pk)
        notice_delivery_apply(notice, state=state, at=at, sent_at=None, now=at)
        notice.save()
        event_write(notice.outage, "notice_delivery", at=at, notice=notice.pk, state=state, late=notice.late)
        notices_flag(outage=notice.outage, now=at)
    return notice


def notices_delivery_reported(notifications: Sequence[Notification]) -> None:
    """The ``delivery_reported`` hook: the notices pointing at ``notifications`` take their delivery."""
    by_id = {n.pk: n for n in notifications if n.delivery_state}
    if not by_id:
        return
    now = clock.now()
    notices = list(
        OutageNotice.objects.select_for_update(of=("self",))
        .filter(notification_id__in=list(by_id))
        .order_by("pk")
    )
    if not notices:
        return
    failed: dict[int, int] = {}
    relate: set[int] = set()
    for notice in notices:
        message = by_id[notice.notification_id or 0]
        was_late = notice.late
        notice_delivery_apply(
            notice,
            state=message.delivery_state,
            at=message.delivery_at or now,
            sent_at=message.sent_at,
            now=now,
        )
        if notice.state == NoticeState.FAILED:
            failed[notice.outage_id] = failed.get(notice.outage_id, 0) + 1
        if notice.late != was_late or notice.state == NoticeState.FAILED:
            relate.add(notice.outage_id)
    OutageNotice.objects.bulk_update(notices, ["state", "sent_at", "delivered_at", "late"])
    for outage in Outage.objects.filter(pk__in=set(failed) | relate).order_by("pk"):
        if outage.pk in failed:
            event_write(outage, EVENT_NOTICES_FAILED, at=now, count=failed[outage.pk])
        notices_flag(outage=outage, now=now)
