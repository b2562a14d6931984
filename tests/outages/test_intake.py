"""At intake: a fault call under a known outage is linked to the outage's one order (API and console), no
crew is dispatched, an open repair order is noted, and a caller without an account is placed by address
but not linked."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection, transaction
from django.urls import reverse

from powerdesk.notify.models import Notification
from powerdesk.outages import selectors, services
from powerdesk.outages.models import Outage, OutageCall
from powerdesk.workorders import services as wo
from powerdesk.workorders.choices import EventKind
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from tests.api.conftest import client_for
from tests.factories import topic
from tests.statements import statements_with_params

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def call(user, customer=None, *, key: str, address: str = "", description: str = "家里没电了"):
    body = {
        "business_type": "repair",
        "topic": "fault_repair",
        "channel": "95598",
        "description": description,
        "caller_phone": "13900000009",
        "address": address,
    }
    if customer is not None:
        body["customer"] = customer.account_no
    return client_for(user).post(reverse("api-v1-workorders"), body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@time_machine.travel(NOW, tick=False)
def test_calls_under_a_known_outage_become_contacts_of_its_one_order_without_a_dispatch(net, users):
    outage = services.outage_create(
        actor=users["dispatcher"], kind="fault", title="熔断器跳闸", devices=[net["FU"]]
    )
    first = call(users["agent"], net.customers["home"], key="k1")
    assert first.status_code == 201, first.json()
    info = first.json()["intake"]["extra"]["outage"]
    assert info["linked"] and info["dispatch"] == "vetoed" and info["number"] == outage.number
    assert info["etr"] is not None and info["restoration_message"]
    outage.refresh_from_db()
    order = outage.order
    assert order is not None and order.number == first.json()["number"]
    assert order.status == "accepted"
    assert not WorkOrderEvent.objects.filter(order=order, kind=EventKind.DISPATCH).exists()
    second = call(users["agent"], net.customers["clinic"], key="k2")
    assert second.status_code == 200
    assert second.json()["number"] == order.number and second.json()["intake"]["contact_count"] == 2
    assert OutageCall.objects.filter(outage=outage).count() == 2
    assert WorkOrder.objects.filter(business_type="repair").count() == 1
    # a retry answers the first result and writes nothing
    again = call(users["agent"], net.customers["clinic"], key="k2")
    assert again.json()["intake"]["replayed"] and OutageCall.objects.count() == 2


@time_machine.travel(NOW, tick=False)
def test_a_caller_with_an_open_repair_order_is_linked_to_the_outage_and_the_order_noted(net, users):
    earlier = wo.workorder_intake(
        actor=users["agent"],
        business_type="repair",
        topic=topic("fault_repair"),
        channel="95598",
        description="灯忽明忽暗",
        customer=net.customers["shop"],
        caller_phone="13800000003",
    ).order
    outage = services.outage_create(
        actor=users["dispatcher"], kind="fault", title="开关跳闸", devices=[net["SW"]]
    )
    answer = call(users["agent"], net.customers["shop"], key="k3").json()
    assert answer["intake"]["extra"]["outage"]["open_order"] == earlier.number
    assert answer["number"] != earlier.number
    assert OutageCall.objects.get(outage=outage).open_order == earlier


@time_machine.travel(NOW, tick=False)
def test_a_caller_without_an_account_gets_candidates_by_address_and_is_not_linked(net, users):
    services.outage_create(actor=users["dispatcher"], kind="fault", title="熔断器跳闸", devices=[net["FU"]])
    answer = call(users["agent"], key="k4", address="梧桐巷8号").json()
    extra = answer["intake"]["extra"]["outage"]
    assert not extra["linked"]
    assert [c["account_no"] for c in extra["candidates"]] == [net.customers["home"].account_no]
    assert not OutageCall.objects.exists()
    assert not Outage.objects.exclude(order=None).exists()


def test_placing_by_address_reads_the_trigram_index_planned_for_the_fragment(net):
    with statements_with_params() as captured:
        found = selectors.place_by_address("梧桐巷8号", company_id=net.customers["home"].company_id)
    assert found == [net.customers["home"]]
    sql, params = next((sql, p) for sql, p in captured if "customers_customer" in sql and "LIKE" in sql)
    with transaction.atomic(), connection.cursor() as cur:
        # Bitmap scans only: a predicate the index cannot serve (UPPER(address)) falls back to a seq scan.
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")
        cur.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "customer_address_trgm" in plan, plan
    for _ in range(12):  # past psycopg's prepare_threshold: still planned for the fragment, never generic
        selectors.place_by_address("梧桐巷8号", company_id=net.customers["home"].company_id)
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%LIKE%'")
        assert not cur.fetchall()


@time_machine.travel(NOW, tick=False)
def test_a_caller_under_a_planned_outage_gets_the_restoration_message(net, users):
    start = NOW - dt.timedelta(hours=1)
    outage = services.outage_create(
        actor=users["dispatcher"],
        kind="planned",
        title="检修",
        devices=[net["T2"]],
        planned_start=start,
        actual_start=start,
        short_notice_reason="补录",
    )
    call(users["agent"], net.customers["shop"], key="k5")
    services.outage_restore(outage=outage, actor=users["dispatcher"])
    assert Notification.objects.filter(
        template__code="outage_restored", customer=net.customers["shop"]
    ).exists()


@time_machine.travel(NOW, tick=False)
def test_the_console_shows_the_outage_on_the_intake_form_and_links_the_call(net, users, login):
    outage = services.outage_create(
        actor=users["dispatcher"], kind="fault", title="熔断器跳闸", devices=[net["FU"]]
    )
    client = login(users["agent"])
    customer = net.customers["home"]
    page = client.get(reverse("workorders:new") + f"?customer={customer.account_no}").content.decode()
    assert "已知停电" in page and outage.number in page
    assert (
        outage.number in client.get(reverse("customers:detail", args=[customer.account_no])).content.decode()
    )
    data = {
        "customer": customer.account_no,
        "idempotency_key": "key-0009",
        "business_type": "repair",
        "sub_type": "repair_lv",
        "topic": "fault_repair",
        "channel": "95598",
        "priority": "",
        "caller_name": "王五",
        "caller_phone": "13800000001",
        "description": "没电了",
    }
    response = client.post(reverse("workorders:new"), data, follow=True)
    outage.refresh_from_db()
    assert outage.order is not None
    assert f"来电已关联到已知停电 {outage.number}" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_placement_page_lists_matching_customers_with_their_outages(net, users, login):
    outage = services.outage_create(
        actor=users["dispatcher"], kind="fault", title="熔断器跳闸", devices=[net["FU"]]
    )
    body = login(users["agent"]).get(reverse("outages:place") + "?address=梧桐巷").content.decode()
    assert outage.number in body and "确认是此客户并受理" in body


@time_machine.travel(NOW, tick=False)
def test_the_tree_marks_the_outage_device(net, users, login):
    outage = services.outage_create(
        actor=users["dispatcher"], kind="fault", title="熔断器跳闸", devices=[net["FU"]]
    )
    body = login(users["agent"]).get(reverse("grid:children", args=[net["SW"].pk])).content.decode()
    assert outage.number in body
