"""How the work-order table is stored."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_order_pages_leave_room_for_updates_that_change_no_indexed_column():
    """Without free space on its page, the sweep's escalation of a freshly filled order moves the row and
    writes every one of the table's indexes (bench/RESULTS.md: 26 ms against 6 ms for 1,000 orders)."""
    with connection.cursor() as cur:
        cur.execute("SELECT reloptions FROM pg_class WHERE relname = 'workorders_workorder'")
        assert "fillfactor=85" in (cur.fetchone()[0] or [])
