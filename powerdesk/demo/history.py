"""The demo county's older history: a year of archived orders before the replayed 90 days, so that the
dashboards' year-on-year figures, baselines and hot-spot trends show something.

Cheap by design: the replayed archived orders are copied back in steps of 91 days (each copy thinned or
thickened by the season), written with bulk inserts and a compact timeline (受理, the closing step, the
callback when there was one) instead of replaying every step through the services. The summer months
get more 电压 (voltage) reports and the winter months more 缴费 (payment) ones — the kind of seasonal
hot spot the dashboards are to find."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db import connection

from powerdesk.complaints.models import ComplaintRecord, Judgment
from powerdesk.complaints.services import JUDGED
from powerdesk.core import bulk, clock
from powerdesk.workorders.choices import BusinessType, EventKind, Status
from powerdesk.workorders.models import SubType, WorkOrder, WorkOrderEvent

HISTORY_MONTHS = 13
STEP_DAYS = 91
TIMES = (
    "created_at",
    "dispatched_at",
    "taken_at",
    "arrived_at",
    "resolved_at",
    "replied_at",
    "called_back_at",
    "closed_at",
    "updated_at",
    "due_at",
)
# Month → extra share of orders of these sub-types (a season's hot spot).
SEASONAL: dict[int, tuple[str, float]] = {
    7: ("complaint_voltage", 3.0),
    8: ("complaint_voltage", 2.0),
    1: ("complaint_payment", 2.0),
    12: ("complaint_payment", 1.5),
}


def build_history(
    rng: random.Random,
    now: dt.datetime,
    months: int = HISTORY_MONTHS,
    progress: Callable[[str], None] = print,
) -> int:
    """Copy the replayed archived orders back in time until ``months`` months are covered; how many."""
    if months <= 0:
        return 0
    oldest = now - dt.timedelta(days=months * 31)
    fields = [f.attname for f in WorkOrder._meta.concrete_fields if f.attname not in ("id", "number")]
    source = list(WorkOrder.objects.filter(status=Status.ARCHIVED, parent__isnull=True).values("id", *fields))
    answered = set(WorkOrderEvent.objects.filter(kind=EventKind.ANSWER).values_list("order_id", flat=True))
    sub_types = dict(SubType.objects.values_list("code", "id"))
    seasonal_pool: dict[int, list[dict[str, Any]]] = {}
    for order in source:
        seasonal_pool.setdefault(order["sub_type_id"], []).append(order)
    copies: list[tuple[dict[str, Any], bool, int | None]] = []
    step = 1
    while True:
        shift = dt.timedelta(days=STEP_DAYS * step)
        batch = [o for o in source if o["created_at"] - shift >= oldest]
        if not batch:
            break
        for order in batch:
            if rng.random() < 0.85:  # each quarter a little different
                copies.append((_shifted(order, shift), order["id"] in answered, order["id"]))
        # The season's hot spot: extra orders like the replayed ones of that sub-type (or any complaint).
        for order in batch:
            month = clock.local_date(order["created_at"] - shift).month
            code, extra = SEASONAL.get(month, ("", 0.0))
            if code and order["business_type"] == "complaint" and rng.random() < extra / 10:
                twin = _shifted(order, shift)
                twin["sub_type_id"] = sub_types.get(code, twin["sub_type_id"])
                copies.append((twin, False, None))
        step += 1
    if not copies:
        return 0
    with connection.cursor() as cur:
        cur.execute("SELECT nextval('workorder_number_seq') FROM generate_series(1, %s)", [len(copies)])
        numbers = [row[0] for row in cur.fetchall()]
    rows = []
    for (order, _answered, _source), seq in zip(copies, numbers, strict=True):
        order["number"] = f"{clock.local_date(order['created_at']):%y%m%d}{seq:08d}"
        rows.append(order)
    ids = bulk.insert_rows(WorkOrder, rows)
    events = []
    for order_id, (order, was_answered, _source) in zip(ids, copies, strict=True):
        events.append(_event(order_id, EventKind.CREATED, order["created_at"], to_status=Status.ACCEPTED))
        if order["called_back_at"]:
            events.append(
                _event(
                    order_id,
                    EventKind.CALLBACK,
                    order["called_back_at"],
                    data={"satisfaction": order["satisfaction"]},
                )
            )
        closing = EventKind.ANSWER if was_answered else EventKind.ARCHIVE
        events.append(
            _event(order_id, closing, order["closed_at"] or order["updated_at"], to_status=Status.ARCHIVED)
        )
    bulk.insert_rows(WorkOrderEvent, events)
    _copy_judgments(
        [(order_id, source, order) for order_id, (order, _a, source) in zip(ids, copies, strict=True)]
    )
    progress(f"history: {len(ids)} archived orders over {months} months (compact timelines)")
    return len(ids)


def _copy_judgments(copied: list[tuple[int, int | None, dict[str, Any]]]) -> None:
    """The complaint record and latest judgment of each copied complaint, moved back with it (the
    verdict mix of the older months; its timeline gets the judgment's event). A seasonal twin, whose
    sub-type was changed, gets a record but no judgment: its source's checklist is not its own."""
    complaints = [(oid, src, o) for oid, src, o in copied if o["business_type"] == BusinessType.COMPLAINT]
    if not complaints:
        return
    sources = {src for _oid, src, _o in complaints if src is not None}
    records = {
        r["order_id"]: r
        for r in ComplaintRecord.objects.filter(order_id__in=sources).values(
            "order_id",
            "staff_id",
            "staff_name",
            "outsourced",
            "original_business_type",
            "original_sub_type_id",
        )
    }
    latest = {
        j.record.order_id: j
        for j in Judgment.objects.filter(record__order_id__in=sources)
        .select_related("record__order")
        .order_by("record__order_id", "-at", "-id")
        .distinct("record__order_id")
    }
    record_rows = []
    for order_id, src, order in complaints:
        source = records.get(src) if src is not None else None
        judged = latest.get(src) if src is not None else None
        record_rows.append(
            {
                "order_id": order_id,
                "staff_id": source["staff_id"] if source else None,
                "staff_name": source["staff_name"] if source else "",
                "outsourced": source["outsourced"] if source else False,
                "original_business_type": BusinessType.COMPLAINT,
                "original_sub_type_id": order["sub_type_id"],
                "verdict": judged.verdict if judged else "",
                "updated_at": order["updated_at"],
            }
        )
    record_ids = bulk.insert_rows(ComplaintRecord, record_rows)
    judgments, events = [], []
    for record_id, (order_id, src, order) in zip(record_ids, complaints, strict=True):
        judged = latest.get(src) if src is not None else None
        if judged is None:
            continue
        # As long after the copy's acceptance as the source's judgment was after the source's.
        at = order["created_at"] + (judged.at - judged.record.order.created_at)
        judgments.append(
            {
                "record_id": record_id,
                "checklist_id": judged.checklist_id,
                "answers": judged.answers,
                "verdict": judged.verdict,
                "reasons": judged.reasons,
                "note": judged.note,
                "downgraded_to": judged.downgraded_to,
                "responsible_unit_id": judged.responsible_unit_id,
                "responsible_staff_id": judged.responsible_staff_id,
                "actor_id": judged.actor_id,
                "at": at,
                "request_id": "",
                "request_fingerprint": "",
            }
        )
        data = {"checklist": judged.checklist_id, "verdict": judged.verdict}
        events.append((order_id, at, judged.actor_id, judged.note, data))
    if not judgments:
        return
    judgment_ids = bulk.insert_rows(Judgment, judgments)
    rows = []
    for judgment_id, (order_id, at, actor_id, note, data) in zip(judgment_ids, events, strict=True):
        row = _event(order_id, JUDGED, at, data={"judgment": judgment_id, **data})
        row.update(actor_id=actor_id, note=note)
        rows.append(row)
    bulk.insert_rows(WorkOrderEvent, rows)


def _shifted(order: dict[str, Any], shift: dt.timedelta) -> dict[str, Any]:
    copy = {k: v for k, v in order.items() if k != "id"}
    for name in TIMES:
        if copy.get(name) is not None:
            copy[name] = copy[name] - shift
    copy["version"] = 1
    return copy


def _event(
    order_id: int, kind: str, at: dt.datetime, *, to_status: str = "", data: Any = None
) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "kind": kind,
        "actor_id": None,
        "at": at,
        "from_status": "",
        "to_status": to_status,
        "note": "",
        "data": data or {},
        "request_id": "",
        "request_fingerprint": "",
    }
