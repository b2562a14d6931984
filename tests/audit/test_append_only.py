"""The audit trail is append-only in the database, as the order timeline; neither table can be emptied
with TRUNCATE (a statement trigger), except by the owner past the guard (core.appendonly)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from powerdesk.audit.models import AuditEntry
from powerdesk.audit.services import record
from powerdesk.core.appendonly import owner_truncate
from tests.workorders.helpers import intake

AUDIT = "audit_auditentry"
TIMELINE = "workorders_workorderevent"


def refused(table: str, operation: str):
    return pytest.raises(DatabaseError, match=f"{table} is append-only \\({operation} refused\\)")


@pytest.fixture
def entry(users):
    return record("login", users["agent"], subject="agent")


def test_it_refuses_updating_an_entry(entry):
    with refused(AUDIT, "UPDATE"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(subject="someone else")
    assert AuditEntry.objects.get(pk=entry.pk).subject == "agent"


def test_it_refuses_deleting_an_entry(entry):
    with refused(AUDIT, "DELETE"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {AUDIT} WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("table", [AUDIT, TIMELINE])
def test_it_refuses_truncating_the_trail_and_the_timeline(table, entry, users, customer):
    intake(users, customer)
    with refused(table, "TRUNCATE"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending FK checks would refuse it first
        cur.execute(f"TRUNCATE {table} CASCADE")
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        assert cur.fetchone()[0] >= 1


def test_a_cascade_from_the_orders_does_not_empty_the_timeline(users, customer):
    intake(users, customer)
    with refused(TIMELINE, "TRUNCATE"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("TRUNCATE workorders_workorder CASCADE")


def test_the_owner_empties_them_past_the_guard_which_is_back_afterwards(entry, users, customer):
    intake(users, customer)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in owner_truncate([f"TRUNCATE {AUDIT}, {TIMELINE} CASCADE"]):
            cur.execute(statement)
    assert not AuditEntry.objects.exists()
    with refused(AUDIT, "TRUNCATE"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"TRUNCATE {AUDIT}")
