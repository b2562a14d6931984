"""Judgments of the demo's archived complaints, so that the dashboards' verdict mix and the monthly
report's valid complaints have something to show.

Why this exists: the replay closes complaints the way a hotline closes them (reply, callback, archive)
without the manager's judgment, and ``complaints.services.complaint_judge`` refuses an archived order; the
older history (``demo/history.py``) copies orders without their complaint records. So without this step
only the two open complaints that ``demo/complaints.py`` judges have a verdict, and every past month's
verdict mix reads zero.

Each archived complaint with a record is judged by its checklist as it stood, a little before it was
archived: most are 成立 (every criterion met), the rest 待补证 (one criterion not yet established) — a
不成立 would have downgraded the order to 意见 or 咨询, which an archived order no longer can be. The
verdict comes from ``complaints.rules.verdict`` (the one home of that rule) and each judgment writes its
one timeline event, as the service does. Bulk inserts: the demo load stays fast."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from powerdesk.complaints import rules
from powerdesk.complaints.models import Checklist, ComplaintRecord, Judgment
from powerdesk.complaints.services import JUDGED, checklist_of, criterion_specs
from powerdesk.core import bulk
from powerdesk.org.models import User
from powerdesk.workorders.choices import BusinessType, Status
from powerdesk.workorders.models import WorkOrderEvent

VALID_SHARE = 0.7
BEFORE_ARCHIVE = dt.timedelta(hours=2)
NOTES = {rules.VALID: "核实属实，已落实整改", rules.PENDING: "现场记录不全，待调取录音后再定"}


def judge_archived_complaints(rng: random.Random) -> int:
    """Judge every archived complaint that has a record and no judgment; how many were judged."""
    actor = User.objects.filter(role__code="manager", is_active=True).order_by("pk").first()
    if actor is None:
        return 0
    records = list(
        ComplaintRecord.objects.filter(
            order__status=Status.ARCHIVED,
            order__business_type=BusinessType.COMPLAINT,
            judgments__isnull=True,
        )
        .select_related("order")
        # By number, not id: a parallel load gives the same orders other ids, and the random draws must
        # fall on the same orders whatever the number of workers.
        .order_by("order__number")
    )
    checklists: dict[int, Checklist] = {}
    judgments: list[Judgment] = []
    for record in records:
        checklist = checklist_of(record.order, record)
        if checklist is None:
            continue
        checklists.setdefault(checklist.pk, checklist)
        criteria = list(checklist.criteria.all())
        answers = dict.fromkeys((c.code for c in criteria), rules.YES)
        if criteria and rng.random() >= VALID_SHARE:
            answers[rng.choice(criteria).code] = rules.UNKNOWN
        outcome = rules.verdict(
            criterion_specs(criteria), answers, single_event_suffices=checklist.single_event_suffices
        )
        order = record.order
        closed = order.closed_at or order.updated_at
        at = max(order.created_at, closed - BEFORE_ARCHIVE)
        judgments.append(
            Judgment(
                record=record,
                checklist=checklist,
                answers=answers,
                verdict=outcome.verdict,
                reasons=[{"criterion": r.criterion, "effect": r.effect} for r in outcome.reasons],
                note=NOTES.get(outcome.verdict, ""),
                actor=actor,
                at=at,
                responsible_unit_id=order.unit_id if outcome.verdict == rules.VALID else None,
                responsible_staff_id=record.staff_id if outcome.verdict == rules.VALID else None,
            )
        )
    if not judgments:
        return 0
    Judgment.objects.bulk_create(judgments)
    by_record = {j.record_id: j for j in judgments}
    for record in records:
        judgment = by_record.get(record.pk)
        if judgment is not None:
            record.verdict = judgment.verdict
            record.updated_at = judgment.at
    ComplaintRecord.objects.bulk_update([r for r in records if r.pk in by_record], ["verdict", "updated_at"])
    events: list[dict[str, Any]] = [
        {
            "order_id": j.record.order_id,
            "kind": JUDGED,
            "actor_id": actor.pk,
            "at": j.at,
            "from_status": "",
            "to_status": "",
            "note": j.note,
            "data": _event_data(j),
            "request_id": "",
            "request_fingerprint": "",
        }
        for j in judgments
    ]
    bulk.insert_rows(WorkOrderEvent, events)
    return len(judgments)


def _event_data(judgment: Judgment) -> dict[str, Any]:
    """What ``complaint_judge`` stores on its event."""
    data: dict[str, Any] = {
        "judgment": judgment.pk,
        "checklist": judgment.checklist_id,
        "verdict": judgment.verdict,
    }
    if judgment.verdict == rules.VALID:
        data["responsible_unit"] = judgment.responsible_unit_id
        data["responsible_staff"] = judgment.responsible_staff_id
    return data
