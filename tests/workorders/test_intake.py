"""Taking a call: a new order or a repeat call linked to an earlier one, idempotent on the caller's key."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.db import connection

from powerdesk.core import refcache
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.core.errors import IdempotencyMismatch, NotFound, NotPermitted, ValidationFailed
from powerdesk.customers.models import CustomerType
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import (
    BusinessType,
    Channel,
    EventKind,
    Priority,
    RepeatAction,
    StateGroup,
    Status,
)
from powerdesk.workorders.models import (
    Contact,
    RepeatCallAction,
    RepeatCallRule,
    SubType,
    WorkOrder,
    WorkOrderEvent,
)
from tests.factories import CustomerFactory, UserFactory, topic
from tests.statements import statements
from tests.workorders.helpers import events_of, fresh, walk

# Monday 2026-11-16 10:00 in the business time zone.
T0 = dt.datetime(2026, 11, 16, 10, 0, tzinfo=BUSINESS_TZ)


def take_call(
    users, customer, *, actor="agent", topic_code="fault_repair", description="家里停电了", **kwargs
):
    kwargs.setdefault("business_type", BusinessType.REPAIR)
    kwargs.setdefault("channel", Channel.HOTLINE)
    return s.workorder_intake(
        actor=users[actor] if isinstance(actor, str) else actor,
        topic=topic(topic_code),
        description=description,
        customer=customer,
        caller_phone="13812345678",
        **kwargs,
    )


def rows() -> tuple[int, int, int]:
    return WorkOrder.objects.count(), Contact.objects.count(), WorkOrderEvent.objects.count()


# --- a new order -----------------------------------------------------------------------------------


def test_intake_opens_an_order_with_its_first_event_and_a_contact(users, county, customer):
    with time_machine.travel(T0, tick=False):
        res = take_call(users, customer, request_id="req-1")

    order = res.order
    assert (res.created, res.repeat, res.replayed) == (True, False, False)
    assert order.status == Status.ACCEPTED and order.version == 1
    assert (order.unit, order.owner, order.customer, order.area) == (
        county.county,
        users["agent"],
        customer,
        county.east_area,
    )
    assert order.address == customer.address
    assert order.created_at == T0 and order.contact_count == 1
    (event,) = events_of(order)
    assert (event.kind, event.to_status, event.actor, event.at) == (
        EventKind.CREATED,
        Status.ACCEPTED,
        users["agent"],
        T0,
    )
    assert event.request_id == "req-1"
    assert event.data["after"] == {
        "status": "accepted",
        "unit": county.county.pk,
        "priority": Priority.NORMAL,
    }
    (contact,) = Contact.objects.filter(order=order)
    assert contact == res.contact
    assert (contact.customer, contact.is_repeat, contact.agent, contact.phone) == (
        customer,
        False,
        users["agent"],
        "13812345678",
    )


def _written_together(sent: list[str]) -> list[str]:
    """The statements that wrote a contact (and with it, an event)."""
    return [q for q in sent if "workorders_contact" in q and q.lstrip().startswith(("INSERT", "WITH"))]


def test_the_first_event_and_the_contact_are_one_statement_with_the_orders_company(users, customer):
    with time_machine.travel(T0, tick=False), statements() as sent:
        res = take_call(users, customer)

    (written,) = _written_together(sent)
    assert written.startswith("WITH") and "workorders_workorderevent" in written
    (event,) = events_of(res.order)
    contact = Contact.objects.get(pk=res.contact.pk)
    assert contact.company_id == event.company_id == res.order.company_id is not None


def test_a_repeat_calls_event_and_contact_are_one_statement_with_the_orders_company(users, customer):
    with time_machine.travel(T0, tick=False):
        first = take_call(users, customer)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False), statements() as sent:
        again = take_call(users, customer)

    assert again.repeat and again.order == first.order
    (written,) = _written_together(sent)
    assert written.startswith("WITH") and "workorders_workorderevent" in written
    repeat_event = events_of(first.order)[-1]
    assert repeat_event.kind == EventKind.REPEAT_CALL
    contact = Contact.objects.get(pk=again.contact.pk)
    assert contact.company_id == repeat_event.company_id == first.order.company_id


def test_order_numbers_are_the_local_date_and_eight_digits_and_never_repeat(users, county):
    # 17:30 UTC on 1 March is already 2 March in Shanghai: the number carries the business date.
    with time_machine.travel(dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC), tick=False):
        numbers = [take_call(users, CustomerFactory(area=county.east_area)).order.number for _ in range(5)]

    assert all(re.fullmatch(r"260302\d{8}", n) for n in numbers), numbers
    assert len(set(numbers)) == 5
    assert sorted(numbers) == numbers  # from one sequence


@pytest.mark.parametrize(
    ("customer_type", "life_support", "priority"),
    [
        (CustomerType.IMPORTANT, False, Priority.HIGH),
        (CustomerType.URBAN_RESIDENT, True, Priority.HIGH),
        (CustomerType.RURAL_RESIDENT, True, Priority.HIGH),
        (CustomerType.URBAN_RESIDENT, False, Priority.NORMAL),
        (CustomerType.COMMERCIAL, False, Priority.NORMAL),
    ],
)
def test_important_and_life_support_customers_get_a_higher_default_priority(
    users, county, customer_type, life_support, priority
):
    customer = CustomerFactory(
        area=county.east_area, customer_type=customer_type, is_life_support=life_support
    )

    assert take_call(users, customer).order.priority == priority


def test_an_explicit_priority_wins_over_the_default(users, county):
    hospital = CustomerFactory(area=county.east_area, customer_type=CustomerType.IMPORTANT)

    assert take_call(users, hospital, priority=Priority.URGENT).order.priority == Priority.URGENT


def test_it_accepts_a_sub_type_of_the_business_type(users, customer):
    sub_type = SubType.objects.get(code="sr_reconnect")

    order = take_call(
        users, customer, business_type=BusinessType.SERVICE_REQUEST, sub_type=sub_type, topic_code="billing"
    ).order

    assert order.sub_type == sub_type


def test_it_refuses_a_sub_type_of_another_business_type(users, customer):
    before = rows()

    with pytest.raises(ValidationFailed) as exc:
        take_call(
            users,
            customer,
            business_type=BusinessType.REPAIR,
            sub_type=SubType.objects.get(code="sr_reconnect"),
        )

    assert list(exc.value.fields) == ["sub_type"]
    assert rows() == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"description": "  "}, "description"),
        ({"channel": "fax"}, "channel"),
        ({"priority": 9}, "priority"),
        ({"business_type": "gossip"}, "business_type"),
    ],
)
def test_it_refuses_invalid_intake_input_with_the_field_named(users, customer, kwargs, field):
    before = rows()

    with pytest.raises(ValidationFailed) as exc:
        take_call(users, customer, **kwargs)

    assert field in exc.value.fields
    assert rows() == before


def test_it_refuses_a_call_without_customer_phone_or_address(users):
    with pytest.raises(ValidationFailed) as exc:
        s.workorder_intake(
            actor=users["agent"],
            business_type=BusinessType.CONSULTATION,
            topic=topic("billing"),
            channel=Channel.HOTLINE,
            description="咨询电价",
        )

    assert "customer" in exc.value.fields


def test_a_call_without_a_customer_record_is_taken_on_the_callers_phone(users):
    res = s.workorder_intake(
        actor=users["agent"],
        business_type=BusinessType.CONSULTATION,
        topic=topic("billing"),
        channel=Channel.HOTLINE,
        description="咨询电价",
        caller_phone="13700000001",
    )

    assert res.created and res.order.customer is None and res.order.caller_phone == "13700000001"


@pytest.mark.parametrize("role", ["repair", "handler", "callback", "norole"])
def test_it_refuses_a_user_whose_role_cannot_take_calls(users, customer, role):
    before = rows()

    with pytest.raises(NotPermitted):
        take_call(users, customer, actor=role)

    assert rows() == before


def test_it_does_not_find_a_customer_of_another_unit(users, county, west_customer):
    east_agent = UserFactory.with_role("agent", county.east)
    before = rows()

    with pytest.raises(NotFound):
        take_call(users, west_customer, actor=east_agent)

    assert rows() == before


# --- repeat calls ----------------------------------------------------------------------------------


def test_a_second_call_about_an_open_order_is_linked_as_a_repeat_call(users, customer):
    first = take_call(users, customer).order

    res = take_call(users, customer, description="还是没电，什么时候来人", channel=Channel.APP)

    assert (res.created, res.repeat) == (False, True)
    order = fresh(first)
    assert res.order == order
    assert order.contact_count == 2 and order.version == 2
    assert WorkOrder.objects.count() == 1
    event = events_of(order)[-1]
    assert (event.kind, event.note) == (EventKind.REPEAT_CALL, "还是没电，什么时候来人")
    assert event.data["before"]["contact_count"] == 1 and event.data["after"]["contact_count"] == 2
    assert event.data["channel"] == Channel.APP
    contacts = list(Contact.objects.filter(order=order).order_by("id"))
    assert [c.is_repeat for c in contacts] == [False, True]
    assert res.contact == contacts[1]


@pytest.fixture
def archived_calls_link(db):
    """A rule set where a call about an archived order within the window is a repeat call, whatever its
    type (the behaviour before the rule had actions): the window tests below test the window."""
    RepeatCallAction.objects.filter(state_group=StateGroup.ARCHIVED).update(action=RepeatAction.LINK)
    refcache.clear()


def test_a_call_within_the_window_after_an_order_was_archived_is_linked(
    users, county, customer, archived_calls_link
):
    with time_machine.travel(T0, tick=False):
        first = walk(take_call(users, customer).order, users, county, Status.ARCHIVED)

    with time_machine.travel(T0 + dt.timedelta(days=6, hours=23), tick=False):
        res = take_call(users, customer, description="又停电了")

    assert res.repeat and res.order == first
    order = fresh(first)
    assert order.contact_count == 2
    assert order.status == Status.ARCHIVED


def test_a_call_after_the_window_opens_a_new_order(users, county, customer):
    with time_machine.travel(T0, tick=False):
        first = walk(take_call(users, customer).order, users, county, Status.ARCHIVED)

    with time_machine.travel(T0 + dt.timedelta(days=7, minutes=1), tick=False):
        res = take_call(users, customer, description="又停电了")

    assert res.created and res.order != first
    assert fresh(first).contact_count == 1


def test_the_window_counts_from_the_last_call_about_the_archived_order(
    users, county, customer, archived_calls_link
):
    """A customer who keeps calling about one event stays on its order: each call restarts the window."""
    with time_machine.travel(T0, tick=False):
        first = walk(take_call(users, customer).order, users, county, Status.ARCHIVED)
    with time_machine.travel(T0 + dt.timedelta(days=5), tick=False):
        assert take_call(users, customer, description="还是不行").order == first
    with time_machine.travel(T0 + dt.timedelta(days=11), tick=False):
        res = take_call(users, customer, description="第三次打来")

    assert res.repeat and res.order == first
    assert fresh(first).contact_count == 3


def test_the_window_counts_from_the_closing_of_an_order_that_stayed_open_long(
    users, county, customer, archived_calls_link
):
    with time_machine.travel(T0, tick=False):
        order = take_call(users, customer).order
    with time_machine.travel(T0 + dt.timedelta(days=20), tick=False):
        first = walk(order, users, county, Status.ARCHIVED)
    with time_machine.travel(T0 + dt.timedelta(days=25), tick=False):
        res = take_call(users, customer, description="修好后又坏了")

    assert res.repeat and res.order == first


def test_a_call_about_another_topic_opens_a_new_order(users, customer):
    first = take_call(users, customer).order

    res = take_call(
        users,
        customer,
        topic_code="billing",
        business_type=BusinessType.CONSULTATION,
        description="电费怎么这么高",
    )

    assert res.created and res.order != first
    assert fresh(first).contact_count == 1


def test_a_call_from_another_customer_opens_a_new_order(users, county, customer):
    first = take_call(users, customer).order

    res = take_call(users, CustomerFactory(area=county.east_area))

    assert res.created and res.order != first


def test_the_third_call_raises_the_priority_once_and_flags_the_order(users, customer):
    first = take_call(users, customer).order
    assert first.priority == Priority.NORMAL

    take_call(users, customer, description="第二次来电")
    second = fresh(first)
    assert (second.contact_count, second.priority, second.is_flagged) == (2, Priority.NORMAL, False)

    take_call(users, customer, description="第三次来电")
    third = fresh(first)
    assert (third.contact_count, third.priority, third.is_flagged) == (3, Priority.HIGH, True)
    assert events_of(third)[-1].data["after"] == {
        "contact_count": 3,
        "priority": Priority.HIGH,
        "is_flagged": True,
    }

    take_call(users, customer, description="第四次来电")
    fourth = fresh(first)
    assert (fourth.contact_count, fourth.priority, fourth.is_flagged) == (4, Priority.HIGH, True)


def test_a_topic_rule_overrides_the_default_window_and_threshold(
    users, county, customer, archived_calls_link
):
    RepeatCallRule.objects.create(topic=topic("billing"), window_days=30, escalate_at=2)
    with time_machine.travel(T0, tick=False):
        first = walk(
            take_call(users, customer, topic_code="billing", business_type=BusinessType.COMPLAINT).order,
            users,
            county,
            Status.ARCHIVED,
        )

    # Twenty days later: outside the default 7 days, inside the topic's 30; the second call escalates.
    with time_machine.travel(T0 + dt.timedelta(days=20), tick=False):
        res = take_call(users, customer, topic_code="billing", business_type=BusinessType.COMPLAINT)

    assert res.repeat and res.order == first
    order = fresh(first)
    assert (order.contact_count, order.is_flagged, order.priority) == (2, True, Priority.HIGH)


def test_a_shorter_topic_window_opens_a_new_order_where_the_default_would_link(users, county, customer):
    RepeatCallRule.objects.create(topic=topic("billing"), window_days=1, escalate_at=3)
    with time_machine.travel(T0, tick=False):
        first = walk(
            take_call(users, customer, topic_code="billing", business_type=BusinessType.COMPLAINT).order,
            users,
            county,
            Status.ARCHIVED,
        )

    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        res = take_call(users, customer, topic_code="billing", business_type=BusinessType.COMPLAINT)

    assert res.created and res.order != first


def test_an_inactive_topic_rule_leaves_the_default_in_force(users, county, customer, archived_calls_link):
    RepeatCallRule.objects.create(topic=topic("billing"), window_days=1, escalate_at=3, is_active=False)
    with time_machine.travel(T0, tick=False):
        first = walk(
            take_call(users, customer, topic_code="billing", business_type=BusinessType.COMPLAINT).order,
            users,
            county,
            Status.ARCHIVED,
        )

    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        res = take_call(users, customer, topic_code="billing", business_type=BusinessType.COMPLAINT)

    assert res.repeat and res.order == first


def test_it_refuses_to_ignore_a_repeat_call_without_a_reason(users, customer):
    take_call(users, customer)
    before = rows()

    with pytest.raises(ValidationFailed) as exc:
        take_call(users, customer, force_new=True, override_reason=" ")

    assert list(exc.value.fields) == ["override_reason"]
    assert rows() == before


def test_an_agent_may_open_a_new_order_over_a_repeat_call_with_a_reason(users, customer):
    first = take_call(users, customer).order

    res = take_call(users, customer, force_new=True, override_reason="另一处房产的故障")

    assert res.created and not res.repeat and res.order != first
    assert fresh(first).contact_count == 1
    (created,) = events_of(res.order)
    assert created.kind == EventKind.CREATED
    assert created.data["override"] == {"candidate": first.number, "reason": "另一处房产的故障"}
    assert res.contact.is_repeat is False


# --- idempotency -----------------------------------------------------------------------------------


def test_a_retried_intake_with_the_same_key_replays_the_first_result(users, customer):
    first = take_call(users, customer, idempotency_key="ivr-1")
    before = rows()

    again = take_call(users, customer, idempotency_key="ivr-1")

    assert again.replayed and not first.replayed
    assert (again.order, again.contact, again.created, again.repeat) == (
        first.order,
        first.contact,
        True,
        False,
    )
    assert rows() == before
    assert fresh(first.order).version == 1


def test_a_replayed_repeat_call_is_reported_as_a_repeat(users, customer):
    take_call(users, customer)
    first = take_call(users, customer, idempotency_key="ivr-2", description="第二次")
    before = rows()

    again = take_call(users, customer, idempotency_key="ivr-2", description="第二次")

    assert (again.replayed, again.repeat, again.created) == (True, True, False)
    assert again.contact == first.contact
    assert rows() == before
    assert fresh(first.order).contact_count == 2


def test_it_refuses_the_same_key_with_a_different_request(users, customer):
    take_call(users, customer, idempotency_key="ivr-3")
    before = rows()

    with pytest.raises(IdempotencyMismatch) as exc:
        take_call(users, customer, idempotency_key="ivr-3", description="另一件事")

    assert exc.value.http_status == 409
    assert rows() == before


def test_another_users_request_under_the_same_key_is_not_a_replay(users, county, customer):
    take_call(users, customer, idempotency_key="ivr-4")
    other_agent = UserFactory.with_role("agent", county.county)

    with pytest.raises(IdempotencyMismatch):
        take_call(users, customer, actor=other_agent, idempotency_key="ivr-4")


def _at_once(n: int, call) -> list[object]:
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call(i)
        except Exception as exc:  # inspected by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committing")
def test_concurrent_retries_of_one_intake_make_one_order_and_one_contact(users, customer):
    results = _at_once(8, lambda i: take_call(users, customer, idempotency_key="burst-1"))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.order.pk for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 7
    assert WorkOrder.objects.count() == 1
    assert Contact.objects.count() == 1
    assert WorkOrderEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committing")
def test_simultaneous_calls_of_one_customer_about_one_topic_open_one_order(users, customer):
    results = _at_once(
        6, lambda i: take_call(users, customer, idempotency_key=f"line-{i}", description=f"第{i}路来电")
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.created for r in results) == [False] * 5 + [True]
    (order,) = WorkOrder.objects.all()
    assert order.contact_count == 6
    assert Contact.objects.filter(order=order).count() == 6
    assert WorkOrderEvent.objects.filter(order=order, kind=EventKind.REPEAT_CALL).count() == 5
