"""The checklist's "was the customer told, and when" comes from the outages app: the notices of the
outage the complaint is about (the customer's interruption covering the event time, or the outage of a
related order), judged by the outages app's notice rule rows — the one home of the 7-day / 3-day /
1-hour figures."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from powerdesk.complaints import selectors
from powerdesk.complaints.models import ComplaintRecord
from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.outages import delivery
from powerdesk.outages import services as outages
from powerdesk.outages.models import NoticeRule, OutageNotice
from tests.outages import conftest as outage_fixtures
from tests.workorders.helpers import intake

pytestmark = pytest.mark.django_db

net = outage_fixtures.net  # the small network: "home" is a resident, "shop" is commercial

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=BUSINESS_TZ)


def disconnect(users, customer, *, days_ahead: int, told_at: dt.datetime | None, repeat_at=None):
    """An arrears disconnection registered at T0, starting ``days_ahead`` days later; its first notice
    reported sent at ``told_at`` (never, when None) and the repeat one at ``repeat_at``."""
    with time_machine.travel(T0, tick=False):
        outage = outages.outage_create(
            actor=users["dispatcher"],
            kind="arrears",
            title="欠费停电",
            customers=[customer],
            planned_start=T0 + dt.timedelta(days=days_ahead),
            short_notice_reason="催费多次未果" if days_ahead < 7 else "",
        )
    for notice in OutageNotice.objects.filter(outage=outage, customer=customer):
        at = repeat_at if notice.repeat else told_at
        if at is not None:
            delivery.notice_delivery_record(notice=notice, state="sent", at=at)
    return outage


def notice_item(order):
    with time_machine.travel(T0 + dt.timedelta(days=12), tick=False):
        _, checklist, items = selectors.judgment_form_data(order)
    assert checklist.code == "arrears_disconnection_notice"
    return next(i for i in items if i.criterion.code == "notice_missing")


def complain(make_complaint, customer, **facts):
    with time_machine.travel(T0 + dt.timedelta(days=11), tick=False):  # while still cut off
        return make_complaint("complaint_collection", "billing", cust=customer, facts=facts)


def test_a_notice_sent_in_time_meets_the_rule(net, users, make_complaint):
    home = net.customers["home"]
    disconnect(users, home, days_ahead=10, told_at=T0)  # 10 days ahead; a resident needs 7
    item = notice_item(complain(make_complaint, home, overdue_days=45))
    assert (item.answer, item.basis) == ("no", "outage_notices")
    assert "2026-11-02 09:00 发送" in item.note and "滞后" not in item.note


def test_in_time_but_the_arrears_not_known_overdue_long_enough_stays_unknown(net, users, make_complaint):
    home = net.customers["home"]
    disconnect(users, home, days_ahead=10, told_at=T0)
    item = notice_item(complain(make_complaint, home))
    assert (item.answer, item.basis) == ("unknown", "outage_notices")


def test_a_notice_sent_late_breaks_the_rule_and_says_when(net, users, make_complaint):
    home = net.customers["home"]
    outage = disconnect(users, home, days_ahead=2, told_at=T0)  # told 2 days ahead, 7 needed
    item = notice_item(complain(make_complaint, home, overdue_days=45))
    assert (item.answer, item.basis) == ("yes", "outage_notices")
    assert item.note.startswith(f"停电 {outage.number}：")
    assert "应于 2026-10-28 09:00 前通知，2026-11-02 09:00 发送（滞后）" in item.note


def test_no_notice_sent_breaks_the_rule(net, users, make_complaint):
    home = net.customers["home"]
    disconnect(users, home, days_ahead=10, told_at=None)
    item = notice_item(complain(make_complaint, home, overdue_days=45))
    assert (item.answer, item.basis) == ("yes", "outage_notices")
    assert "未发送" in item.note


def test_a_business_needs_the_second_notice_shortly_before(net, users, make_complaint):
    shop = net.customers["shop"]
    start = T0 + dt.timedelta(days=5)
    disconnect(users, shop, days_ahead=5, told_at=T0)  # 3 days needed: in time; no repeat sent
    assert notice_item(complain(make_complaint, shop, overdue_days=45)).answer == "yes"
    OutageNotice.objects.filter(customer=shop, repeat=True).update(sent_at=start - dt.timedelta(hours=2))
    assert notice_item(complain(make_complaint, shop, overdue_days=45)).answer == "no"


def test_changing_the_outages_notice_rule_changes_what_the_checklist_says(net, users, make_complaint):
    home = net.customers["home"]
    disconnect(users, home, days_ahead=2, told_at=T0)
    order = complain(make_complaint, home, overdue_days=45)
    assert notice_item(order).answer == "yes"  # 2 days ahead against the seeded 7
    rule = NoticeRule.objects.get(kind="arrears", audience="residential")
    rule.lead_minutes = 24 * 60
    rule.save()
    item = notice_item(order)
    assert item.answer == "no" and "应于 2026-11-03 09:00 前通知" in item.note


def test_the_outage_of_a_related_order_is_the_one_judged(net, users, make_complaint):
    home = net.customers["home"]
    outage = disconnect(users, home, days_ahead=2, told_at=T0)
    with time_machine.travel(T0 + dt.timedelta(days=20), tick=False):
        outages.outage_restore(outage=outage, actor=users["dispatcher"])
    with time_machine.travel(T0 + dt.timedelta(days=40), tick=False):  # reconnected long ago
        repair = intake(users, home, description="欠费停电后一直没来电")
        order = make_complaint("complaint_collection", "billing", cust=home, facts={"overdue_days": 45})
    assert notice_item(order).basis == ""  # no interruption covers the complaint's time
    outage.order = repair
    outage.save(update_fields=["order"])
    ComplaintRecord.objects.get(order=order).related_orders.add(repair)
    item = notice_item(order)
    assert (item.answer, item.basis) == ("yes", "outage_notices")


def test_without_an_outage_row_the_orders_facts_are_judged_by_the_same_rule(users, make_complaint):
    disconnected = T0 + dt.timedelta(days=10)
    facts = {
        "disconnected_at": disconnected.isoformat(),
        "notice_at": (disconnected - dt.timedelta(days=2)).isoformat(),
        "overdue_days": 45,
    }
    with time_machine.travel(T0 + dt.timedelta(days=11), tick=False):
        order = make_complaint("complaint_collection", "billing", facts=facts)
    item = notice_item(order)
    assert (item.answer, item.basis) == ("yes", "order_facts")
    NoticeRule.objects.filter(kind="arrears").update(lead_minutes=24 * 60, repeat_minutes=0)
    assert notice_item(order).answer == "no"


def test_the_judgment_page_and_api_say_when_the_notice_was_sent(net, users, make_complaint, client, api):
    home = net.customers["home"]
    disconnect(users, home, days_ahead=2, told_at=T0)
    order = complain(make_complaint, home, overdue_days=45)
    with time_machine.travel(T0 + dt.timedelta(days=12), tick=False):
        client.force_login(users["handler"])
        html = client.get(reverse("complaints:judge", args=[order.number])).content.decode()
        body = api("handler").get(reverse("api-v1-complaint-judgment", args=[order.number])).json()
    assert "2026-11-02 09:00 发送（滞后）" in html
    item = next(c for c in body["criteria"] if c["code"] == "notice_missing")
    assert item["prefilled"] == "yes" and item["prefilled_from"] == "outage_notices"
    assert "（滞后）" in item["prefilled_note"]
