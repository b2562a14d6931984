"""Writes of the complaint app: one service per intent, keyword-only, one transaction each, one timeline
event per change, notifications enqueued in the same transaction (notify's services).

- :func:`complaint_record_update`: what the complaint is about; a severity that tells the leadership
  tells it at once, once;
- :func:`complaint_judge`: the checklist filled, its verdict; 不成立 downgrades the order through
  workorders' reclassification; 成立 names responsibility and may open a rectification;
- :func:`rectification_close`; :func:`praise_credit_update`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.complaints import extensions, rules
from powerdesk.complaints.models import (
    Checklist,
    ComplaintRecord,
    Criterion,
    Judgment,
    PraiseCredit,
    Rectification,
    RectificationState,
    RepeatComplaintRule,
    Severity,
    Verdict,
)
from powerdesk.core import bulk, clock, idempotency, refcache
from powerdesk.core.errors import NotFound, NotPermitted, ValidationFailed, VersionConflict
from powerdesk.notify.services import notification_enqueue_many
from powerdesk.org.models import ServiceHall, Unit, UnitHead, User
from powerdesk.org.selectors import user_may, user_sees_unit
from powerdesk.sla.rules import channel as staff_channel
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.events import event_write
from powerdesk.workorders.models import Topic, WorkOrder
from powerdesk.workorders.services import workorder_reclassify

# Event kinds this app writes (labels in extension.py).
RECORD_UPDATED = "complaint_updated"
JUDGED = "complaint_judged"
RECTIFICATION_CLOSED = "rectification_closed"
PRAISE_CREDITED = "praise_credited"
REPEAT_COMPLAINT = "repeat_complaint"

# Who may act, by the transition codes of their role (roles are data): editing what a complaint is about
# is the work of anyone who may annotate the order; judging leads to a reclassification, so it needs it.
EDIT_RIGHT = "note"
JUDGE_RIGHT = "reclassify"
DOWNGRADE_TYPES = (BusinessType.OPINION, BusinessType.CONSULTATION)
LEADERSHIP_TEMPLATE = "complaint_leadership"


def _lock(order: WorkOrder, actor: User, right: str, expected_version: int | None = None) -> WorkOrder:
    """The order, row-locked (order first, then this app's rows: the order's lock order), once the actor
    is known to see it and to hold ``right``, and, with ``expected_version`` (the API's ``version`` or
    ``If-Match``), only if nobody changed the order since the caller read it."""
    locked = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("unit", "sub_type")
        .filter(pk=order.pk)
        .first()
    )
    if locked is None or not user_sees_unit(actor, locked.unit):
        raise NotFound(_("找不到该工单。"))
    if not user_may(actor, right):
        raise NotPermitted(_("您的角色不能编辑投诉信息。"))
    _check_version(locked, expected_version)
    return locked


def _check_version(order: WorkOrder, expected_version: int | None) -> None:
    if expected_version is not None and order.version != expected_version:
        raise VersionConflict(
            _("工单已被他人修改（当前版本 %(current)s，您提交的版本 %(yours)s），请刷新后重试。")
            % {"current": order.version, "yours": expected_version}
        )


def record_of(order: WorkOrder) -> ComplaintRecord:
    record = ComplaintRecord.objects.filter(order=order).first()
    if record is None:
        raise NotFound(_("该工单没有投诉信息。"))
    return record


# --- opening ------------------------------------------------------------------------------------------


def repeat_rule() -> RepeatComplaintRule | None:
    """The active rule, from the reference cache (read on every complaint intake)."""
    return refcache.get(
        "complaints.repeat_rule", lambda: RepeatComplaintRule.objects.filter(is_active=True).first()
    )


def earlier_orders(order: WorkOrder) -> list[rules.EarlierOrder]:
    """The customer's archived complaints and opinions, with the orders each complaint named."""
    if order.customer_id is None:
        return []
    rows = list(
        WorkOrder.objects.filter(
            customer_id=order.customer_id,
            business_type__in=rules.REPEATABLE_TYPES,
            closed_at__isnull=False,
            status="archived",
        )
        .exclude(pk=order.pk)
        .order_by("-closed_at")
        .values("id", "business_type", "closed_at", "sub_type_id", "topic_id")[:20]
    )
    related: dict[int, set[int]] = {}
    through = ComplaintRecord.related_orders.through
    for record_order, related_order in through.objects.filter(
        complaintrecord__order_id__in=[r["id"] for r in rows]
    ).values_list("complaintrecord__order_id", "workorder_id"):
        related.setdefault(record_order, set()).add(related_order)
    return [
        rules.EarlierOrder(
            id=r["id"],
            business_type=r["business_type"],
            archived_at=r["closed_at"],
            sub_type_id=r["sub_type_id"],
            topic_id=r["topic_id"],
            related_ids=frozenset(related.get(r["id"], set())),
        )
        for r in rows
    ]


def find_repeat(order: WorkOrder, related_ids: Iterable[int], now: dt.datetime) -> WorkOrder | None:
    rule = repeat_rule()
    if rule is None:
        return None
    found = rules.repeats(
        earlier_orders(order),
        related_ids=frozenset(related_ids),
        sub_type_id=order.sub_type_id,
        topic_id=order.topic_id,
        now=now,
        window_days=rule.window_days,
        by_related_order=rule.same_related_order,
        by_sub_type_and_topic=rule.same_sub_type_and_topic,
    )
    return WorkOrder.objects.filter(pk=found).first() if found is not None else None


def record_for_new_order(
    order: WorkOrder, *, repeat_of: WorkOrder | None, at: dt.datetime
) -> ComplaintRecord:
    """The complaint record of a complaint order being opened (inside the intake's transaction); one
    INSERT (``core.bulk``: the ORM's save costs more than the row on the intake's path)."""
    record = ComplaintRecord(
        order=order,
        original_business_type=order.business_type,
        original_sub_type_id=order.sub_type_id,
        repeat_of=repeat_of,
        updated_at=at,
    )
    bulk.insert_objects([record])
    return record


def mark_repeated(*, earlier: WorkOrder, order: WorkOrder, actor: User | None, at: dt.datetime) -> None:
    """The earlier order's own line naming the complaint that repeats it."""
    event_write(order=earlier, kind=REPEAT_COMPLAINT, actor=actor, data={"order": order.number}, at=at)


# --- the record ---------------------------------------------------------------------------------------


def _leadership_requests(
    order: WorkOrder, record: ComplaintRecord, severity: Severity
) -> list[dict[str, Any]]:
    """One SMS (or e-mail) per head of the order's unit and of each unit above it."""
    chain = [order.unit_id, *(u.pk for u in order.unit.ancestors())]
    heads = dict(UnitHead.objects.filter(unit_id__in=chain).values_list("unit_id", "user_id"))
    people = {u.pk: u for u in User.objects.filter(pk__in=heads.values())}
    requests = []
    for user_id in rules.leadership_chain(chain, heads):
        user = people[user_id]
        how = staff_channel(user.phone, user.email)
        if how is None:
            continue
        requests.append(
            {
                "channel": how[0],
                "recipient_address": how[1],
                "recipient_user_id": user_id,
                "template_code": LEADERSHIP_TEMPLATE,
                "order_id": order.pk,
                "context": {
                    "order_number": order.number,
                    "severity": severity.name,
                    "sub_type": order.sub_type.name if order.sub_type else "",
                    "unit": order.unit.name,
                    "recipient": user.get_full_name() or user.username,
                },
                "dedupe_key": f"complaint:{record.pk}:leadership:{user_id}",
            }
        )
    return requests


def _ref(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return getattr(value, "pk", value)


@transaction.atomic
def complaint_record_update(
    *,
    order: WorkOrder,
    actor: User,
    severity: Severity | None,
    related_orders: Iterable[WorkOrder],
    staff: User | None = None,
    staff_name: str = "",
    outsourced: bool = False,
    team: Unit | None = None,
    hall: ServiceHall | None = None,
    event_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ComplaintRecord:
    """Set what the complaint is about. Steps:

    1. lock the order, check the actor sees it and may annotate it; lock the record;
    2. related orders must be orders the actor sees, of the same customer, not the complaint itself;
       without a named staff member, the handler of the first related order is taken;
    3. with a related order newly named, the repeat-complaint rule is checked again;
    4. a severity that tells the leadership (and has not yet) notifies every head up the chain;
    5. one event with what changed."""
    locked = _lock(order, actor, EDIT_RIGHT, expected_version)
    record = ComplaintRecord.objects.select_for_update().filter(order=locked).first()
    if record is None:
        raise NotFound(_("该工单没有投诉信息。"))
    related = list(related_orders)
    errors: dict[str, list[str]] = {}
    if any(o.pk == locked.pk for o in related):
        errors["related_orders"] = [_("不能关联投诉工单本身。")]
    elif any(o.customer_id != locked.customer_id for o in related):
        errors["related_orders"] = [_("相关工单须是同一客户的工单。")]
    elif any(not user_sees_unit(actor, o.unit) for o in related):
        errors["related_orders"] = [_("找不到该工单。")]
    if event_at is not None and event_at > clock.now():
        errors["event_at"] = [_("事件发生时间不能晚于现在。")]
    if len(staff_name) > 100:
        errors["staff_name"] = [_("最多 100 个字。")]
    if errors:
        raise ValidationFailed(_("投诉信息有误，请检查。"), fields=errors)
    if staff is None and not staff_name and related:
        staff = next((o.assignee for o in related if o.assignee_id is not None), None)
    now = clock.now()
    before = {
        "severity": _ref(record.severity),
        "staff": _ref(record.staff),
        "staff_name": record.staff_name,
        "outsourced": record.outsourced,
        "team": _ref(record.team),
        "hall": _ref(record.hall),
        "event_at": _ref(record.event_at),
        "related_orders": sorted(record.related_orders.values_list("pk", flat=True)),
    }
    record.severity, record.staff, record.staff_name = severity, staff, staff_name.strip()
    record.outsourced, record.team, record.hall, record.event_at = outsourced, team, hall, event_at
    after = {
        "severity": _ref(severity),
        "staff": _ref(staff),
        "staff_name": record.staff_name,
        "outsourced": outsourced,
        "team": _ref(team),
        "hall": _ref(hall),
        "event_at": _ref(event_at),
        "related_orders": sorted(o.pk for o in related),
    }
    data: dict[str, Any] = {
        "before": {k: v for k, v in before.items() if v != after[k]},
        "after": {k: v for k, v in after.items() if v != before[k]},
    }
    if before["related_orders"] != after["related_orders"]:
        record.related_orders.set(related)
        if record.repeat_of_id is None:
            earlier = find_repeat(locked, after["related_orders"], now)
            if earlier is not None:
                record.repeat_of = earlier
                data["repeat_of"] = earlier.number
                WorkOrder.objects.filter(pk=locked.pk).update(is_flagged=True)
                mark_repeated(earlier=earlier, order=locked, actor=actor, at=now)
    if severity is not None and rules.leadership_due(
        notifies=severity.notifies_leadership, already_notified=record.leadership_notified_at is not None
    ):
        requests = _leadership_requests(locked, record, severity)
        notification_enqueue_many(requests)
        record.leadership_notified_at = now
        data["leadership"] = [r["recipient_user_id"] for r in requests]
    if not data["after"] and "repeat_of" not in data and "leadership" not in data:
        return record  # nothing changed: no event
    record.updated_at = now
    record.save()
    event_write(order=locked, kind=RECORD_UPDATED, actor=actor, data=data, at=now)
    return record


@transaction.atomic
def praise_credit_update(
    *, order: WorkOrder, actor: User, staff: User | None, unit: Unit | None
) -> PraiseCredit:
    """Name whom a 表扬 order credits (a staff member, a unit, or both); one event."""
    locked = _lock(order, actor, EDIT_RIGHT)
    if locked.business_type != BusinessType.PRAISE:
        raise ValidationFailed(_("只有表扬工单可以填写受表扬对象。"))
    if staff is None and unit is None:
        message = _("请填写受表扬的员工或单位。")
        raise ValidationFailed(message, fields={"staff": [message]})
    if unit is not None and not user_sees_unit(actor, unit):
        raise ValidationFailed(_("超出管辖范围。"), fields={"unit": [_("超出管辖范围。")]})
    now = clock.now()
    credit, _created = PraiseCredit.objects.select_for_update().get_or_create(
        order=locked, defaults={"updated_at": now}
    )
    before = {"staff": credit.staff_id, "unit": credit.unit_id}
    after = {"staff": staff.pk if staff else None, "unit": unit.pk if unit else None}
    if before == after and not _created:
        return credit  # unchanged (a retried request): no event
    credit.staff, credit.unit, credit.updated_at = staff, unit, now
    credit.save()
    # Not "before"/"after": those keys name the order's own fields on the timeline (``unit`` would read
    # as the handling unit).
    event_write(
        order=locked,
        kind=PRAISE_CREDITED,
        actor=actor,
        data={"credit_before": before, "credit": after},
        at=now,
    )
    return credit


# --- judgment -----------------------------------------------------------------------------------------


def criterion_specs(criteria: Iterable[Criterion]) -> list[rules.CriterionSpec]:
    return [
        rules.CriterionSpec(code=c.code, failing_means=c.failing_means, only_if_repeated=c.only_if_repeated)
        for c in criteria
    ]


def checklist_of(order: WorkOrder, record: ComplaintRecord) -> Checklist | None:
    """The checklist for the complaint's sub-type (as opened: a downgraded order keeps its checklist)."""
    sub_type_id = (
        order.sub_type_id if order.business_type == BusinessType.COMPLAINT else record.original_sub_type_id
    )
    keys = [
        rules.ChecklistKey(id=c.pk, sub_type_id=c.sub_type_id, topic_id=c.topic_id, valid_from=c.valid_from)
        for c in Checklist.objects.filter(is_active=True)
    ]
    on = clock.local_date(record.event_at) if record.event_at else clock.local_date(order.created_at)
    found = rules.checklist_for(keys, sub_type_id=sub_type_id, topic_id=order.topic_id, on=on)
    return Checklist.objects.get(pk=found) if found is not None else None


def _clean_answers(criteria: list[Criterion], answers: Mapping[str, Any]) -> dict[str, str]:
    codes = {c.code for c in criteria}
    errors = {str(code): [_("未知的判定项。")] for code in answers if code not in codes} | {
        c.code: [_("请选择“是”“否”或“待核实”。")]
        for c in criteria
        if c.code in answers and answers[c.code] not in rules.ANSWERS
    }
    if errors:
        raise ValidationFailed(
            _("判定内容有误，请检查。"), fields={f"answers.{k}": v for k, v in errors.items()}
        )
    return {c.code: str(answers.get(c.code, rules.UNKNOWN)) for c in criteria}


@transaction.atomic
def complaint_judge(
    *,
    order: WorkOrder,
    actor: User,
    answers: Mapping[str, Any],
    note: str = "",
    downgrade_to: str = "",
    downgrade_topic: Topic | None = None,
    responsible_unit: Unit | None = None,
    responsible_staff: User | None = None,
    rectification_task: str = "",
    rectification_owner: User | None = None,
    rectification_due: dt.date | None = None,
    rectification_learning: bool = False,
    request_id: str = "",
    request_fingerprint: str = "",
    expected_version: int | None = None,
) -> Judgment:
    """Judge a complaint by its checklist. Steps:

    1. lock the order (the actor sees it and may reclassify it) and the record; find the checklist;
    2. compute the verdict with :func:`rules.verdict` from the answers (unanswered: 待核实);
    3. 不成立 needs ``downgrade_to`` (意见 or 咨询) and a note (the reason): the order is reclassified
       through :func:`workorders.services.workorder_reclassify`, which re-plans its clocks from the
       acceptance and writes its one event (the classification before and after, and this judgment
       as its cause);
    4. 成立 names the responsible unit (the order's by default) and staff member (the record's by
       default), and with a task opens a rectification (整改) with an owner and a due date, which
       may require 以案普法 (``rectification_learning``: it closes only once that is arranged);
    5. the judgment's own event: the verdict, the reasons, what followed."""
    locked = _lock(order, actor, JUDGE_RIGHT)
    record = ComplaintRecord.objects.select_for_update().filter(order=locked).first()
    if record is None:
        raise NotFound(_("该工单没有投诉信息。"))
    if request_id:
        earlier = record.judgments.filter(request_id=request_id).first()
        if earlier is not None:  # a retry of a judgment already made: its answer, nothing written
            idempotency.require_same_request(earlier.request_fingerprint, request_fingerprint)
            return earlier
    # After the replay: a retry of a downgrade finds the order's version moved on by the judgment itself.
    _check_version(locked, expected_version)
    if locked.status in ("archived", "merged"):
        raise ValidationFailed(_("工单已办结，不能再判定。"))
    if locked.business_type != BusinessType.COMPLAINT:
        raise ValidationFailed(_("工单已不是投诉，不能再判定。"))
    checklist = checklist_of(locked, record)
    if checklist is None:
        message = _("该投诉子类还没有判定标准，请先选择具体的投诉子类。")
        raise ValidationFailed(message, fields={"answers": [message]})
    criteria = list(checklist.criteria.all())
    cleaned = _clean_answers(criteria, answers)
    outcome = rules.verdict(
        criterion_specs(criteria), cleaned, single_event_suffices=checklist.single_event_suffices
    )
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if outcome.verdict == rules.INVALID:
        if downgrade_to not in DOWNGRADE_TYPES:
            errors["downgrade_to"] = [_("投诉不成立，请选择降级为意见或咨询。")]
        if not note:
            errors["note"] = [_("请填写不成立的理由。")]
    if outcome.verdict == rules.VALID and rectification_task.strip():
        if rectification_owner is None:
            errors["rectification_owner"] = [_("请选择整改负责人。")]
        if rectification_due is None:
            errors["rectification_due"] = [_("请填写整改期限。")]
        elif rectification_due < clock.local_date():
            errors["rectification_due"] = [_("整改期限不能早于今天。")]
    if responsible_unit is not None and not user_sees_unit(actor, responsible_unit):
        errors["responsible_unit"] = [_("超出管辖范围。")]
    if errors:
        raise ValidationFailed(_("判定内容有误，请检查。"), fields=errors)
    now = clock.now()
    judgment = Judgment(
        record=record,
        checklist=checklist,
        answers=cleaned,
        verdict=outcome.verdict,
        reasons=[{"criterion": r.criterion, "effect": r.effect} for r in outcome.reasons],
        note=note,
        actor=actor,
        at=now,
        request_id=request_id,
        request_fingerprint=request_fingerprint if request_id else "",
    )
    if outcome.verdict == rules.VALID:
        judgment.responsible_unit = responsible_unit or locked.unit
        judgment.responsible_staff = responsible_staff or record.staff
    if outcome.verdict == rules.INVALID:
        judgment.downgraded_to = downgrade_to
    judgment.save()
    record.verdict = outcome.verdict
    record.updated_at = now
    record.save(update_fields=["verdict", "updated_at"])
    data: dict[str, Any] = {"judgment": judgment.pk, "checklist": checklist.pk, "verdict": outcome.verdict}
    rectification = None
    if outcome.verdict == rules.VALID and rectification_task.strip():
        assert rectification_owner is not None and rectification_due is not None
        rectification = Rectification.objects.create(
            order=locked,
            judgment=judgment,
            unit=judgment.responsible_unit or locked.unit,
            owner=rectification_owner,
            task=rectification_task.strip(),
            due_date=rectification_due,
            requires_learning=bool(rectification_learning),
            created_at=now,
        )
        data["rectification"] = rectification.pk
    if outcome.verdict == rules.VALID:
        data["responsible_unit"] = judgment.responsible_unit_id
        data["responsible_staff"] = judgment.responsible_staff_id
    event_write(order=locked, kind=JUDGED, actor=actor, note=note, data=data, at=now)
    if outcome.verdict == rules.INVALID:
        topic = downgrade_topic or locked.topic
        workorder_reclassify(
            order=locked,
            actor=actor,
            business_type=downgrade_to,
            topic=topic,
            sub_type=None,
            reason=note,
            cause={"app": "complaints", "verdict": outcome.verdict, "judgment": judgment.pk},
        )
    return judgment


# --- rectification ------------------------------------------------------------------------------------


def may_close(actor: User, rectification: Rectification) -> bool:
    """Its owner, or whoever may judge complaints (and sees its unit: the selectors see to that)."""
    return rectification.owner_id == actor.pk or user_may(actor, JUDGE_RIGHT)


@transaction.atomic
def rectification_close(*, rectification: Rectification, actor: User, result: str) -> Rectification:
    """Close a rectification with its result: its owner, or whoever may judge complaints in its unit."""
    locked = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("unit", "order")
        .get(pk=rectification.pk)
    )
    if not user_sees_unit(actor, locked.unit) and locked.owner_id != actor.pk:
        raise NotFound(_("找不到该整改任务。"))
    if not may_close(actor, locked):
        raise NotPermitted(_("只有整改负责人或投诉判定人员可以确认整改完成。"))
    result = (result or "").strip()
    if locked.state == RectificationState.CLOSED:
        if locked.closed_by_id == actor.pk and locked.result == result:
            return locked  # the same close again (a retried request): nothing more to do
        raise ValidationFailed(_("该整改任务已完成。"))
    if not result:
        message = _("请填写整改结果。")
        raise ValidationFailed(message, fields={"result": [message]})
    blocking = [n for n in extensions.notes_for([locked], None).get(locked.pk, []) if n.blocks_close]
    if blocking:
        raise ValidationFailed(blocking[0].text)
    now = clock.now()
    locked.state, locked.result, locked.closed_at, locked.closed_by = (
        RectificationState.CLOSED,
        result,
        now,
        actor,
    )
    locked.save(update_fields=["state", "result", "closed_at", "closed_by"])
    event_write(
        order=locked.order,
        kind=RECTIFICATION_CLOSED,
        actor=actor,
        note=result,
        data={"rectification": locked.pk},
        at=now,
    )
    return locked


VERDICT_LABELS = dict(Verdict.choices)
