"""The anonymisation job: personal data of closed orders past their period gone everywhere (the order,
its timeline's notes and data, its contacts, its customer messages), statistics unchanged, open and
recent orders untouched, an audit entry per batch, and the timeline still append-only for everyone
else."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth

from powerdesk.audit.models import AuditEntry
from powerdesk.notify.models import Notification
from powerdesk.privacy.models import AnonymisedOrder, RetentionKind, RetentionPeriod
from powerdesk.privacy.services import RunReport, retention_anonymise
from powerdesk.workorders.choices import Status
from powerdesk.workorders.models import Contact, WorkOrder, WorkOrderEvent
from tests.factories import CustomerFactory
from tests.retention.conftest import DAY, DESCRIPTION, LATER
from tests.workorders.helpers import intake

pytestmark = pytest.mark.django_db

PERSONAL = ("13812345678", "张三", "330100199001011234", "和平路8号")


def statistics() -> dict[str, object]:
    """What the dashboards and reports count: orders by type, unit, month, status, channel, satisfaction;
    events by kind; contacts by channel; messages by state and channel."""
    orders = WorkOrder.objects.annotate(month=TruncMonth("created_at")).values(
        "business_type", "unit_id", "month", "status", "channel", "satisfaction", "customer_id", "closed_at"
    )
    return {
        "orders": sorted(
            map(
                str,
                orders.annotate(n=Count("id")).values_list(
                    "business_type",
                    "unit_id",
                    "month",
                    "status",
                    "channel",
                    "satisfaction",
                    "customer_id",
                    "closed_at",
                    "n",
                ),
            )
        ),
        "events": sorted(WorkOrderEvent.objects.values_list("kind").annotate(n=Count("id"))),
        "event_times": sorted(
            map(str, WorkOrderEvent.objects.values_list("order_id", "kind", "at", "to_status"))
        ),
        "contacts": sorted(map(str, Contact.objects.values_list("order_id", "channel", "at", "is_repeat"))),
        "messages": sorted(Notification.objects.values_list("state", "channel").annotate(n=Count("id"))),
    }


def text_of_everything(order: WorkOrder) -> str:
    order = WorkOrder.objects.get(pk=order.pk)
    parts = [
        order.caller_name,
        order.caller_phone,
        order.address,
        order.description,
        order.result,
        order.reply_text,
        json.dumps(order.facts, ensure_ascii=False),
    ]
    for note, data in WorkOrderEvent.objects.filter(order=order).values_list("note", "data"):
        parts += [note, json.dumps(data, ensure_ascii=False)]
    for phone, summary in Contact.objects.filter(order=order).values_list("phone", "summary"):
        parts += [phone, summary]
    for address, text, context in Notification.objects.filter(
        order=order, recipient_user__isnull=True
    ).values_list("recipient_address", "text", "context"):
        parts += [address, text, json.dumps(context, ensure_ascii=False)]
    return "\n".join(parts)


@pytest.fixture
def zhang(county):
    return CustomerFactory(
        area=county.east_area, phone="13812345678", name="张三", address="青溪县城关镇和平路8号"
    )


def test_it_blanks_the_personal_data_of_an_expired_closed_order_everywhere(zhang, closed_order):
    order = closed_order(zhang)
    before = text_of_everything(order)
    assert all(value in before for value in PERSONAL)  # the copies exist: in the order, events, contacts
    assert Notification.objects.filter(order=order, recipient_user__isnull=True).exists()

    with time_machine.travel(LATER, tick=False):
        report = retention_anonymise()

    after = text_of_everything(order)
    for value in PERSONAL:
        assert value not in after, value
    fresh = WorkOrder.objects.get(pk=order.pk)
    assert (fresh.caller_name, fresh.caller_phone, fresh.address) == ("", "", "")
    assert (
        "〔已匿名〕" in fresh.description and "停电" in fresh.description
    )  # the words stay, the person goes
    assert report.orders == 1 and report.events >= 2 and report.contacts == 2
    assert AnonymisedOrder.objects.filter(order=order).exists()
    assert (
        Notification.objects.filter(order=order, recipient_user__isnull=True)
        .exclude(recipient_address="")
        .count()
        == 0
    )


def test_statistics_stay_the_same(zhang, closed_order, county, users):
    closed_order(zhang)
    closed_order(CustomerFactory(area=county.west_area, name="王五"), to=Status.MERGED)
    with time_machine.travel(DAY, tick=False):
        intake(users, zhang, description="张三报修，电话13812345678", force_new=True, override_reason="测试")
    before = statistics()

    with time_machine.travel(LATER, tick=False):
        report = retention_anonymise()

    assert report.orders >= 2
    assert statistics() == before


def test_open_and_recently_closed_orders_are_left_alone(zhang, closed_order, users):
    with time_machine.travel(DAY, tick=False):
        open_order = intake(users, zhang, description=DESCRIPTION, force_new=True, override_reason="测试")
    recent = closed_order(zhang)
    RetentionPeriod.objects.update(months=120)  # closed "recently": within every period
    untouched = {o.pk: text_of_everything(o) for o in (open_order, recent)}

    with time_machine.travel(LATER, tick=False):
        report = retention_anonymise()

    # Nothing of theirs counted (the job history is handed to Procrastinate's delete on every run).
    nothing = RunReport(dry_run=False).as_data()
    assert report.as_data() | {"cutoffs": {}, "job_history_pruned": False} == nothing
    assert {o.pk: text_of_everything(o) for o in (open_order, recent)} == untouched


def test_a_run_twice_does_the_work_once_and_each_batch_is_audited(zhang, closed_order, county):
    closed_order(zhang)
    closed_order(CustomerFactory(area=county.east_area, name="赵六"))
    with time_machine.travel(LATER, tick=False):
        first = retention_anonymise(batch_size=1)
        second = retention_anonymise(batch_size=1)
    assert first.orders == 2 and second.orders == 0
    entries = AuditEntry.objects.filter(kind="retention_anonymised", target="privacy.order_identity")
    assert entries.count() == 2
    assert sum(e.data["orders"] for e in entries) == 2


def test_a_dry_run_counts_and_changes_nothing(zhang, closed_order):
    order = closed_order(zhang)
    before = text_of_everything(order)
    with time_machine.travel(LATER, tick=False):
        call_command("privacy", "anonymise", "--dry-run")
        report = retention_anonymise(dry_run=True)
    assert report.orders == 1
    assert text_of_everything(order) == before
    assert AuditEntry.objects.filter(kind="retention_anonymised", target="privacy.dry_run").count() == 2


def test_the_command_anonymises(zhang, closed_order, capsys):
    order = closed_order(zhang)
    with time_machine.travel(LATER, tick=False):
        call_command("privacy", "anonymise")
    assert "anonymised: orders 1" in capsys.readouterr().out
    assert "13812345678" not in text_of_everything(order)


def test_shorter_periods_blank_contact_numbers_and_message_texts_first(zhang, closed_order):
    order = closed_order(zhang)
    RetentionPeriod.objects.filter(kind=RetentionKind.ORDER_IDENTITY).update(months=120)
    with time_machine.travel(LATER, tick=False):
        report = retention_anonymise()
    assert report.orders == 0 and report.contact_phones == 2 and report.notifications >= 1
    assert set(Contact.objects.filter(order=order).values_list("phone", flat=True)) == {""}
    messages = Notification.objects.filter(order=order, recipient_user__isnull=True)
    assert set(messages.values_list("text", "recipient_address")) == {("", "")}
    assert WorkOrder.objects.get(pk=order.pk).caller_phone == "13812345678"  # its own period not yet over


# --- the timeline stays append-only -----------------------------------------------------------------


def _refused(sql: str, params: list[object] | None = None, *, first: str = "") -> str:
    try:
        with transaction.atomic(), connection.cursor() as cur:
            if first:
                cur.execute(first)
            cur.execute(sql, params)
    except DatabaseError as error:
        return str(error)
    raise AssertionError(f"allowed: {sql}")


def test_the_timeline_still_refuses_ordinary_updates_and_deletes(zhang, closed_order):
    order = closed_order(zhang)
    assert "append-only" in _refused(
        "UPDATE workorders_workorderevent SET note = 'x' WHERE order_id = %s", [order.pk]
    )
    assert "append-only" in _refused("DELETE FROM workorders_workorderevent WHERE order_id = %s", [order.pk])
    # the rewrite setting by itself lets through no change but the notes' and data's
    rewrite = "SELECT set_config('powerdesk.event_rewrite', 'on', true)"
    for column in (
        "kind = 'note'",
        "at = at + interval '1 day'",
        "actor_id = NULL",
        "order_id = order_id + 1",
    ):
        sql = f"UPDATE workorders_workorderevent SET {column} WHERE order_id = %s"
        assert "append-only" in _refused(sql, [order.pk], first=rewrite), column


def test_the_rewrite_function_touches_only_closed_orders(users, zhang):
    with time_machine.travel(DAY, tick=False):
        open_order = intake(users, zhang, description=DESCRIPTION)
    event = WorkOrderEvent.objects.filter(order=open_order).first()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT workorders_event_anonymise(%s::bigint[], %s::text[], %s::jsonb[])",
            [[event.pk], ["rewritten"], ["{}"]],
        )
        assert cur.fetchone() == (0,)
    assert WorkOrderEvent.objects.get(pk=event.pk).note == event.note


def test_the_analytics_rollups_come_out_the_same_after_anonymisation(zhang, closed_order, county):
    """The dashboards read no personal field: rebuilding the facts and rollups after a run gives the same
    rows."""
    from powerdesk.analytics import aggregates
    from powerdesk.analytics.models import DailyRollup, OrderFact

    closed_order(zhang)
    closed_order(CustomerFactory(area=county.west_area, name="王五"))

    def rollups() -> tuple[list[object], list[object]]:
        aggregates.rebuild()
        return tuple(  # type: ignore[return-value]
            sorted(str({k: v for k, v in row.items() if k != "id"}) for row in model.objects.values())
            for model in (OrderFact, DailyRollup)
        )

    before = rollups()
    with time_machine.travel(LATER, tick=False):
        assert retention_anonymise().orders == 2
    assert rollups() == before
