"""Two people (or two retries) acting on one order at once: never a silent overwrite, never a double write.

These tests commit for real (``transaction=True``) so that threads, each with its own database
connection, see each other's work (``committing`` puts the seed data back after an earlier flush).
"""

from __future__ import annotations

import pytest

from powerdesk.core.errors import VersionConflict
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import EventKind, Priority, Status
from powerdesk.workorders.models import WorkOrderEvent
from tests.factories import UserFactory
from tests.workorders.helpers import events_of, fresh, intake, run_at_once, walk

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("committing")]


def test_the_second_of_two_people_with_the_same_version_gets_a_conflict(users, county, customer):
    order = walk(intake(users, customer), users, county, Status.DISPATCHED)
    seen = order.version
    other_agent = UserFactory.with_role("agent", county.county)

    s.workorder_escalate(order=order, actor=users["agent"], reason="医院停电", expected_version=seen)
    with pytest.raises(VersionConflict) as exc:
        s.workorder_transfer(
            order=order, actor=users["dispatcher"], unit=county.west, reason="改派", expected_version=seen
        )
    with pytest.raises(VersionConflict):
        s.workorder_escalate(order=order, actor=other_agent, reason="再次升级", expected_version=seen)

    assert exc.value.http_status == 409
    assert "已被他人修改" in exc.value.message
    order = fresh(order)
    assert order.version == seen + 1
    assert (order.unit, order.priority, order.escalation_level) == (county.east, Priority.HIGH, 1)
    assert [e.kind for e in events_of(order)][-1] == EventKind.ESCALATE


def test_two_transitions_fired_at_once_with_one_version_let_exactly_one_through(users, county, customer):
    order = walk(intake(users, customer), users, county, Status.DISPATCHED)
    start_version, start_events = order.version, len(events_of(order))
    v = order.version

    # Take and suspend both leave 已派单: whichever locks the row second finds a newer version.
    results = run_at_once(
        [
            lambda: s.workorder_take(order=order, actor=users["repair"], expected_version=v),
            lambda: s.workorder_suspend(
                order=order, actor=users["dispatcher"], reason="客户要求改期", expected_version=v
            ),
        ]
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert [type(r) for r in results if isinstance(r, Exception)] == [VersionConflict]
    order = fresh(order)
    assert order.status in (Status.IN_PROGRESS, Status.SUSPENDED)
    assert (order.assignee == users["repair"]) == (order.status == Status.IN_PROGRESS)

    # Three more rounds of transitions valid in any open status: one winner a round, two conflicts.
    for _ in range(3):
        v = fresh(order).version
        results = run_at_once(
            [
                lambda v=v: s.workorder_chase(order=order, actor=users["agent"], expected_version=v),
                lambda v=v: s.workorder_escalate(
                    order=order, actor=users["dispatcher"], reason="升级", expected_version=v
                ),
                lambda v=v: s.workorder_note_add(
                    order=order, actor=users["callback"], text="备注", expected_version=v
                ),
            ]
        )
        assert sum(not isinstance(r, Exception) for r in results) == 1, results
        assert [type(r) for r in results if isinstance(r, Exception)] == [VersionConflict] * 2
        assert fresh(order).version == v + 1

    assert fresh(order).version == start_version + 4
    assert len(events_of(order)) == start_events + 4


def test_concurrent_chases_without_a_version_are_all_counted(users, county, customer):
    order = walk(intake(users, customer), users, county, Status.DISPATCHED)
    chases_before = WorkOrderEvent.objects.filter(order=order, kind=EventKind.CHASE).count()

    results = run_at_once([lambda: s.workorder_chase(order=order, actor=users["agent"]) for _ in range(6)])

    assert not [r for r in results if isinstance(r, Exception)]
    order = fresh(order)
    assert order.chase_count == 6
    assert WorkOrderEvent.objects.filter(order=order, kind=EventKind.CHASE).count() == chases_before + 6


def test_a_retried_transition_with_the_same_request_id_is_applied_once(users, county, customer):
    order = walk(intake(users, customer), users, county, Status.DISPATCHED)
    v = order.version

    first = s.workorder_escalate(
        order=order, actor=users["agent"], reason="升级", expected_version=v, request_id="req-esc-1"
    )
    again = s.workorder_escalate(
        order=order, actor=users["agent"], reason="升级", expected_version=v, request_id="req-esc-1"
    )

    assert first.version == again.version == v + 1
    order = fresh(order)
    assert (order.priority, order.escalation_level) == (Priority.HIGH, 1)
    assert WorkOrderEvent.objects.filter(order=order, request_id="req-esc-1").count() == 1


def test_concurrent_retries_of_one_request_are_applied_once(users, county, customer):
    order = walk(intake(users, customer), users, county, Status.DISPATCHED)
    v = order.version

    results = run_at_once(
        [
            lambda: s.workorder_escalate(
                order=order, actor=users["agent"], reason="升级", expected_version=v, request_id="req-esc-2"
            )
            for _ in range(5)
        ]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert {r.version for r in results} == {v + 1}
    order = fresh(order)
    assert (order.version, order.escalation_level) == (v + 1, 1)
    assert WorkOrderEvent.objects.filter(order=order, request_id="req-esc-2").count() == 1
