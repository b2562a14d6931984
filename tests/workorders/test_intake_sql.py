"""The intake's hand-written statements stay in step with the models they write."""

from __future__ import annotations

import re

from powerdesk.workorders.models import WorkOrder
from powerdesk.workorders.services import intake


def _insert_columns(statement: str, table: str) -> set[str]:
    match = re.search(rf"INSERT INTO {table} \((.*?)\)\s+SELECT", statement, re.S)
    assert match, f"no INSERT INTO {table} in the statement"
    return {c.strip() for c in match.group(1).split(",")}


def test_the_new_order_insert_names_every_column_of_the_order():
    """A field added to WorkOrder must be added to the intake's INSERT too (or given a database default)."""
    columns = {f.column for f in WorkOrder._meta.concrete_fields} - {"id"}
    assert _insert_columns(intake._OPEN_SQL, "workorders_workorder") == columns


def test_the_candidate_query_reads_every_column_of_the_order():
    names = [f.attname for f in WorkOrder._meta.concrete_fields]
    assert names == intake._ORDER_NAMES
