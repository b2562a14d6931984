"""What a small demo load contains: the county, its customers, and orders of every kind and stage."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from powerdesk.customers.models import Customer, CustomerPhone, CustomerType
from powerdesk.org.models import ServiceHall, Unit, UnitKind
from powerdesk.workorders.choices import BusinessType, EventKind, Status
from powerdesk.workorders.models import Contact, Topic, WorkOrder, WorkOrderEvent
from tests.demo.conftest import NOW


def test_it_applies_every_planned_step_through_the_services(small_demo, db):
    assert small_demo.problems == []
    assert small_demo.orders >= 60
    assert small_demo.events > 3 * small_demo.orders


def test_it_builds_the_county_with_five_stations_and_about_sixty_areas(small_demo, db):
    county = Unit.objects.get(code="QX")
    assert county.name == "青溪县供电公司"
    assert county.kind == UnitKind.COUNTY
    assert county.parent.kind == UnitKind.CITY and county.parent.parent.kind == UnitKind.PROVINCE
    stations = Unit.objects.filter(parent=county, kind=UnitKind.STATION)
    assert stations.count() == 5
    assert Unit.objects.get(code="QX-DQ").name == "东桥供电所"
    assert {s.region_class for s in stations} == {"urban", "rural", "remote"}
    areas = Unit.objects.filter(kind=UnitKind.AREA)
    assert 55 <= areas.count() <= 65
    assert all(a.parent.kind == UnitKind.STATION for a in areas.select_related("parent"))
    assert all(a.manager_name and re.fullmatch(r"13[789]\d{8}", a.manager_phone) for a in areas)
    halls = ServiceHall.objects.all()
    assert 2 <= halls.count() <= 3
    assert all(h.opening_hours for h in halls)


def test_it_creates_customers_in_county_proportions_with_unique_accounts_and_phones(small_demo, db):
    customers = Customer.objects.all()
    assert customers.count() == 300
    by_type = Counter(customers.values_list("customer_type", flat=True))
    assert 130 <= by_type[CustomerType.URBAN_RESIDENT] <= 160
    assert 105 <= by_type[CustomerType.RURAL_RESIDENT] <= 135
    assert 18 <= by_type[CustomerType.COMMERCIAL] <= 30
    assert 5 <= by_type[CustomerType.INDUSTRIAL] <= 14
    assert 1 <= by_type[CustomerType.IMPORTANT] <= 6
    accounts = list(customers.values_list("account_no", flat=True))
    assert all(re.fullmatch(r"\d{10}", a) for a in accounts)
    assert len(set(accounts)) == len(accounts)
    assert not customers.filter(phones__isnull=True).exists()
    assert CustomerPhone.objects.values("number").distinct().count() == CustomerPhone.objects.count()
    assert customers.filter(is_life_support=True).exists()
    rural = customers.filter(customer_type=CustomerType.RURAL_RESIDENT)
    assert all(re.search(r"\d+组\d+号$", c.address) for c in rural)
    important = customers.filter(customer_type=CustomerType.IMPORTANT)
    assert all(
        re.search(
            r"医院|保健院|学|政府|办事处|邮政|广播|水厂|污水|公安|消防|卫生|派出所|幼儿园|敬老院|中心|气象",
            c.name,
        )
        for c in important
    )


def test_it_covers_every_business_type_and_several_states(small_demo, db):
    orders = WorkOrder.objects.all()
    assert set(orders.values_list("business_type", flat=True)) == set(BusinessType.values)
    statuses = set(orders.values_list("status", flat=True))
    assert Status.ARCHIVED in statuses
    assert len(statuses) >= 4
    assert statuses & {
        Status.DISPATCHED,
        Status.IN_PROGRESS,
        Status.ON_SITE,
        Status.RESOLVED,
        Status.REPLIED,
        Status.SUSPENDED,
        Status.RETURNED,
        Status.ACCEPTED,
    }
    types = Counter(orders.values_list("business_type", flat=True))
    assert types.most_common(1)[0][0] == BusinessType.REPAIR
    assert orders.exclude(channel="95598").exists()
    assert len(set(orders.values_list("topic", flat=True))) >= Topic.objects.count() - 2


def test_it_records_repeat_calls_and_flags_an_order_on_the_third_call(small_demo, db):
    assert Contact.objects.filter(is_repeat=True).exists()
    assert WorkOrderEvent.objects.filter(kind=EventKind.REPEAT_CALL).exists()
    flagged = WorkOrder.objects.filter(contact_count__gte=3, is_flagged=True)
    assert flagged.exists()
    order = flagged.first()
    assert order.contacts.filter(is_repeat=True).count() >= 2


def test_it_walks_orders_along_the_side_paths(small_demo, db):
    kinds = set(WorkOrderEvent.objects.values_list("kind", flat=True))
    for kind in (
        EventKind.DISPATCH,
        EventKind.TAKE,
        EventKind.ARRIVE,
        EventKind.RESOLVE,
        EventKind.REPLY,
        EventKind.CALLBACK,
        EventKind.ARCHIVE,
        EventKind.ANSWER,
        EventKind.TRANSFER,
        EventKind.RETURN,
        EventKind.SUSPEND,
        EventKind.RESUME,
        EventKind.ESCALATE,
        EventKind.CHASE,
        EventKind.REOPEN,
        EventKind.MERGE,
    ):
        assert kind in kinds, kind
    assert WorkOrder.objects.filter(status=Status.MERGED, parent__isnull=False).exists()
    assert WorkOrder.objects.filter(reopen_count__gte=1).exists()


def test_it_places_every_step_in_the_last_ninety_days_in_order(small_demo, db):
    events = WorkOrderEvent.objects.select_related("order")
    assert all(NOW - dt.timedelta(days=91) <= e.at <= NOW for e in events)
    for order in WorkOrder.objects.prefetch_related("events"):
        times = [e.at for e in order.events.all()]
        assert times == sorted(times)
        assert order.events.all()[0].kind == EventKind.CREATED
        assert order.number.startswith(order.created_at.astimezone(NOW.tzinfo).strftime("%y%m%d"))


def test_it_gives_each_step_to_the_role_that_does_it(small_demo, db):
    expected = {
        EventKind.CREATED: {"agent", "portal"},  # the portal's account takes what customers send online
        EventKind.DISPATCH: {"dispatcher"},
        EventKind.TAKE: {"repair", "handler"},
        EventKind.ARRIVE: {"repair"},
        EventKind.CALLBACK: {"callback"},
        EventKind.ARCHIVE: {"callback"},
        EventKind.ANSWER: {"agent"},
    }
    for kind, roles in expected.items():
        seen = set(WorkOrderEvent.objects.filter(kind=kind).values_list("actor__role__code", flat=True))
        assert seen and seen <= roles, (kind, seen)
    outsourced = WorkOrderEvent.objects.filter(kind=EventKind.TAKE, actor__is_outsourced=True)
    assert outsourced.exists()


def test_it_answers_some_surveys_and_fills_one_opinion_box(small_demo, db):
    from powerdesk.feedback.models import OpinionEntry, SurveyInvitation, SurveyResponse

    assert SurveyInvitation.objects.filter(order__isnull=False).exists()  # archiving sent the links
    assert small_demo.surveys == SurveyResponse.objects.count() > 0
    assert WorkOrderEvent.objects.filter(kind="survey_answered").count() == small_demo.surveys
    assert OpinionEntry.objects.count() == 1


def test_its_sensitive_customers_carry_a_reason_and_a_day_before_now(small_demo, db):
    from powerdesk.customers.models import Customer

    flagged = list(Customer.objects.filter(is_sensitive=True))
    assert flagged
    for customer in flagged:
        assert customer.sensitive_reason and customer.sensitive_since < small_demo.now.date()


def test_some_open_orders_are_at_risk_with_their_reasons(small_demo, db):
    from powerdesk.risk.models import OrderRisk
    from powerdesk.risk.selectors import threshold

    at_risk = OrderRisk.objects.filter(score__gte=threshold())
    assert at_risk.exists() and not small_demo.problems
    assert all(r.reasons and r.alerted_at is not None for r in at_risk)


def test_it_queues_the_first_triage_model_for_the_worker_to_train_and_activate(small_demo, db):
    import json

    from django.db import connection

    from powerdesk.triage.models import TrainingRun

    assert small_demo.triage_training
    run = TrainingRun.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT queue_name, args FROM procrastinate_jobs WHERE task_name LIKE %s", ["%train_model"]
        )
        rows = [(q, json.loads(a) if isinstance(a, str) else a) for q, a in cursor.fetchall()]
    assert rows == [("triage", {"run_id": run.pk, "activate_if_none": True})]
