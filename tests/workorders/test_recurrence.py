"""What a call about an earlier order of the customer becomes, by the repeat-call rule's actions: a repeat
call on an open order, a new order linked as 复发 after an archived fault, a linked follow-up after
another archived order, a re-open — and the agent's choice over the rule's, with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from powerdesk.core import refcache
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.core.errors import NotPermitted, ValidationFailed
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import (
    BusinessType,
    Channel,
    EventKind,
    LinkKind,
    RepeatAction,
    StateGroup,
    Status,
)
from powerdesk.workorders.models import Contact, OrderLink, RepeatCallAction, RepeatCallRule, WorkOrder
from tests.factories import CustomerFactory, topic
from tests.workorders.helpers import events_of, fresh, walk

T0 = dt.datetime(2026, 11, 16, 10, 0, tzinfo=BUSINESS_TZ)
LATER = T0 + dt.timedelta(days=2)


def call(users, customer, *, actor="agent", topic_code="fault_repair", description="修好后又停电了", **kw):
    kw.setdefault("business_type", BusinessType.REPAIR)
    return s.workorder_intake(
        actor=users[actor],
        topic=topic(topic_code),
        channel=kw.pop("channel", Channel.HOTLINE),
        description=description,
        customer=customer,
        caller_phone="13812345678",
        **kw,
    )


def archived_fault(users, county, customer) -> WorkOrder:
    with time_machine.travel(T0, tick=False):
        return walk(call(users, customer, description="家里停电了").order, users, county, Status.ARCHIVED)


def archived_complaint(users, county, customer) -> WorkOrder:
    with time_machine.travel(T0, tick=False):
        order = call(
            users,
            customer,
            topic_code="billing",
            business_type=BusinessType.COMPLAINT,
            description="电费有误",
        ).order
        return walk(order, users, county, Status.ARCHIVED)


def set_action(business_type: str, state_group: str, action: str, *, rule: RepeatCallRule | None = None):
    rule = rule or RepeatCallRule.objects.get(topic__isnull=True)
    RepeatCallAction.objects.update_or_create(
        rule=rule, business_type=business_type, state_group=state_group, defaults={"action": action}
    )
    refcache.clear()


# --- the seeded rule -------------------------------------------------------------------------------


def test_a_fault_call_after_the_order_was_archived_opens_a_new_order_linked_as_recurrence(
    users, county, customer
):
    first = archived_fault(users, county, customer)

    with time_machine.travel(LATER, tick=False):
        res = call(users, customer)

    assert (res.created, res.repeat) == (True, False)
    assert (res.suggested, res.action) == (RepeatAction.RECUR, RepeatAction.RECUR)
    new = res.order
    assert new != first and new.status == Status.ACCEPTED and new.due_at is not None  # clocks planned
    earlier = fresh(first)
    assert earlier.status == Status.ARCHIVED and earlier.contact_count == 1
    link = OrderLink.objects.get()
    assert (link.order, link.earlier, link.kind) == (new, first, LinkKind.RECURRENCE)
    assert res.link == link
    assert (link.suggested, link.chosen, link.reason) == ("recur", "recur", "")
    # One event on each side, each naming the other order.
    (created,) = events_of(new)
    assert created.data["link"]["kind"] == LinkKind.RECURRENCE
    assert created.data["link"]["order"] == first.number
    last = events_of(earlier)[-1]
    assert last.kind == EventKind.LINKED
    assert last.data["link"] == {
        "kind": "recurrence",
        "order": new.number,
        "rule": RepeatCallRule.objects.get(topic__isnull=True).pk,
        "suggested": "recur",
        "chosen": "recur",
    }
    assert Contact.objects.get(order=new).is_repeat is False


def test_a_call_about_a_resolved_order_is_still_a_repeat_call(users, county, customer):
    with time_machine.travel(T0, tick=False):
        first = walk(call(users, customer).order, users, county, Status.RESOLVED)

    with time_machine.travel(LATER, tick=False):
        res = call(users, customer, description="还是不行")

    assert res.repeat and res.order == first
    assert (res.suggested, res.action) == (RepeatAction.LINK, RepeatAction.LINK)
    assert fresh(first).contact_count == 2
    assert not OrderLink.objects.exists()


def test_a_call_after_another_archived_order_opens_a_linked_follow_up(users, county, customer):
    first = archived_complaint(users, county, customer)

    with time_machine.travel(LATER, tick=False):
        res = call(users, customer, topic_code="billing", business_type=BusinessType.COMPLAINT)

    assert res.created and res.order != first
    assert res.link is not None and (res.link.earlier, res.link.kind) == (first, LinkKind.FOLLOW_UP)


def test_a_call_after_the_window_opens_an_order_with_no_link(users, county, customer):
    archived_fault(users, county, customer)

    with time_machine.travel(T0 + dt.timedelta(days=30), tick=False):
        res = call(users, customer)

    assert res.created and res.link is None and res.suggested == ""
    assert not OrderLink.objects.exists()


# --- the rule as data ------------------------------------------------------------------------------


def test_a_topic_rules_action_wins_over_the_defaults(users, county, customer):
    rule = RepeatCallRule.objects.create(topic=topic("fault_repair"), window_days=7, escalate_at=3)
    set_action("", StateGroup.ARCHIVED, RepeatAction.LINK, rule=rule)
    first = archived_fault(users, county, customer)

    with time_machine.travel(LATER, tick=False):
        res = call(users, customer)

    assert res.repeat and res.order == first


def test_the_rule_may_reopen_the_archived_order(users, county, customer):
    set_action(BusinessType.REPAIR, StateGroup.ARCHIVED, RepeatAction.REOPEN)
    first = archived_fault(users, county, customer)

    with time_machine.travel(LATER, tick=False):
        res = call(users, customer, actor="dispatcher")

    assert (res.created, res.repeat, res.action) == (False, True, RepeatAction.REOPEN)
    order = fresh(first)
    assert (order.status, order.reopen_count) == (Status.ACCEPTED, 1)
    assert events_of(order)[-1].kind == EventKind.REOPEN
    assert WorkOrder.objects.count() == 1


def test_a_reopen_by_the_rule_needs_a_role_that_may_reopen(users, county, customer):
    set_action(BusinessType.REPAIR, StateGroup.ARCHIVED, RepeatAction.REOPEN)
    first = archived_fault(users, county, customer)

    with time_machine.travel(LATER, tick=False), pytest.raises(NotPermitted):
        call(users, customer)

    assert fresh(first).status == Status.ARCHIVED
    assert Contact.objects.count() == 1


# --- the agent's choice ----------------------------------------------------------------------------


def test_an_agent_may_count_the_call_on_the_archived_fault_with_a_reason(users, county, customer):
    first = archived_fault(users, county, customer)

    with time_machine.travel(LATER, tick=False):
        res = call(
            users, customer, repeat_action=RepeatAction.LINK, override_reason="客户询问修复情况，非新故障"
        )

    assert res.repeat and res.order == first and res.action == RepeatAction.LINK
    event = events_of(fresh(first))[-1]
    assert event.kind == EventKind.REPEAT_CALL
    assert event.data["decision"]["suggested"] == "recur"
    assert event.data["decision"]["chosen"] == "link"
    assert event.data["decision"]["reason"] == "客户询问修复情况，非新故障"


def test_an_agent_who_departs_from_the_rule_must_say_why(users, county, customer):
    archived_fault(users, county, customer)
    before = (WorkOrder.objects.count(), Contact.objects.count())

    with time_machine.travel(LATER, tick=False), pytest.raises(ValidationFailed) as exc:
        call(users, customer, repeat_action=RepeatAction.LINK)

    assert list(exc.value.fields) == ["override_reason"]
    assert (WorkOrder.objects.count(), Contact.objects.count()) == before


def test_it_refuses_an_unknown_action(users, customer):
    with pytest.raises(ValidationFailed) as exc:
        call(users, customer, repeat_action="whatever")

    assert list(exc.value.fields) == ["repeat_action"]


def test_force_new_over_an_open_order_opens_an_order_linked_to_it(users, customer):
    first = call(users, customer).order

    res = call(users, customer, force_new=True, override_reason="另一处房产的故障")

    assert res.created and res.action == RepeatAction.NEW
    assert (res.link.earlier, res.link.kind, res.link.reason) == (first, LinkKind.RELATED, "另一处房产的故障")
    assert events_of(fresh(first))[-1].kind == EventKind.LINKED


def test_force_new_after_an_archived_fault_keeps_the_recurrence(users, county, customer):
    first = archived_fault(users, county, customer)

    with time_machine.travel(LATER, tick=False):
        res = call(users, customer, force_new=True, override_reason="确认是新故障")

    assert res.link is not None and (res.link.earlier, res.link.kind) == (first, LinkKind.RECURRENCE)


# --- one click: the contact added to a chosen order ------------------------------------------------


def test_a_contact_can_be_added_to_an_order_the_agent_picked(users, customer):
    first = call(users, customer).order
    other = call(users, customer, force_new=True, override_reason="另一处房产").order  # the newest

    res = call(users, customer, description="再问一下进度", link_to=first)

    assert res.repeat and res.order == first
    assert (fresh(first).contact_count, fresh(other).contact_count) == (2, 1)


def test_a_contact_cannot_be_added_to_another_customers_order(users, county, customer):
    stranger = CustomerFactory(area=county.east_area)
    theirs = call(users, stranger).order

    with pytest.raises(ValidationFailed) as exc:
        call(users, customer, link_to=theirs)

    assert list(exc.value.fields) == ["link_to"]
    assert fresh(theirs).contact_count == 1
