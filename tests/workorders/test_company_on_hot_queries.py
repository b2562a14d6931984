"""Every statement that reads a hot table (customers, orders, contacts, timeline events, SLA clocks) on the
hot paths — the intake with its customer and repeat-call lookups and the hooks other apps add to it (the
known-outage lookup, the early warning's customer history, triage), the replay of an Idempotency-Key,
the order page and API detail by number, the order lists, the SLA sweep — names the company: the column a
database sharded by company routes on (docs/scaling.md). A new query without it fails here."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import traceback
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.db import connection
from django.urls import reverse

import powerdesk
from powerdesk.outages.services import outage_create
from powerdesk.sla.sweep import sweep
from powerdesk.triage.models import TriageRecord
from powerdesk.workorders import services as s
from powerdesk.workorders.events import event_write_many
from powerdesk.workorders.models import Contact, WorkOrder, WorkOrderEvent
from tests.api.conftest import client_for
from tests.factories import topic
from tests.outages.conftest import net  # noqa: F401 - the fixture
from tests.sla.conftest import heads  # noqa: F401 - the fixture
from tests.sla.helpers import T0, dispatched_repair
from tests.triage.conftest import active_model, small_model  # noqa: F401 - the fixtures

# Every app's statements are checked, the hooks the other apps add to the intake and the order page
# included.
CHECKED = ("powerdesk/",)
POWERDESK = str(Path(powerdesk.__file__).parent)


def _caller() -> str:
    """The path (from the repository) of the innermost PowerDesk module outside ``core`` that sent the
    statement being captured: the app whose query it is (``core.bulk`` and ``core.sql`` only carry it)."""
    for frame in traceback.extract_stack()[::-1]:
        name = frame.filename
        if name.startswith(POWERDESK) and "/core/" not in name:
            return "powerdesk" + name[len(POWERDESK) :]
    return ""


@contextlib.contextmanager
def statements() -> Iterator[list[tuple[str, str]]]:
    """(statement, the app module that sent it) of every statement sent to PostgreSQL."""
    sent: list[tuple[str, str]] = []
    real = psycopg.Cursor.execute

    def execute(self, query, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append((str(query), _caller()))
        return real(self, query, *args, **kwargs)

    psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        psycopg.Cursor.execute = real  # type: ignore[method-assign]


HOT = re.compile(
    r"\b(customers_customer|workorders_workorder|workorders_contact|workorders_workorderevent|sla_clock)\b"
)
READS = re.compile(r"^\s*(SELECT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)


def _names_company(query: str) -> bool:
    """Whether ``query`` names the company where it picks rows (a condition or a join), not only among
    the columns it returns."""
    body = re.split(r"\bRETURNING\b", query, maxsplit=1, flags=re.IGNORECASE)[0]
    if re.match(r"\s*SELECT\b", body, re.IGNORECASE):
        first_from = re.search(r"\bFROM\b", body, re.IGNORECASE)
        body = body[first_from.start() :] if first_from else ""
    return "company_id" in body


def _without_company(sent: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The statements of ``sent`` (by the checked apps) that read or change rows of a hot table without
    naming the company, with the module that sent each."""
    return [
        (f"{q[:120]} … {q[-240:]}", where)  # the head and the conditions
        for q, where in sent
        if HOT.search(q) and READS.match(q) and not _names_company(q) and where.startswith(CHECKED)
    ]


def _inserts(sent: list[tuple[str, str]], table: str) -> list[str]:
    return [q for q, _where in sent if re.match(rf'^\s*INSERT INTO "?{table}"?\s', q)]


def _fault_call(users, customer, description: str = "家里停电了", **kwargs):
    """A fault call from ``customer`` taken by the agent (the intake's result)."""
    return s.workorder_intake(
        actor=users["agent"],
        business_type="repair",
        topic=topic("fault_repair"),
        channel="95598",
        description=description,
        customer=customer,
        **kwargs,
    )


def test_the_intake_and_its_repeat_lookup_name_the_company(users, customer):
    first = _fault_call(users, customer, caller_phone="13812345678").order
    with statements() as sent:
        again = _fault_call(users, customer, "还是没电", caller_phone="13812345678")
    assert again.repeat and again.order.pk == first.pk  # the repeat lookup ran and found the order
    assert any("customer_id" in q and "company_id" in q for q, _where in sent)
    assert _without_company(sent) == []


def test_a_new_order_carries_its_company_to_its_contact_events_and_clocks(users, customer, county):
    with statements() as sent:
        order = _fault_call(users, customer, caller_phone="13812345678").order
    assert any("company_id" in q for q in _inserts(sent, "workorders_workorder"))
    assert order.company_id == county.county.pk  # the root of the tests' unit tree
    assert set(Contact.objects.filter(order=order).values_list("company_id", flat=True)) == {county.county.pk}
    assert set(WorkOrderEvent.objects.filter(order=order).values_list("company_id", flat=True)) == {
        county.county.pk
    }
    assert set(order.clocks.values_list("company_id", flat=True)) == {county.county.pk}
    assert _without_company(sent) == []


def test_an_event_takes_its_orders_company_from_the_trigger_and_keeps_no_key_of_its_own(
    users, customer, county
):
    order = _fault_call(users, customer, caller_phone="13812345678").order
    event_write_many(
        [{"order_id": order.pk, "kind": "note", "from_status": "", "to_status": "", "data": {}}],
        at=order.created_at,
    )
    assert set(WorkOrderEvent.objects.filter(order=order).values_list("company_id", flat=True)) == {
        county.county.pk
    }
    # A routing copy of the order's company (workorders 0030): a key of its own would cost a look-up of
    # the unit per event at commit.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'"
            " AND conrelid = 'workorders_workorderevent'::regclass"
        )
        keys = [row[0] for row in cur.fetchall()]
    assert not [k for k in keys if "company_id" in k]
    assert [k for k in keys if "(order_id)" in k]


@pytest.mark.parametrize("params", ["", "?queue=mine", "?queue=unit", "?status=dispatched&sort=due"])
def test_the_order_lists_name_the_company(users, customer, county, client, params):
    dispatched_repair(users, county, customer)
    for name in ("agent", "dispatcher"):
        client.force_login(users[name])
        with statements() as sent:
            page = client.get(reverse("workorders:list") + params)
            api = client_for(users[name]).get("/api/v1/workorders/" + params)
        assert page.status_code == 200 and api.status_code == 200
        assert _without_company(sent) == [], name


@pytest.mark.usefixtures("heads")
def test_the_sweep_names_the_company(users, county, customer):
    order = dispatched_repair(users, county, customer)
    with statements() as sent:
        result = sweep(now=T0 + dt.timedelta(hours=3))
    assert result.steps_taken >= 2  # a warning and a breach at least: every write of the sweep ran
    assert _without_company(sent) == []
    assert WorkOrder.objects.get(pk=order.pk).company_id == county.county.pk


def test_an_order_of_another_company_is_out_of_the_repeat_lookup(users, customer, county):
    """The company is part of what the intake matches: the same customer and topic under another company
    (another province's hotline) is not a repeat call of this company's order."""
    with time_machine.travel(T0, tick=False):
        first = _fault_call(users, customer).order
    WorkOrder.objects.filter(pk=first.pk).update(company_id=county.east.pk)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        second = _fault_call(users, customer, "还是没电")
    assert not second.repeat and second.order.pk != first.pk


def _api_call(user, customer, *, key: str, description: str = "家里没电了"):
    """A fault call through the API intake with the triage suggestion asked for (``?triage=1``)."""
    body = {
        "business_type": "repair",
        "topic": "fault_repair",
        "channel": "95598",
        "description": description,
        "caller_phone": "13900000009",
        "customer": customer.account_no,
    }
    return client_for(user).post(
        reverse("api-v1-workorders") + "?triage=1", body, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


@time_machine.travel(T0, tick=False)
def test_the_api_intake_with_its_hooks_and_the_replay_name_the_company(users, net, active_model):  # noqa: F811
    """The intake as every other app extends it — the customer lookup, the known-outage lookup and the
    link to the outage's order, the early warning's customer history, the triage suggestion — and the
    replay of an Idempotency-Key: every statement on a hot table names the company."""
    outage = outage_create(actor=users["dispatcher"], kind="fault", title="熔断器跳闸", devices=[net["FU"]])
    with statements() as sent:
        first = _api_call(users["agent"], net.customers["home"], key="hot-1")
        second = _api_call(
            users["agent"], net.customers["clinic"], key="hot-2", description="又停电了，很生气"
        )
        again = _api_call(
            users["agent"], net.customers["clinic"], key="hot-2", description="又停电了，很生气"
        )
    assert first.status_code == 201, first.json()
    assert first.json()["intake"]["extra"]["outage"]["linked"] and "triage" in first.json()["intake"]["extra"]
    outage.refresh_from_db()
    assert second.json()["number"] == outage.order.number  # linked to the outage's order: the lookup ran
    assert again.json()["intake"]["replayed"]
    assert any("customers_customer" in q and "account_no" in q for q, _where in sent)  # the customer lookup
    assert _without_company(sent) == []


@pytest.mark.usefixtures("active_model")
def test_the_console_intake_with_a_triage_suggestion_names_the_company(client, users, customer):
    client.force_login(users["agent"])
    text = "路边电线断了掉在地上"
    suggested = client.post(reverse("triage:suggest"), {"description": text}).content.decode()
    record = re.search(r'name="triage_record" value="(\d+)"', suggested)
    assert record, suggested
    form = {
        "customer": customer.account_no,
        "idempotency_key": "console-hot-1",
        "channel": "95598",
        "caller_phone": "13812345678",
        "business_type": "repair",
        "topic": "fault_repair",
        "description": text,
        "triage_record": record.group(1),
    }
    with statements() as sent:
        answer = client.post(reverse("workorders:new"), form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert TriageRecord.objects.get(pk=int(record.group(1))).order_id is not None  # the hook ran
    assert _without_company(sent) == []


@pytest.mark.parametrize("name", ["agent", "dispatcher"])
def test_the_order_page_and_the_api_detail_by_number_name_the_company(users, county, customer, client, name):
    order = dispatched_repair(users, county, customer)
    client.force_login(users[name])
    with statements() as sent:
        page = client.get(reverse("workorders:detail", args=[order.number]))
        api = client_for(users[name]).get(reverse("api-v1-workorder-detail", args=[order.number]))
    assert page.status_code == 200 and api.status_code == 200
    assert any("number" in q and "company_id" in q for q, _where in sent)  # the lookup by number
    assert _without_company(sent) == []
