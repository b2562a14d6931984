"""Only merged orders have a parent, and only they are in the parent's index (workorders 0032): an order
without a parent writes no entry there, and a master order still finds its merged orders (on a million
orders through that index: ``bench`` databases; a test's few rows are read by whatever index is nearest)."""

from __future__ import annotations

import pytest
from django.db import connection

from powerdesk.workorders.models import WorkOrder
from tests.workorders.helpers import intake

pytestmark = pytest.mark.django_db


def test_a_master_finds_its_merged_orders(users, customer):
    master = intake(users, customer)
    merged = intake(users, customer, description="又停电了")
    WorkOrder.objects.filter(pk=merged.pk).update(parent=master)

    children = master.children.filter(company_id=master.company_id).order_by("created_at")
    assert list(children) == [WorkOrder.objects.get(pk=merged.pk)]


def test_the_index_is_partial_on_a_parent():
    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_indexdef('wo_parent_merged'::regclass)")
        definition = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM pg_index WHERE indrelid = 'workorders_workorder'::regclass"
            " AND pg_get_indexdef(indexrelid) LIKE '%%(parent_id)%%'"
        )
        indexes_on_parent = cur.fetchone()[0]
    assert "WHERE (parent_id IS NOT NULL)" in definition
    assert indexes_on_parent == 1
