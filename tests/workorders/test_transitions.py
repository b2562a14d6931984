"""Every transition of the table through its service: what it writes, and every way it is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone

from powerdesk.core.errors import NotFound, NotPermitted, TransitionNotAllowed, ValidationFailed
from powerdesk.org.models import Role, UnitKind
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import BusinessType, EventKind, Priority, Satisfaction, Status
from powerdesk.workorders.transitions import TRANSITIONS
from tests.factories import UnitFactory, UserFactory, topic
from tests.workorders.helpers import events_of, fresh, intake, walk

S = Status
B = BusinessType


@dataclass(frozen=True)
class Case:
    code: str
    start: str
    actor: str
    kwargs: Callable[[SimpleNamespace], dict]
    target: str
    before: Callable[[SimpleNamespace], dict]
    after: Callable[[SimpleNamespace], dict]
    business_type: str = B.REPAIR
    stamps: tuple[str, ...] = ()
    note: str = ""
    extra: dict = field(default_factory=dict)  # other order fields to check afterwards


CASES = [
    Case(
        "dispatch",
        S.ACCEPTED,
        "dispatcher",
        lambda w: {"unit": w.county.east, "assignee": w.users["repair"], "note": "请尽快处理"},
        S.DISPATCHED,
        lambda w: {"status": "accepted", "unit_id": w.county.county.pk, "assignee_id": None},
        lambda w: {"status": "dispatched", "unit_id": w.county.east.pk, "assignee_id": w.users["repair"].pk},
        stamps=("dispatched_at",),
        note="请尽快处理",
    ),
    Case(
        "take",
        S.DISPATCHED,
        "repair",
        lambda w: {"note": "马上出发"},
        S.IN_PROGRESS,
        lambda w: {"status": "dispatched", "assignee_id": None},
        lambda w: {"status": "in_progress", "assignee_id": w.users["repair"].pk},
        stamps=("taken_at",),
        note="马上出发",
    ),
    Case(
        "arrive",
        S.IN_PROGRESS,
        "repair",
        lambda w: {},
        S.ON_SITE,
        lambda w: {"status": "in_progress"},
        lambda w: {"status": "on_site"},
        stamps=("arrived_at",),
    ),
    Case(
        "resolve",
        S.ON_SITE,
        "repair",
        lambda w: {"result": "更换熔断器，已复电"},
        S.RESOLVED,
        lambda w: {"status": "on_site", "result": ""},
        lambda w: {"status": "resolved", "result": "更换熔断器，已复电"},
        stamps=("resolved_at",),
        note="更换熔断器，已复电",
    ),
    Case(
        "reply",
        S.RESOLVED,
        "repair",
        lambda w: {"reply_text": "已复电并告知客户"},
        S.REPLIED,
        lambda w: {"status": "resolved", "reply_text": ""},
        lambda w: {"status": "replied", "reply_text": "已复电并告知客户"},
        stamps=("replied_at",),
        note="已复电并告知客户",
    ),
    Case(
        "callback",
        S.REPLIED,
        "callback",
        lambda w: {"satisfaction": Satisfaction.BASIC, "resolved": True, "note": "客户表示基本满意"},
        S.CALLED_BACK,
        lambda w: {"status": "replied", "satisfaction": "", "callback_resolved": None},
        lambda w: {"status": "called_back", "satisfaction": "basic", "callback_resolved": True},
        stamps=("called_back_at",),
        note="客户表示基本满意",
    ),
    Case(
        "archive",
        S.CALLED_BACK,
        "callback",
        lambda w: {},
        S.ARCHIVED,
        lambda w: {"status": "called_back"},
        lambda w: {"status": "archived"},
        stamps=("closed_at",),
    ),
    Case(
        "answer",
        S.ACCEPTED,
        "agent",
        lambda w: {"answer": "居民阶梯电价第一档为每千瓦时0.538元"},
        S.ARCHIVED,
        lambda w: {"status": "accepted", "reply_text": ""},
        lambda w: {"status": "archived", "reply_text": "居民阶梯电价第一档为每千瓦时0.538元"},
        business_type=B.CONSULTATION,
        stamps=("replied_at", "closed_at"),
        note="居民阶梯电价第一档为每千瓦时0.538元",
    ),
    Case(
        "transfer",
        S.DISPATCHED,
        "dispatcher",
        lambda w: {"unit": w.county.west, "reason": "故障点属西岭所"},
        S.DISPATCHED,
        lambda w: {"unit_id": w.county.east.pk},
        lambda w: {"unit_id": w.county.west.pk},
        stamps=("dispatched_at",),
        note="故障点属西岭所",
    ),
    Case(
        "return",
        S.IN_PROGRESS,
        "repair",
        lambda w: {"reason": "地址不在本所辖区"},
        S.RETURNED,
        lambda w: {"status": "in_progress", "unit_id": w.county.east.pk, "assignee_id": w.users["repair"].pk},
        lambda w: {"status": "returned", "unit_id": w.county.county.pk, "assignee_id": None},
        note="地址不在本所辖区",
    ),
    Case(
        "suspend",
        S.ON_SITE,
        "repair",
        lambda w: {"reason": "客户家中无人"},
        S.SUSPENDED,
        lambda w: {"status": "on_site"},
        lambda w: {"status": "suspended"},
        note="客户家中无人",
        extra={"status_before_suspend": S.ON_SITE},
    ),
    Case(
        "resume",
        S.SUSPENDED,
        "dispatcher",
        lambda w: {"note": "客户已回家"},
        S.DISPATCHED,
        lambda w: {"status": "suspended"},
        lambda w: {"status": "dispatched"},
        note="客户已回家",
        extra={"status_before_suspend": ""},
    ),
    Case(
        "chase",
        S.DISPATCHED,
        "agent",
        lambda w: {"note": "客户催问进度"},
        S.DISPATCHED,
        lambda w: {"chase_count": 0},
        lambda w: {"chase_count": 1},
        note="客户催问进度",
    ),
    Case(
        "escalate",
        S.DISPATCHED,
        "agent",
        lambda w: {"reason": "医院停电"},
        S.DISPATCHED,
        lambda w: {"priority": 1, "escalation_level": 0, "is_flagged": False},
        lambda w: {"priority": 2, "escalation_level": 1, "is_flagged": True},
        note="医院停电",
    ),
    Case(
        "merge",
        S.ACCEPTED,
        "agent",
        lambda w: {"parent": w.parent(), "note": "同一台区停电"},
        S.MERGED,
        lambda w: {"status": "accepted", "parent_id": None},
        lambda w: {"status": "merged", "parent_id": w.parent().pk},
        stamps=("closed_at",),
        note="同一台区停电",
    ),
    Case(
        "reopen",
        S.ARCHIVED,
        "callback",
        lambda w: {"reason": "客户反映又停电了"},
        S.ACCEPTED,
        lambda w: {
            "status": "archived",
            "unit_id": w.county.east.pk,
            "assignee_id": w.users["repair"].pk,
            "reopen_count": 0,
            "satisfaction": "satisfied",
            "callback_resolved": True,
        },
        lambda w: {
            "status": "accepted",
            "unit_id": w.county.county.pk,
            "assignee_id": None,
            "reopen_count": 1,
            "satisfaction": "",
            "callback_resolved": None,
        },
        note="客户反映又停电了",
        extra={"closed_at": None},
    ),
    Case(
        "call_out",
        S.DISPATCHED,
        "handler",
        lambda w: {"number": "13812345678", "reached": True, "note": "客户同意明早上门"},
        S.DISPATCHED,
        lambda w: {},
        lambda w: {},
        note="客户同意明早上门",
    ),
    Case(
        "reclassify",
        S.DISPATCHED,
        "dispatcher",
        lambda w: {
            "business_type": B.COMPLAINT,
            "sub_type": None,
            "topic": topic("communication"),
            "reason": "客户投诉抢修人员态度",
        },
        S.DISPATCHED,
        lambda w: {"business_type": "repair", "topic_id": topic("fault_repair").pk},
        lambda w: {"business_type": "complaint", "topic_id": topic("communication").pk},
        note="客户投诉抢修人员态度",
    ),
    # The customer's own withdrawal, fired by the portal's account (tests/portal): nobody started on it.
    Case(
        "cancel_by_customer",
        S.ACCEPTED,
        "portal",
        lambda w: {"reason": "已经自己恢复供电了"},
        S.ARCHIVED,
        lambda w: {"status": "accepted"},
        lambda w: {"status": "archived"},
        stamps=("closed_at",),
        note="已经自己恢复供电了",
    ),
    Case(
        "note",
        S.ARCHIVED,
        "callback",
        lambda w: {"text": "客户来电致谢"},
        S.ARCHIVED,
        lambda w: {},
        lambda w: {},
        note="客户来电致谢",
    ),
]
CASE_BY_CODE = {c.code: c for c in CASES}


@pytest.fixture
def world(users, county, customer):
    users = {**users, "portal": UserFactory.with_role("portal", county.county, username="portal-c1")}
    w = SimpleNamespace(users=users, county=county, customer=customer, _parent=None)

    def parent():
        if w._parent is None:
            w._parent = intake(users, customer, topic_code="outage_info", description="整片停电")
        return w._parent

    w.parent = parent
    return w


def order_for(w: SimpleNamespace, case: Case):
    return walk(intake(w.users, w.customer, business_type=case.business_type), w.users, w.county, case.start)


def test_every_transition_in_the_table_has_a_service_and_a_case_here():
    assert set(s.SERVICES) == set(TRANSITIONS)
    assert set(CASE_BY_CODE) == set(TRANSITIONS)


@pytest.mark.parametrize("case", CASES, ids=[c.code for c in CASES])
def test_it_applies_the_transition_and_writes_exactly_one_event(world, case):
    order = order_for(world, case)
    kwargs = case.kwargs(world)
    actor = world.users[case.actor]
    events_before = len(events_of(order))
    version = order.version
    moment = (timezone.now() + dt.timedelta(minutes=5)).replace(microsecond=0)

    with time_machine.travel(moment, tick=False):
        result = s.SERVICES[case.code](
            order=order, actor=actor, expected_version=version, request_id=f"req-{case.code}", **kwargs
        )

    order = fresh(order)
    assert result.status == order.status == case.target
    assert order.version == version + 1
    assert order.updated_at == moment
    for stamp in case.stamps:
        assert getattr(order, stamp) == moment, stamp
    for name, value in case.extra.items():
        assert getattr(order, name) == value, name
    events = events_of(order)
    assert len(events) == events_before + 1
    event = events[-1]
    assert event.kind == TRANSITIONS[case.code].event
    assert (event.from_status, event.to_status) == (case.start, case.target)
    assert event.actor == actor
    assert event.at == moment
    assert event.request_id == f"req-{case.code}"
    assert event.note == case.note
    assert event.data["before"] == case.before(world)
    assert event.data["after"] == case.after(world)


# --- refused: wrong state ------------------------------------------------------------------------

# A status each transition does not leave, reachable for an order of the case's business type.
WRONG_STATE = {
    "dispatch": S.IN_PROGRESS,
    "take": S.ACCEPTED,
    "arrive": S.DISPATCHED,
    "resolve": S.DISPATCHED,
    "reply": S.IN_PROGRESS,
    "callback": S.RESOLVED,
    "archive": S.RESOLVED,
    "answer": S.DISPATCHED,
    "transfer": S.ACCEPTED,
    "return": S.ACCEPTED,
    "suspend": S.ACCEPTED,
    "resume": S.DISPATCHED,
    "chase": S.ARCHIVED,
    "escalate": S.MERGED,
    "merge": S.SUSPENDED,
    "reopen": S.REPLIED,
    "reclassify": S.ARCHIVED,
    "call_out": S.MERGED,
    "cancel_by_customer": S.IN_PROGRESS,
}


def test_a_note_may_be_added_in_every_status():
    assert TRANSITIONS["note"].sources == frozenset(Status)
    assert set(WRONG_STATE) == set(TRANSITIONS) - {"note"}


@pytest.mark.parametrize("code", sorted(WRONG_STATE))
def test_it_refuses_a_transition_from_a_wrong_state_naming_the_state(world, code):
    case = CASE_BY_CODE[code]
    wrong = WRONG_STATE[code]
    assert wrong not in TRANSITIONS[code].sources
    order = walk(
        intake(world.users, world.customer, business_type=case.business_type),
        world.users,
        world.county,
        wrong,
    )
    version, n_events = order.version, len(events_of(order))

    # The manager may fire every staff transition; the customer's withdrawal is the portal account's.
    actor = world.users["portal" if code == "cancel_by_customer" else "manager"]
    with pytest.raises(TransitionNotAllowed) as exc:
        s.SERVICES[code](order=order, actor=actor, **case.kwargs(world))

    assert f"“{Status(wrong).label}”" in exc.value.message
    assert f"“{TRANSITIONS[code].label}”" in exc.value.message
    assert exc.value.http_status == 409
    order = fresh(order)
    assert (order.status, order.version, len(events_of(order))) == (wrong, version, n_events)


# --- refused: role, unit, input -------------------------------------------------------------------

SUBTREE_ROLES = ["agent", "dispatcher", "repair", "handler", "callback"]


def _role_without(code: str) -> str | None:
    return next((r for r in SUBTREE_ROLES if code not in Role.objects.get(code=r).transitions), None)


def _role_with(code: str) -> str:
    # The portal's role (scope: its county) fires the customer's withdrawal only.
    return next(r for r in [*SUBTREE_ROLES, "portal"] if code in Role.objects.get(code=r).transitions)


@pytest.mark.parametrize("code", sorted(TRANSITIONS))
def test_it_refuses_a_role_without_the_permission(world, code):
    case = CASE_BY_CODE[code]
    order = order_for(world, case)
    role = _role_without(code)
    # Everyone may add a note: only a user without any role is refused.
    actor = UserFactory.with_role(role, world.county.county) if role else world.users["norole"]
    version = order.version

    with pytest.raises(NotPermitted) as exc:
        s.SERVICES[code](order=order, actor=actor, **case.kwargs(world))

    assert str(TRANSITIONS[code].label) in exc.value.message
    assert exc.value.http_status == 403
    assert fresh(order).version == version


@pytest.mark.parametrize("code", sorted(TRANSITIONS))
def test_it_hides_an_order_outside_the_actors_unit_subtree(world, code):
    case = CASE_BY_CODE[code]
    order = order_for(world, case)
    assert order.unit_id in (world.county.county.pk, world.county.east.pk)
    outsider = UserFactory.with_role(_role_with(code), world.county.west)
    version = order.version

    with pytest.raises(NotFound) as exc:
        s.SERVICES[code](order=order, actor=outsider, **case.kwargs(world))

    assert exc.value.http_status == 404
    assert fresh(order).version == version


REQUIRED_INPUT = [
    ("dispatch", "unit", None),
    ("resolve", "result", "  "),
    ("reply", "reply_text", ""),
    ("callback", "satisfaction", ""),
    ("answer", "answer", ""),
    ("transfer", "unit", None),
    ("transfer", "reason", ""),
    ("return", "reason", " "),
    ("suspend", "reason", ""),
    ("escalate", "reason", ""),
    ("merge", "parent", None),
    ("reopen", "reason", ""),
    ("call_out", "number", " "),
    ("reclassify", "business_type", ""),
    ("reclassify", "topic", None),
    ("reclassify", "reason", " "),
    ("note", "text", "\n"),
]


def test_the_required_input_cases_cover_every_required_field():
    required = {(t.code, f.name) for t in TRANSITIONS.values() for f in t.fields if f.required}
    assert {(code, name) for code, name, _ in REQUIRED_INPUT} == required


@pytest.mark.parametrize(
    ("code", "name", "blank"), REQUIRED_INPUT, ids=[f"{c}-{n}" for c, n, _ in REQUIRED_INPUT]
)
def test_it_refuses_missing_required_input_with_the_field_named(world, code, name, blank):
    case = CASE_BY_CODE[code]
    order = order_for(world, case)
    kwargs = {**case.kwargs(world), name: blank}
    version = order.version

    with pytest.raises(ValidationFailed) as exc:
        s.SERVICES[code](order=order, actor=world.users[case.actor], **kwargs)

    assert list(exc.value.fields) == [name]
    assert exc.value.fields[name][0]
    assert fresh(order).version == version


# --- the rules of the business types --------------------------------------------------------------


def test_it_refuses_arrival_on_an_order_without_field_work(world):
    order = walk(
        intake(world.users, world.customer, business_type=B.COMPLAINT),
        world.users,
        world.county,
        S.IN_PROGRESS,
    )

    with pytest.raises(TransitionNotAllowed) as exc:
        s.workorder_arrive(order=order, actor=world.users["repair"])

    assert "到达现场" in exc.value.message
    assert fresh(order).status == S.IN_PROGRESS


def test_a_service_request_may_record_an_arrival(world):
    order = walk(
        intake(world.users, world.customer, business_type=B.SERVICE_REQUEST),
        world.users,
        world.county,
        S.IN_PROGRESS,
    )

    order = s.workorder_arrive(order=order, actor=world.users["repair"])

    assert order.status == S.ON_SITE


def test_it_refuses_to_resolve_a_repair_order_before_arrival(world):
    order = walk(intake(world.users, world.customer), world.users, world.county, S.IN_PROGRESS)

    with pytest.raises(TransitionNotAllowed) as exc:
        s.workorder_resolve(order=order, actor=world.users["repair"], result="已修好")

    assert "到达现场" in exc.value.message
    assert fresh(order).status == S.IN_PROGRESS


def test_a_complaint_is_resolved_without_an_arrival(world):
    order = walk(
        intake(world.users, world.customer, business_type=B.COMPLAINT),
        world.users,
        world.county,
        S.IN_PROGRESS,
    )

    order = s.workorder_resolve(order=order, actor=world.users["handler"], result="已约谈相关人员")

    assert order.status == S.RESOLVED


@pytest.mark.parametrize("business_type", [B.CONSULTATION, B.PRAISE])
def test_a_consultation_or_praise_closes_on_the_first_answer(world, business_type):
    order = intake(world.users, world.customer, business_type=business_type, topic_code="billing")

    order = s.workorder_answer(order=order, actor=world.users["agent"], answer="已当场答复")

    assert order.status == S.ARCHIVED
    assert order.reply_text == "已当场答复"


@pytest.mark.parametrize(
    "business_type", [B.REPAIR, B.COMPLAINT, B.REPORT, B.OPINION, B.SERVICE_REQUEST, B.APPLICATION]
)
def test_it_refuses_a_first_answer_for_other_business_types(world, business_type):
    order = intake(world.users, world.customer, business_type=business_type, topic_code="metering")

    with pytest.raises(TransitionNotAllowed) as exc:
        s.workorder_answer(order=order, actor=world.users["agent"], answer="已答复")

    assert "咨询、表扬" in exc.value.message
    assert fresh(order).status == S.ACCEPTED


# --- callback and archive -------------------------------------------------------------------------


def test_a_dissatisfied_callback_blocks_archive_until_the_order_is_reopened_and_done_again(world):
    users = world.users
    order = walk(intake(users, world.customer), users, world.county, S.REPLIED)
    order = s.workorder_callback(
        order=order, actor=users["callback"], satisfaction=Satisfaction.DISSATISFIED, resolved=False
    )
    assert order.status == S.CALLED_BACK

    with pytest.raises(TransitionNotAllowed) as exc:
        s.workorder_archive(order=order, actor=users["callback"])
    assert "不满意" in exc.value.message
    assert fresh(order).status == S.CALLED_BACK

    order = s.workorder_reopen(order=order, actor=users["callback"], reason="客户不满意，仍未复电")
    assert order.status == S.ACCEPTED
    assert order.satisfaction == "" and order.reopen_count == 1

    order = walk(order, users, world.county, S.ARCHIVED)
    assert order.status == S.ARCHIVED
    kinds = [e.kind for e in events_of(order)]
    assert kinds.count(EventKind.CALLBACK) == 2
    assert kinds[-1] == EventKind.ARCHIVE


def test_an_unreachable_customer_leaves_the_order_replied_and_unarchivable(world):
    users = world.users
    order = walk(intake(users, world.customer), users, world.county, S.REPLIED)
    version = order.version

    order = s.workorder_callback(order=order, actor=users["callback"], satisfaction=Satisfaction.UNREACHABLE)

    order = fresh(order)
    assert order.status == S.REPLIED
    assert order.satisfaction == Satisfaction.UNREACHABLE
    assert order.version == version + 1
    event = events_of(order)[-1]
    assert (event.kind, event.from_status, event.to_status) == (EventKind.CALLBACK, S.REPLIED, S.REPLIED)
    with pytest.raises(TransitionNotAllowed):
        s.workorder_archive(order=order, actor=users["callback"])

    order = s.workorder_callback(order=order, actor=users["callback"], satisfaction=Satisfaction.SATISFIED)
    assert order.status == S.CALLED_BACK


# --- suspend, chase, escalate ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.DISPATCHED, S.IN_PROGRESS, S.ON_SITE, S.RESOLVED])
def test_resume_returns_the_order_to_the_status_it_was_suspended_in(world, status):
    order = walk(intake(world.users, world.customer), world.users, world.county, status)

    order = s.workorder_suspend(order=order, actor=world.users["repair"], reason="等待客户")
    assert order.status == S.SUSPENDED
    order = s.workorder_resume(order=order, actor=world.users["repair"])

    order = fresh(order)
    assert order.status == status
    assert order.status_before_suspend == ""
    resume = events_of(order)[-1]
    assert (resume.kind, resume.from_status, resume.to_status) == (EventKind.RESUME, S.SUSPENDED, status)


def test_chases_are_counted_one_event_each(world):
    order = walk(
        intake(world.users, world.customer, business_type=B.OPINION, topic_code="communication"),
        world.users,
        world.county,
        S.DISPATCHED,
    )

    for _ in range(3):
        order = s.workorder_chase(order=order, actor=world.users["agent"], note="客户催办")

    order = fresh(order)
    assert order.chase_count == 3
    assert order.priority == Priority.NORMAL
    assert [e.data["after"] for e in events_of(order) if e.kind == EventKind.CHASE] == [
        {"chase_count": 1},
        {"chase_count": 2},
        {"chase_count": 3},
    ]


def test_a_repair_order_escalates_at_the_chase_count_of_its_policy(world):
    order = walk(intake(world.users, world.customer), world.users, world.county, S.DISPATCHED)

    order = s.workorder_chase(order=order, actor=world.users["agent"])
    assert (order.chase_count, order.escalation_level, order.is_flagged) == (1, 0, False)
    order = s.workorder_chase(order=order, actor=world.users["agent"])

    order = fresh(order)
    assert (order.chase_count, order.escalation_level, order.is_flagged) == (2, 1, True)
    assert order.priority == Priority.HIGH


def test_escalation_raises_priority_and_level_and_flags_the_order_up_to_urgent(world):
    order = walk(intake(world.users, world.customer), world.users, world.county, S.DISPATCHED)
    assert order.priority == Priority.NORMAL

    levels = []
    for _ in range(3):
        order = s.workorder_escalate(order=order, actor=world.users["agent"], reason="客户情绪激动")
        levels.append((order.priority, order.escalation_level, order.is_flagged))

    assert levels == [(Priority.HIGH, 1, True), (Priority.URGENT, 2, True), (Priority.URGENT, 3, True)]
    assert fresh(order).status == S.DISPATCHED


# --- dispatch and transfer ------------------------------------------------------------------------


def test_it_refuses_a_transfer_to_the_unit_that_already_holds_the_order(world):
    order = walk(intake(world.users, world.customer), world.users, world.county, S.DISPATCHED)

    with pytest.raises(ValidationFailed) as exc:
        s.workorder_transfer(
            order=order, actor=world.users["dispatcher"], unit=world.county.east, reason="转派"
        )

    assert "unit" in exc.value.fields
    assert fresh(order).version == order.version


def test_it_refuses_to_dispatch_to_a_transformer_area(world):
    order = intake(world.users, world.customer)

    with pytest.raises(ValidationFailed) as exc:
        s.workorder_dispatch(order=order, actor=world.users["dispatcher"], unit=world.county.east_area)

    assert "台区" in exc.value.message
    assert "unit" in exc.value.fields
    assert fresh(order).status == S.ACCEPTED


def test_it_refuses_to_dispatch_to_a_unit_outside_the_dispatchers_visibility(world):
    other_county = UnitFactory(code="C2", name="邻县供电公司", kind=UnitKind.COUNTY)

    order = intake(world.users, world.customer)
    with pytest.raises(ValidationFailed) as exc:
        s.workorder_dispatch(order=order, actor=world.users["dispatcher"], unit=other_county)

    assert "管辖范围" in exc.value.message
    assert fresh(order).status == S.ACCEPTED


def test_a_station_dispatcher_cannot_dispatch_to_the_neighbouring_station(world):
    east_agent = UserFactory.with_role("agent", world.county.east)
    east_dispatcher = UserFactory.with_role("dispatcher", world.county.east)
    order = s.workorder_intake(
        actor=east_agent,
        business_type=B.REPAIR,
        topic=topic("power_quality"),
        channel="95598",
        description="电压低",
        customer=world.customer,
    ).order
    assert order.unit == world.county.east

    with pytest.raises(ValidationFailed):
        s.workorder_dispatch(order=order, actor=east_dispatcher, unit=world.county.west)

    order = s.workorder_dispatch(order=order, actor=east_dispatcher, unit=world.county.east)
    assert order.status == S.DISPATCHED


def test_it_refuses_an_assignee_outside_the_target_unit(world):
    order = intake(world.users, world.customer)

    with pytest.raises(ValidationFailed) as exc:
        s.workorder_dispatch(
            order=order,
            actor=world.users["dispatcher"],
            unit=world.county.east,
            assignee=world.users["west_repair"],
        )

    assert "assignee" in exc.value.fields
    assert fresh(order).assignee_id is None


def test_a_returned_order_can_be_dispatched_again(world):
    order = walk(intake(world.users, world.customer), world.users, world.county, S.RETURNED)

    order = s.workorder_dispatch(order=order, actor=world.users["dispatcher"], unit=world.county.west)

    assert (order.status, order.unit) == (S.DISPATCHED, world.county.west)


# --- merge ----------------------------------------------------------------------------------------


def test_it_refuses_to_merge_an_order_into_itself(world):
    order = intake(world.users, world.customer)

    with pytest.raises(ValidationFailed) as exc:
        s.workorder_merge(order=order, actor=world.users["agent"], parent=order)

    assert "parent" in exc.value.fields
    assert fresh(order).status == S.ACCEPTED


@pytest.mark.parametrize("parent_status", [S.ARCHIVED, S.MERGED])
def test_it_refuses_to_merge_into_a_closed_order(world, parent_status):
    parent = walk(
        intake(world.users, world.customer, business_type=B.REPAIR, topic_code="outage_info"),
        world.users,
        world.county,
        parent_status,
    )
    order = intake(world.users, world.customer)

    with pytest.raises(ValidationFailed) as exc:
        s.workorder_merge(order=order, actor=world.users["agent"], parent=parent)

    assert "parent" in exc.value.fields
    assert fresh(order).status == S.ACCEPTED
    assert fresh(parent).version == parent.version


def test_a_merge_moves_the_contact_count_to_the_parent_and_records_it_there(world):
    users = world.users
    child = intake(users, world.customer)
    child = s.workorder_intake(
        actor=users["agent"],
        business_type=B.REPAIR,
        topic=child.topic,
        channel="95598",
        description="还是没电",
        customer=world.customer,
    ).order
    assert child.contact_count == 2
    parent = world.parent()
    parent_events = len(events_of(parent))

    child = s.workorder_merge(order=child, actor=users["agent"], parent=parent, note="同一停电事件")

    parent = fresh(parent)
    assert child.status == S.MERGED and child.parent == parent
    assert parent.contact_count == 3
    assert parent.version == 2
    events = events_of(parent)
    assert len(events) == parent_events + 1
    merged = events[-1]
    assert merged.kind == EventKind.CHILD_MERGED
    assert merged.actor == users["agent"]
    assert merged.data == {
        "child": child.number,
        "before": {"contact_count": 1},
        "after": {"contact_count": 3},
    }
    assert events_of(child)[-1].data["parent"] == parent.number


def test_a_retried_merge_counts_the_childs_contacts_once(world):
    child = intake(world.users, world.customer)
    parent = world.parent()

    for _ in range(2):
        s.workorder_merge(order=child, actor=world.users["agent"], parent=parent, request_id="merge-1")

    parent = fresh(parent)
    assert parent.contact_count == 2
    assert [e.kind for e in events_of(parent)].count(EventKind.CHILD_MERGED) == 1
    assert [e.kind for e in events_of(child)].count(EventKind.MERGE) == 1


def test_it_refuses_a_merge_into_an_order_the_actor_cannot_see(world):
    east_agent = UserFactory.with_role("agent", world.county.east)
    order = s.workorder_intake(
        actor=east_agent,
        business_type=B.REPAIR,
        topic=world.parent().topic,
        channel="95598",
        description="停电",
        customer=world.customer,
        force_new=True,
        override_reason="不同地点",
    ).order
    hidden_parent = world.parent()  # held by the county: outside the east station's subtree

    with pytest.raises(ValidationFailed) as exc:
        s.workorder_merge(order=order, actor=east_agent, parent=hidden_parent)

    assert "parent" in exc.value.fields
    assert fresh(order).status == S.ACCEPTED


# --- reopen and notes on closed orders ------------------------------------------------------------


def test_an_archived_order_can_be_reopened_and_goes_back_to_the_first_unit(world):
    order = walk(intake(world.users, world.customer), world.users, world.county, S.ARCHIVED)

    order = s.workorder_reopen(order=order, actor=world.users["dispatcher"], reason="同一问题再次出现")

    order = fresh(order)
    assert order.status == S.ACCEPTED
    assert order.unit == world.county.county
    assert order.closed_at is None
    assert order.reopen_count == 1


@pytest.mark.parametrize("status", [S.ARCHIVED, S.MERGED])
def test_a_note_can_be_added_to_a_closed_order(world, status):
    order = walk(intake(world.users, world.customer), world.users, world.county, status)

    order = s.workorder_note_add(order=order, actor=world.users["agent"], text="客户来电补充说明")

    event = events_of(order)[-1]
    assert (event.kind, event.note) == (EventKind.NOTE, "客户来电补充说明")
    assert (event.from_status, event.to_status) == (status, status)
    assert fresh(order).status == status
