"""Every contact and transition re-scores the order and its customer; the unit head is told once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.notify.models import Notification
from powerdesk.risk.models import CustomerRisk, OrderRisk
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import BusinessType, Status
from powerdesk.workorders.models import WorkOrderEvent
from tests.workorders.helpers import fresh, intake, walk

pytestmark = pytest.mark.django_db

ANGRY = "又打来了：今晚必须来电！你们的抢修人员态度恶劣"


def codes(order) -> dict[str, int]:
    return {r["code"]: r["points"] for r in OrderRisk.objects.get(order=order).reasons}


def alerts(order) -> list[dict]:
    """The alerts recorded on the order's events (on the event that raised each)."""
    events = WorkOrderEvent.objects.filter(order=order, data__has_key="risk_alert").order_by("id")
    return [e.data["risk_alert"] for e in events]


def test_a_new_order_in_calm_words_is_scored_nothing(users, customer):
    order = intake(users, customer)
    # Nothing to list and nothing to store: a score of nothing is no row (the list and the panels
    # show no risk), and the customer's own score is unchanged.
    assert not OrderRisk.objects.filter(order=order).exists()
    assert not CustomerRisk.objects.filter(customer=customer, score__gt=0).exists()


def test_a_repeat_call_in_angry_words_raises_the_score_and_tells_the_head_once(
    users, county, customer, heads
):
    order = walk(intake(users, customer), users, county, Status.DISPATCHED)
    intake(users, customer, description=ANGRY)
    assert codes(order) == {"angry_wording": 35, "repeat_call": 25}
    risk = OrderRisk.objects.get(order=order)
    assert risk.score == 60 and risk.alerted_at is not None
    sent = Notification.objects.get(order=order, template__code="risk_alert")
    assert (sent.recipient_user, sent.recipient_address) == (heads[0], "13700000001")
    assert [a["notified"] for a in alerts(order)] == [True]
    event = WorkOrderEvent.objects.filter(order=order).order_by("id").last()
    assert event.kind == "repeat_call" and "risk_alert" in event.data  # on the call's own event
    intake(users, customer, description="第三次来电，还是没人来")
    assert OrderRisk.objects.get(order=order).score > 60
    assert Notification.objects.filter(order=order, template__code="risk_alert").count() == 1
    assert len(alerts(order)) == 1
    assert CustomerRisk.objects.get(customer=customer).score == OrderRisk.objects.get(order=order).score


def test_without_a_head_the_alert_is_recorded_unsent(users, county, customer):
    order = walk(intake(users, customer), users, county, Status.DISPATCHED)
    intake(users, customer, description=ANGRY)
    assert [a["notified"] for a in alerts(order)] == [False]
    assert not Notification.objects.filter(template__code="risk_alert").exists()


def test_a_transition_re_scores_the_order(users, county, customer):
    order = walk(intake(users, customer), users, county, Status.DISPATCHED)
    s.workorder_chase(order=order, actor=users["agent"], note="客户催问进度")
    assert codes(order) == {"chase": 15}


def test_a_closed_order_leaves_the_list_and_its_customer_cools_down(users, county, customer):
    order = walk(intake(users, customer), users, county, Status.DISPATCHED)
    intake(users, customer, description=ANGRY)
    walk(fresh(order), users, county, Status.ARCHIVED)
    assert not OrderRisk.objects.filter(order=order).exists()
    assert CustomerRisk.objects.get(customer=customer).score == 0


def test_a_sensitive_customer_and_earlier_complaints_weigh(users, customer):
    intake(
        users,
        customer,
        business_type=BusinessType.COMPLAINT,
        topic_code="hall_service",
        description="营业厅排队",
    )
    customer.is_sensitive = True
    customer.sensitive_reason = "多次反映"
    customer.save()
    order = intake(users, customer)
    assert codes(order) == {"sensitive": 20, "earlier_complaint": 15}


def test_clocks_past_their_warning_point_or_deadline_weigh(users, county, customer):
    t0 = dt.datetime(2026, 12, 1, 19, 15, tzinfo=BUSINESS_TZ)
    with time_machine.travel(t0, tick=False):
        order = intake(users, customer)
    with time_machine.travel(t0 + dt.timedelta(days=30), tick=False):
        s.workorder_note_add(order=order, actor=users["agent"], text="客户来电询问")
    assert set(codes(order)) == {"clock_breached"}


def test_the_customer_page_shows_the_customers_score(client, users, county, customer):
    from django.urls import reverse

    walk(intake(users, customer), users, county, Status.DISPATCHED)
    intake(users, customer, description=ANGRY)
    client.force_login(users["manager"])
    page = client.get(reverse("customers:detail", args=[customer.account_no])).content.decode()
    assert 'id="customer-risk"' in page and "激烈言辞" in page


def test_a_clock_past_its_warning_point_weighs_before_its_deadline(users, customer):
    t0 = dt.datetime(2026, 12, 1, 19, 15, tzinfo=BUSINESS_TZ)
    with time_machine.travel(t0, tick=False):
        order = intake(users, customer)  # urban: 45 minutes to arrive, warned at 80 %
    with time_machine.travel(t0 + dt.timedelta(minutes=40), tick=False):
        s.workorder_note_add(order=order, actor=users["agent"], text="客户来电询问")
    assert codes(order).get("clock_near") == 10 and "clock_breached" not in codes(order)


def test_a_transition_that_raises_the_alert_records_it_on_its_own_event(users, county, customer, heads):
    order = walk(intake(users, customer), users, county, Status.DISPATCHED)
    intake(users, customer, description="再次来电询问进度")  # 25: below the threshold
    before = WorkOrderEvent.objects.filter(order=order).count()
    for note in ("客户催问", "客户再次催问"):
        order = s.workorder_chase(order=fresh(order), actor=users["agent"], note=note)
    assert WorkOrderEvent.objects.filter(order=order).count() == before + 2  # one event per chase
    last = WorkOrderEvent.objects.filter(order=order).order_by("id").last()
    assert last.kind == "chase" and last.data["risk_alert"]["score"] == 55


def test_a_rescoring_records_its_alert_in_an_event_of_its_own(users, county, customer, heads):
    from powerdesk.risk.services import open_orders_rescore

    t0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=BUSINESS_TZ)
    with time_machine.travel(t0, tick=False):
        order = walk(intake(users, customer), users, county, Status.DISPATCHED)
        for note in ("客户催问", "客户再次催问"):
            order = s.workorder_chase(order=order, actor=users["agent"], note=note)
    assert not alerts(order)
    with time_machine.travel(t0 + dt.timedelta(days=30), tick=False):
        open_orders_rescore()
    last = WorkOrderEvent.objects.filter(order=order).order_by("id").last()
    assert last.kind == "risk_alert" and last.data["risk_alert"]["notified"] is True


def test_without_a_head_of_its_own_the_unit_above_is_told(users, county, customer):
    from powerdesk.org.models import UnitHead
    from tests.factories import UserFactory

    county_head = UserFactory.with_role("manager", county.county, username="county_head", phone="13700000002")
    UnitHead.objects.create(unit=county.county, user=county_head)
    order = walk(intake(users, customer), users, county, Status.DISPATCHED)  # at east, which has no head
    intake(users, customer, description=ANGRY)
    assert Notification.objects.get(order=order, template__code="risk_alert").recipient_user == county_head


def test_the_order_detail_api_carries_the_score_and_its_reasons(users, county, customer):
    from django.urls import reverse

    from tests.api.conftest import client_for

    order = walk(intake(users, customer), users, county, Status.DISPATCHED)
    intake(users, customer, description=ANGRY)
    answer = client_for(users["manager"]).get(reverse("api-v1-workorder-detail", args=[order.number])).json()
    assert answer["risk"]["score"] == 60
    assert [r["code"] for r in answer["risk"]["reasons"]] == ["angry_wording", "repeat_call"]
    assert answer["risk"]["alerted_at"] is not None and answer["risk"]["reason_texts"]


def test_the_standing_of_clocks_just_planned_is_the_standing_read_back(users, customer):
    """The intake scores a new order from the clocks sla just wrote (held in memory, not read back):
    the same standing as reading them, before the warning point, past it and past the deadline."""
    from powerdesk.sla.models import Clock
    from powerdesk.sla.selectors import order_clock_standing

    order = intake(users, customer)
    held = list(Clock.objects.filter(order=order))
    assert held
    due = min(c.due_at for c in held)
    start = min(c.started_at for c in held)
    for at in (start, start + (due - start) * 0.9, due, due + dt.timedelta(hours=1)):
        company = order.company_id
        assert order_clock_standing(order.pk, company_id=company, at=at, clocks=held) == order_clock_standing(
            order.pk, company_id=company, at=at
        )


def test_the_intake_does_not_read_its_own_clocks_back(users, customer):
    from tests.statements import statements

    with statements() as sent:
        intake(users, customer)
    assert not [q for q in sent if q.lstrip().upper().startswith("SELECT") and '"sla_clock"' in q]
