"""The buttons an order page offers: the table, the user's role and the rules of the order's type agree
with what the services would accept."""

from __future__ import annotations

import pytest
from django.db import transaction

from powerdesk.core.errors import DomainError
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import BusinessType, Satisfaction, Status
from powerdesk.workorders.selectors import order_transitions_for, transition_refusal
from powerdesk.workorders.transitions import TRANSITIONS
from tests.workorders.helpers import intake, walk


def codes(user, order) -> list[str]:
    return [t.code for t in order_transitions_for(user=user, order=order)]


def test_a_dispatcher_is_offered_dispatch_but_not_the_field_steps(users, customer):
    order = intake(users, customer)

    assert codes(users["dispatcher"], order) == [
        "dispatch",
        "chase",
        "escalate",
        "merge",
        "call_out",
        "reclassify",
        "note",
    ]
    assert codes(users["repair"], order) == ["call_out", "note"]


def test_arrival_is_offered_for_field_work_only(users, county, customer):
    repair = walk(intake(users, customer), users, county, Status.IN_PROGRESS)
    complaint = walk(
        intake(users, customer, business_type=BusinessType.COMPLAINT, topic_code="communication"),
        users,
        county,
        Status.IN_PROGRESS,
    )

    assert "arrive" in codes(users["repair"], repair)
    assert "arrive" not in codes(users["repair"], complaint)


def test_a_repair_order_is_offered_resolve_only_once_on_site(users, county, customer):
    order = walk(intake(users, customer), users, county, Status.IN_PROGRESS)
    assert "resolve" not in codes(users["repair"], order)

    order = s.workorder_arrive(order=order, actor=users["repair"])
    assert "resolve" in codes(users["repair"], order)


@pytest.mark.parametrize(
    ("business_type", "offered"),
    [
        (BusinessType.CONSULTATION, True),
        (BusinessType.PRAISE, True),
        (BusinessType.REPAIR, False),
        (BusinessType.COMPLAINT, False),
    ],
)
def test_the_first_answer_is_offered_for_consultations_and_praise(users, customer, business_type, offered):
    order = intake(users, customer, business_type=business_type)

    assert ("answer" in codes(users["agent"], order)) is offered


def test_archive_is_offered_after_a_satisfied_callback_only(users, county, customer):
    order = walk(intake(users, customer), users, county, Status.REPLIED)
    order = s.workorder_callback(order=order, actor=users["callback"], satisfaction=Satisfaction.DISSATISFIED)

    assert codes(users["callback"], order) == ["reopen", "call_out", "note"]
    assert "客户回访不满意" in transition_refusal(order, "archive")


def test_every_offered_transition_is_accepted_by_its_service(users, county, customer):
    """For orders of several types in several states, the manager is offered exactly what works."""
    samples = [
        (BusinessType.REPAIR, Status.IN_PROGRESS),
        (BusinessType.COMPLAINT, Status.IN_PROGRESS),
        (BusinessType.CONSULTATION, Status.ACCEPTED),
        (BusinessType.REPAIR, Status.CALLED_BACK),
    ]
    for i, (business_type, status) in enumerate(samples):
        order = walk(
            intake(
                users,
                customer,
                business_type=business_type,
                topic_code=["fault_repair", "communication", "billing", "metering"][i],
            ),
            users,
            county,
            status,
        )
        offered = set(codes(users["manager"], order))
        for code in ("arrive", "resolve", "answer", "archive"):
            if status not in TRANSITIONS[code].sources:
                continue
            kwargs = {"resolve": {"result": "已处理"}, "answer": {"answer": "已答复"}}.get(code, {})
            try:
                with_savepoint(lambda: s.SERVICES[code](order=order, actor=users["manager"], **kwargs))
                accepted = True
            except DomainError:
                accepted = False
            assert accepted is (code in offered), (business_type, status, code)


def with_savepoint(call):
    """Run ``call`` and undo it, so the next check sees the same order."""

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            call()
            raise Undo
    except Undo:
        pass
