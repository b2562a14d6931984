"""Chases escalate as the policy says, a bounded number of times (#12 item 10): twenty chases of a repair
order raised its escalation level to 19 and its priority to the top after the second."""

from __future__ import annotations

import pytest
import time_machine

from powerdesk.sla import rules
from powerdesk.sla.models import SlaPolicy
from powerdesk.workorders import services as s
from tests.sla.helpers import T0, intake

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("count", "every", "cap", "due"),
    [
        (1, 2, 1, False),
        (2, 2, 1, True),
        (3, 2, 1, False),
        (4, 2, 1, False),  # capped: one escalation from chases
        (4, 2, 2, True),
        (6, 2, 2, False),
        (3, 3, 0, False),  # a cap of 0: chases never escalate
        (5, None, 1, False),
    ],
)
def test_the_rule_escalates_on_every_nth_chase_up_to_the_cap(count, every, cap, due):
    assert rules.chase_escalation_due(count, every=every, cap=cap) is due


def test_twenty_chases_escalate_once_with_the_seeded_policy(users, county, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="repair")
        for _ in range(20):
            order = s.workorder_chase(order=order, actor=users["agent"], note="客户催促")
    assert order.chase_count == 20
    assert order.escalation_level == 1
    assert order.events.filter(kind="chase").count() == 20


def test_the_cap_is_data(users, county, customer):
    for policy in SlaPolicy.objects.filter(chase_escalate_at__isnull=False):
        policy.chase_escalate_max = 3
        policy.save()  # as the admin does (the reference cache follows saves)
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="repair")
        for _ in range(20):
            order = s.workorder_chase(order=order, actor=users["agent"])
    assert order.escalation_level == 3
