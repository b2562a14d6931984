"""The customer is told at each step of the order (accepted, dispatched for field work, replied, closed),
at the caller's or the account holder's number, once per step, unless they opted out or it is night."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from powerdesk.core import refcache
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.notify.customer_messages import customer_message_enqueue
from powerdesk.notify.extensions import customer_message_context
from powerdesk.notify.models import CustomerOptOut, Notification, NotificationState, QuietHours
from powerdesk.notify.services import notification_send
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import BusinessType, Channel, Status
from powerdesk.workorders.models import SubType, WorkOrder
from tests.factories import CustomerFactory, topic
from tests.notify.conftest import job_targets, send_jobs
from tests.workorders.helpers import intake, walk

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=BUSINESS_TZ)  # a Monday morning
NIGHT = dt.datetime(2026, 11, 16, 22, 30, tzinfo=BUSINESS_TZ)
MORNING = dt.datetime(2026, 11, 17, 8, 0, tzinfo=BUSINESS_TZ)  # the seeded quiet hours: 21:00–08:00


def customer_messages(order: WorkOrder) -> list[Notification]:
    return list(
        Notification.objects.filter(order=order, recipient_user__isnull=True)
        .select_related("template")
        .order_by("id")
    )


def text_of(notification: Notification) -> str:
    return notification.template.render(notification.context)[1]


@pytest.fixture(autouse=True)
def daytime():
    with time_machine.travel(DAY, tick=False):
        yield


def test_the_seeded_order_accepted_sms_is_now_sent(users, customer):
    order = intake(users, customer, business_type=BusinessType.CONSULTATION, topic_code="billing")
    [message] = customer_messages(order)
    assert message.template.code == "order_accepted" and message.state == NotificationState.PENDING
    assert message.recipient_address == "13812345678" and message.send_after is None
    assert message.pk in job_targets(send_jobs())
    assert order.number in text_of(message)


def test_a_repair_order_tells_the_caller_at_each_step(users, customer, county):
    order = intake(users, customer)
    [accepted] = customer_messages(order)
    assert accepted.template.code == "order_accepted_repair"
    # the promised time is the order's due time, as its clocks set it
    due = order.due_at.astimezone(BUSINESS_TZ)
    assert f"{due:%m}月{due:%d}日{due:%H:%M}" in text_of(accepted)

    order = s.workorder_dispatch(
        order=order, actor=users["dispatcher"], unit=county.east, assignee=users["repair"]
    )
    dispatched = customer_messages(order)[-1]
    assert dispatched.template.code == "customer_dispatched"
    text = text_of(dispatched)
    assert users["repair"].display_name in text and "13900000000" in text  # the 台区经理's number
    assert "李台区" in text

    order = walk(order, users, county, Status.REPLIED)
    assert customer_messages(order)[-1].template.code == "customer_replied"
    order = walk(order, users, county, Status.ARCHIVED)
    codes = [m.template.code for m in customer_messages(order)]
    assert codes == ["order_accepted_repair", "customer_dispatched", "customer_replied", "customer_closed"]
    assert {m.recipient_address for m in customer_messages(order)} == {"13812345678"}
    assert all(m.state == NotificationState.PENDING for m in customer_messages(order))


def test_work_that_is_not_field_work_is_not_announced_at_dispatch(users, customer, county):
    order = intake(users, customer, business_type=BusinessType.OPINION, topic_code="billing")
    order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
    assert [m.template.code for m in customer_messages(order)] == ["order_accepted"]


def test_a_rule_for_the_sub_type_wins_over_the_types_rule(users, customer):
    order = intake(users, customer, sub_type=SubType.objects.get(code="repair_safety"))
    assert [m.template.code for m in customer_messages(order)] == ["order_accepted_safety"]


def test_an_opted_out_customer_is_not_sent_the_message_and_the_order_says_why(users, customer):
    CustomerOptOut.objects.create(customer=customer, channel="sms")
    order = intake(users, customer)
    [message] = customer_messages(order)
    assert message.state == NotificationState.SUPPRESSED and message.suppressed_reason == "opted_out"
    assert message.pk not in job_targets(send_jobs())
    assert notification_send(notification_id=message.pk).state == NotificationState.SUPPRESSED


def test_an_opt_out_of_another_channel_does_not_hold_the_sms_back(users, customer):
    CustomerOptOut.objects.create(customer=customer, channel="wechat")
    [message] = customer_messages(intake(users, customer))
    assert message.state == NotificationState.PENDING


def test_a_message_in_the_quiet_hours_waits_for_their_end(users, customer, outbox):
    with time_machine.travel(NIGHT, tick=False):
        order = intake(users, customer)
        [message] = customer_messages(order)
        assert message.state == NotificationState.PENDING and message.send_after == MORNING
        [job] = [j for j in send_jobs() if message.pk in j.args["notification_ids"]]
        assert job.scheduled_at == MORNING
        # a send asked for early (a retry, a hand-run job) leaves it waiting
        assert notification_send(notification_id=message.pk).state == NotificationState.PENDING
    with time_machine.travel(MORNING + dt.timedelta(seconds=1), tick=False):
        assert notification_send(notification_id=message.pk).state == NotificationState.SENT


def test_quiet_hours_switched_off_hold_nothing_back(users, customer):
    QuietHours.objects.update(is_active=False)
    refcache.clear()  # an update() sends no save signal; an administrator's save in the admin does
    with time_machine.travel(NIGHT, tick=False):
        [message] = customer_messages(intake(users, customer))
    assert message.send_after is None


def test_an_exempt_category_passes_both_the_opt_out_and_the_quiet_hours(users, customer):
    """A safety message (安全隐患受理) is told at once, at night, to a customer who opted out."""
    CustomerOptOut.objects.create(customer=customer, channel="sms")
    with time_machine.travel(NIGHT, tick=False):
        order = intake(users, customer, sub_type=SubType.objects.get(code="repair_safety"))
    [message] = customer_messages(order)
    assert message.template.category_id == "safety"
    assert message.state == NotificationState.PENDING and message.send_after is None
    assert message.pk in job_targets(send_jobs())


def test_staff_notifications_are_not_held_back_by_the_customers_wishes(users, customer):
    from tests.notify.helpers import enqueue

    CustomerOptOut.objects.create(customer=customer, channel="sms")
    order = intake(users, customer)
    with time_machine.travel(NIGHT, tick=False):
        staff = enqueue(recipient_user=users["handler"], order=order, template_code="order_accepted")
    assert staff.state == NotificationState.PENDING and staff.send_after is None


def _intake(users, customer, *, business_type, topic_code, **caller):
    return s.workorder_intake(
        actor=users["agent"],
        business_type=business_type,
        topic=topic(topic_code),
        channel=Channel.HOTLINE,
        description="想办理过户",
        customer=customer,
        **caller,
    ).order


def test_an_order_message_goes_to_the_caller_and_an_account_message_to_the_account_holder(users, county):
    holder = CustomerFactory(area=county.east_area, phone="13700000001")
    order = _intake(
        users,
        holder,
        business_type=BusinessType.APPLICATION,
        topic_code="business_env",
        caller_phone="13600000002",
    )
    assert [m.recipient_address for m in customer_messages(order)] == ["13600000002"]  # 受理: the caller
    order = walk(order, users, county, Status.ARCHIVED)
    closed = customer_messages(order)[-1]
    assert closed.template.code == "account_closed" and closed.recipient_address == "13700000001"
    assert holder.account_no in text_of(closed)


def test_a_caller_who_withheld_the_number_is_not_sent_anything_and_the_order_says_why(users, customer):
    order = _intake(
        users, customer, business_type=BusinessType.REPAIR, topic_code="fault_repair", caller_withheld=True
    )
    [message] = customer_messages(order)
    assert message.state == NotificationState.SUPPRESSED and message.suppressed_reason == "no_number"
    assert message.recipient_address == "" and message.pk not in job_targets(send_jobs())


def test_a_step_is_told_at_most_once(users, customer, county):
    order = intake(users, customer)
    assert customer_message_enqueue(order=order, step="accepted") is None  # a retry of the same step
    order = walk(order, users, county, Status.REPLIED)
    order = s.workorder_reopen(
        order=walk(order, users, county, Status.CALLED_BACK), actor=users["callback"], reason="客户说仍未恢复"
    )
    walk(order, users, county, Status.REPLIED)
    codes = [m.template.code for m in customer_messages(order)]
    assert codes.count("customer_replied") == 1 and codes.count("order_accepted_repair") == 1


class Rollback(Exception):
    pass


def test_a_rolled_back_step_leaves_no_message_and_no_job(users, customer):
    before = {j.pk for j in send_jobs()}
    with pytest.raises(Rollback), transaction.atomic():
        order = intake(users, customer)
        assert customer_messages(order)
        raise Rollback
    assert not Notification.objects.filter(recipient_user__isnull=True).exists()
    assert {j.pk for j in send_jobs()} == before


def test_other_apps_add_variables_to_a_steps_message(users, customer, county):
    customer_message_context.register(
        "tests",
        "tests.survey",
        lambda order, step: {"survey_url": "https://x.test/s/1"} if step == "closed" else {},
    )
    try:
        order = intake(users, customer, business_type=BusinessType.CONSULTATION, topic_code="billing")
        order = s.workorder_answer(order=order, actor=users["agent"], answer="电价按阶梯计算")
    finally:
        customer_message_context._entries.pop("tests.survey")
    closed = customer_messages(order)[-1]
    assert closed.template.code == "customer_closed" and "https://x.test/s/1" in text_of(closed)
    assert "survey_url" not in customer_messages(order)[0].context
