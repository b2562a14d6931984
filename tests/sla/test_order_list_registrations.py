"""The SLA app adds the ``breached`` filter and the ``due`` sort key to the order list when it loads:
they are there after app loading, in the console's filter form and in the API and its schema."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse

from powerdesk.sla.sweep import sweep
from powerdesk.workorders.filters import OrderFilterSet, order_list, sort_choices
from powerdesk.workorders.models import WorkOrder
from tests.api.conftest import client_for
from tests.console.conftest import intake
from tests.factories import CustomerFactory
from tests.sla.helpers import T0

URL = "/api/v1/workorders/"


def test_the_breached_filter_and_the_due_sort_are_registered_once_the_apps_are_loaded():
    assert "breached" in OrderFilterSet.base_filters
    assert "breached" in OrderFilterSet.registered_names()
    assert dict(sort_choices())["due"] == "到期最早"


def test_the_console_form_offers_the_breached_filter_and_the_due_sort(client, users):
    client.force_login(users["agent"])
    response = client.get(reverse("workorders:list"))
    form = response.context["form"]
    assert "breached" in form.fields and ("due", "到期最早") in list(form.fields["sort"].choices)
    body = response.content.decode()
    assert 'name="breached"' in body and "sort=due" in body and "已超时" in body


def test_the_api_schema_documents_the_breached_filter_and_the_due_sort(db):
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parameters = {p["name"]: p for p in schema["paths"][URL]["get"]["parameters"]}
    assert parameters["breached"]["schema"]["type"] == "boolean"
    assert set(parameters["sort"]["schema"]["enum"]) == {"newest", "oldest", "due"}


def test_the_api_lists_breached_orders_and_sorts_by_the_due_time(users, county, customer):
    with time_machine.travel(T0, tick=False):
        breached = intake(users["agent"], customer, description="停电")  # arrival within 45 minutes
        calm = intake(
            users["agent"],
            CustomerFactory(area=county.east_area),
            topic_code="billing",
            business_type="consultation",
            description="电费",
        )
    later = T0 + dt.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        sweep(now=later)
        WorkOrder.objects.filter(pk=calm.pk).update(due_at=None)
        api = client_for(users["agent"])
        flagged = api.get(URL, {"breached": "true"}).json()["results"]
        by_due = api.get(URL, {"sort": "due"}).json()["results"]
    assert [row["number"] for row in flagged] == [breached.number]
    assert [row["number"] for row in by_due] == [breached.number, calm.number]


def test_the_at_risk_filter_lists_orders_whose_clock_the_sweep_warned_about(users, county, customer):
    """The work queues' 即将超时 (e.g. the dispatcher's): a running clock past its warning point."""
    with time_machine.travel(T0, tick=False):
        order = intake(users["agent"], customer)
        assert list(order_list(user=users["dispatcher"], at_risk=True)) == []
    with time_machine.travel(T0 + dt.timedelta(minutes=40), tick=False):
        sweep(now=T0 + dt.timedelta(minutes=40))
        assert list(order_list(user=users["dispatcher"], at_risk=True)) == [order]
        assert list(order_list(user=users["west_repair"], at_risk=True)) == []
