"""The timeline is append-only in the database itself: a trigger refuses UPDATE and DELETE."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from powerdesk.core import clock
from powerdesk.workorders.models import WorkOrderEvent
from tests.workorders.helpers import events_of, intake

TABLE = "workorders_workorderevent"


@pytest.fixture
def event(users, customer):
    order = intake(users, customer)
    (first,) = events_of(order)
    return first


def refused(operation: str):
    """The trigger's own error, raised inside a savepoint so the test transaction survives it."""
    return pytest.raises(DatabaseError, match=f"{TABLE} is append-only \\({operation} refused\\)")


def test_it_refuses_a_raw_sql_update_of_an_event(event):
    with refused("UPDATE"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET note = %s WHERE id = %s", ["改写", event.pk])

    event.refresh_from_db()
    assert event.note != "改写"


def test_it_refuses_a_raw_sql_delete_of_an_event(event):
    with refused("DELETE"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])

    assert WorkOrderEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_an_orm_queryset_update(event):
    with refused("UPDATE"), transaction.atomic():
        WorkOrderEvent.objects.filter(pk=event.pk).update(kind="note")

    assert WorkOrderEvent.objects.get(pk=event.pk).kind == "created"


def test_it_refuses_saving_a_changed_event(event):
    event.note = "事后补写"
    with refused("UPDATE"), transaction.atomic():
        event.save()

    assert WorkOrderEvent.objects.get(pk=event.pk).note != "事后补写"


def test_it_refuses_an_orm_delete(event):
    with refused("DELETE"), transaction.atomic():
        WorkOrderEvent.objects.filter(pk=event.pk).delete()
    with refused("DELETE"), transaction.atomic():
        event.delete()

    assert WorkOrderEvent.objects.filter(pk=event.pk).exists()


def test_it_accepts_new_events_through_the_orm_and_raw_sql(event):
    WorkOrderEvent.objects.create(order=event.order, kind="note", at=clock.now(), note="补充说明")
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {TABLE} (order_id, kind, at, from_status, to_status, note, data, request_id)"
            " VALUES (%s, 'note', now(), '', '', %s, '{}'::jsonb, '')",
            [event.order_id, "原始SQL写入"],
        )

    assert [e.note for e in events_of(event.order)][1:] == ["补充说明", "原始SQL写入"]
