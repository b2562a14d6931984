"""Every seeded policy row gives the right clock and due time to an order that matches it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from powerdesk.sla.models import Clock, SlaPolicy
from powerdesk.workorders import services as s
from tests.sla.helpers import SEED, T0, customer_for, expected_due, intake

pytestmark = pytest.mark.django_db

ROWS = {row[0]: row for row in SEED.POLICIES}
SAMPLE_CHANNEL = {"": "app"}  # a row for "any channel" is sampled with an app order
# a topic each business type goes with (a new-connection application is not about a fault)
SAMPLE_TOPIC = {"application": "business_env"}


def _walk_to(trigger, order, users, county, start):
    """Drive the order to the transition that starts the clock, at ``start``."""
    with time_machine.travel(start - dt.timedelta(minutes=30), tick=False):
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
        order = s.workorder_take(order=order, actor=users["handler"])
    if trigger == "arrive":
        with time_machine.travel(start, tick=False):
            return s.workorder_arrive(order=order, actor=users["repair"])
    with time_machine.travel(start - dt.timedelta(minutes=10), tick=False):
        if order.business_type == "repair":
            order = s.workorder_arrive(order=order, actor=users["repair"])
        order = s.workorder_resolve(order=order, actor=users["handler"], result="已处理")
    with time_machine.travel(start, tick=False):
        return s.workorder_reply(order=order, actor=users["handler"], reply_text="已回复客户")


@pytest.mark.parametrize("name", list(ROWS))
def test_each_seeded_policy_row_sets_the_due_time_of_a_matching_order(name, users, county):
    (_, kind, btype, sub, channel, region, ctype, amount, unit, starts, _stops, grade, _note) = ROWS[name]
    customer = customer_for(county, region, ctype)
    with time_machine.travel(T0 - dt.timedelta(hours=2) if starts != "intake" else T0, tick=False):
        order = intake(
            users,
            customer,
            business_type=btype or "complaint",
            sub_type=sub,
            channel=channel or SAMPLE_CHANNEL[""],
            topic_code=SAMPLE_TOPIC.get(btype, "fault_repair"),
        )
    start = T0
    if not SlaPolicy.objects.get(name=name).is_active:
        # The applications' reply rows, retired by applications 0002: their step clocks replace them.
        assert btype == "application"
        assert not Clock.objects.filter(order=order, kind=kind).exists()
        return
    if starts != "intake":
        _walk_to(starts, order, users, county, start)
    clock = Clock.objects.get(order=order, kind=kind, started_at=start)
    assert clock.policy == SlaPolicy.objects.get(name=name)
    assert clock.policy.source_grade == grade
    assert clock.due_at == expected_due(start, amount, unit)


def test_an_order_records_which_policy_row_each_clock_came_from(users, county, customer):
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="repair")
    clock = order.clocks.get(kind="arrival")
    assert clock.policy.name == "抢修到达现场（城区）"
    assert order.due_at == clock.due_at == T0 + dt.timedelta(minutes=45)


def test_a_policy_not_yet_valid_is_not_used(users, county, customer):
    SlaPolicy.objects.filter(name="抢修到达现场（城区）").update(valid_from=dt.date(2030, 1, 1))
    with time_machine.travel(T0, tick=False):
        order = intake(users, customer, business_type="repair")
    assert not order.clocks.filter(kind="arrival").exists()


def test_a_policy_edited_in_the_admin_applies_to_the_next_order_at_once(users, county, client):
    """The reference cache keeps policies per process; a save there clears it (refcache.watch), so the
    admin's edit is not left waiting for the cache to expire."""
    from powerdesk.org.models import User

    with time_machine.travel(T0, tick=False):
        before = intake(users, customer_for(county, "urban", ""), business_type="repair")  # fills the cache
    first = Clock.objects.filter(order=before).order_by("id").first()
    policy = first.policy
    admin = User.objects.create_superuser("policy_admin", password="pw-12345678")
    client.force_login(admin)
    form = client.get(f"/admin/sla/slapolicy/{policy.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"amount": policy.amount + 5, "valid_from": policy.valid_from.isoformat()})
    response = client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    with time_machine.travel(T0, tick=False):
        after = intake(users, customer_for(county, "urban", ""), business_type="repair")
    second = Clock.objects.get(order=after, kind=first.kind)
    assert second.policy_id == policy.pk
    assert second.allowed_seconds > first.allowed_seconds
