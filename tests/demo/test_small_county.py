"""What one small demo load contains, checked on one load shared by the module (``small_demo``: a
load takes tens of seconds, each check milliseconds):

* the county, its customers, and orders of every kind and stage, replayed through the services;
* the topology: two substations, twelve feeders, a public transformer per 台区 tied to it, every
  customer on a meter point, the hospitals on two supplies;
* every demo login with its unit and role, signing in with the demo password;
* the customers told about their orders: a few opted out, the history recorded as sent;
* the outages: a fault with calls linked to its one order, a planned outage with its notices sent, a
  temporary one flagged for short notice, a storm registered with its script;
* the applications: taken in the hall, moved step by step through the services; and the portal demo
  customer's own, in different steps, with a 销户 waiting for the hall clerk."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.db.models import Count

from powerdesk.applications.models import Application, ApplicationState, DocumentRequest, StepState
from powerdesk.customers import supply
from powerdesk.customers.models import Customer, CustomerPhone, CustomerSupply, CustomerType
from powerdesk.demo.users import DEMO_PASSWORD, DEMO_USERS
from powerdesk.grid.models import Device, DeviceKind, Ownership
from powerdesk.notify.models import CustomerOptOut, Notification, NotificationState
from powerdesk.org.models import ServiceHall, Unit, UnitKind, User
from powerdesk.outages.models import KnownEvent, Outage, OutageCall
from powerdesk.portal.demo import demo_customer, portal_demo_build
from powerdesk.portal.models import AccountBinding, OwnershipProof, PortalAccount, PortalApplication
from powerdesk.portal.selectors import application_track, hall_proofs_waiting
from powerdesk.workorders.choices import BusinessType, EventKind, Status
from powerdesk.workorders.models import Contact, Topic, WorkOrder, WorkOrderEvent
from tests.demo.conftest import NOW

pytestmark = pytest.mark.django_db


# --- the county, customers and orders -------------------------------------------------------------------


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


# --- the topology ---------------------------------------------------------------------------------------


def test_the_demo_topology_is_plausible(small_demo, db):
    kinds = dict(Device.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[DeviceKind.SUBSTATION] == 2 and kinds[DeviceKind.FEEDER] == 12
    assert kinds.get(DeviceKind.SWITCH, 0) + kinds.get(DeviceKind.RECLOSER, 0) == 12
    assert kinds[DeviceKind.FUSE] >= 12
    areas = Unit.objects.filter(kind=UnitKind.AREA)
    public = Device.objects.filter(kind=DeviceKind.TRANSFORMER, ownership=Ownership.PUBLIC)
    assert sorted(public.values_list("area_id", flat=True)) == sorted(areas.values_list("pk", flat=True))
    assert not Device.objects.filter(ownership=Ownership.DEDICATED, area__isnull=False).exists()


def test_every_customer_hangs_under_a_meter_point_and_traces_to_a_substation(small_demo, db):
    assert not Customer.objects.filter(supplies__isnull=True).exists()
    for customer in Customer.objects.order_by("pk")[:20]:
        chain = supply.supply_path(customer)[0]
        assert chain[0].kind == DeviceKind.SUBSTATION and chain[-1].kind == DeviceKind.METER_POINT
        transformer = supply.transformer_of(customer)
        if transformer.ownership == Ownership.PUBLIC:
            assert transformer.area_id == customer.area_id  # the 台区 follows from the supply point
    total = Customer.objects.count()
    substations = list(Device.objects.filter(kind=DeviceKind.SUBSTATION))
    assert supply.customers_below(substations).count() == total
    assert supply.customers_out(substations).count() == total


def test_dual_supply_customers_are_fed_from_both_substations(small_demo, db):
    dual = Customer.objects.annotate(n=Count("supplies")).filter(n=2)
    assert dual.exists()
    for customer in dual:
        roots = {chain[0].pk for chain in supply.supply_path(customer)}
        assert len(roots) == 2
        one = Device.objects.get(pk=supply.supply_path(customer)[0][0].pk)
        assert customer in supply.customers_below(one) and customer not in supply.customers_out(one)
    assert CustomerSupply.objects.filter(is_primary=False).count() == dual.count()


# --- the logins -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "unit_code", "role_code", "label", "full_name"), DEMO_USERS)
def test_each_demo_user_exists_with_its_role_and_can_log_in(
    small_demo, db, client, username, unit_code, role_code, label, full_name
):
    user = User.objects.select_related("unit", "role").get(username=username)
    assert (user.unit.code, user.role.code, user.full_name) == (unit_code, role_code, full_name)
    # Through the login page: the throttle (django-axes) judges every login by its request.
    response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.wsgi_request.user.username == username


def test_only_the_admin_is_staff_and_superuser(small_demo, db):
    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["admin"]
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == ["admin"]


def test_about_thirty_staff_cover_every_role_and_some_crews_are_outsourced(small_demo, db):
    # The system account (org.system, the actor of automatic dispatch) and the portal's accounts (the
    # actor of what customers send online, one per accepting unit) are no one's login and no staff.
    staff = User.objects.select_related("role").exclude(username="system").exclude(role__code="portal")
    assert 25 <= staff.count() <= 35
    roles = Counter(u.role.code for u in staff)
    assert set(roles) == {
        "agent",
        "dispatcher",
        "repair",
        "handler",
        "callback",
        "manager",
        "admin",
        "auditor",
    }
    assert staff.filter(role__code="repair", is_outsourced=True).exists()
    stations = User.objects.filter(role__code="repair").values_list("unit__code", flat=True)
    assert {"QX-DQ", "QX-XC", "QX-HT", "QX-SY", "QX-YL"} <= set(stations)


# --- the customers' messages ----------------------------------------------------------------------------


def test_a_few_customers_opted_out_and_their_messages_were_held_back(small_demo, db):
    opted_out = set(CustomerOptOut.objects.values_list("customer_id", flat=True))
    assert 3 <= len(opted_out) <= max(3, small_demo.customers // 100)
    customer_messages = Notification.objects.filter(recipient_user__isnull=True)
    assert customer_messages.filter(state=NotificationState.SENT).exists()
    held = customer_messages.filter(state=NotificationState.SUPPRESSED, suppressed_reason="opted_out")
    assert set(held.values_list("customer_id", flat=True)) <= opted_out


def test_the_replayed_history_is_not_sent_again_when_the_worker_starts(small_demo, db):
    pending = Notification.objects.filter(recipient_user__isnull=True, state=NotificationState.PENDING)
    assert not pending.filter(created_at__lt=small_demo.now, send_after__isnull=True).exists()


# --- the outages ----------------------------------------------------------------------------------------


def test_the_demo_has_a_fault_outage_with_calls_and_a_planned_outage_with_notices(small_demo, db):
    fault = Outage.objects.get(kind="fault")
    calls = OutageCall.objects.filter(outage=fault)
    assert calls.count() >= 2 and fault.order is not None
    assert {c.contact.order_id for c in calls} == {fault.order_id}
    assert fault.etr_source == "crew"
    planned = Outage.objects.get(kind="planned")
    assert not planned.short_notice and planned.notices.exists()
    assert planned.notices.filter(notification_id__isnull=True).count() == 0
    assert Outage.objects.get(kind="temporary").short_notice
    assert KnownEvent.objects.filter(kind="storm").exclude(script="").exists()


# --- the applications -----------------------------------------------------------------------------------


def test_the_demo_has_applications_in_various_steps(small_demo):
    assert small_demo.applications == 7
    applications = Application.objects.select_related("kind", "order").filter(order__channel="hall")
    # the demo's own seven, and the 业务办理 orders its hotline and hall traffic opened at the intake
    assert applications.count() >= 7
    assert applications.filter(state=ApplicationState.COMPLETED).count() == 1
    assert applications.filter(steps__state=StepState.RETURNED).exists()
    assert applications.filter(steps__state=StepState.ACTIVE, steps__side="customer").exists()
    assert DocumentRequest.objects.filter(on_notice=False).exclude(reason="").exists()


def test_the_portal_demo_customer_has_applications_waiting_on_them_and_on_the_hall(small_demo):
    assert small_demo.portal_applications == 2
    customer = demo_customer()
    account = PortalAccount.objects.get(phone=customer.primary_phone)
    assert AccountBinding.objects.filter(account=account, customer=customer).exists()
    mine = {p.application.kind.code: p.application for p in PortalApplication.objects.filter(account=account)}
    assert set(mine) == {"lv_resident", "ev_charger"}
    assert {a.order.channel for a in mine.values()} == {"portal"}
    # the connection waits for the property certificate the station's handler asked the customer for
    track = application_track(mine["lv_resident"].order)
    assert "property_proof" in {d.code for d in track.missing}
    assert DocumentRequest.objects.filter(application=mine["lv_resident"], document__code="property_proof")
    # the charger is at the customer's own step
    assert mine["ev_charger"].steps.get(state=StepState.ACTIVE).template.code == "customer_works"
    # the 销户 waits for the hall clerk of the customer's county
    clerk = User.objects.filter(role__code="agent", is_active=True).order_by("id").first()
    waiting = list(hall_proofs_waiting(clerk))
    assert [(p.customer, p.rule.kind) for p in waiting] == [(customer, "app_close")]
    # the command run again adds nothing
    portal_demo_build(NOW)
    assert PortalApplication.objects.filter(account=account).count() == 2
    assert OwnershipProof.objects.filter(account=account).count() == 1
