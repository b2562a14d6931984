"""bulk.insert_rows with the primary key named in the rows: the keys given are written, not the sequence's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from powerdesk.core import bulk
from powerdesk.notify.models import QuietHours

pytestmark = pytest.mark.django_db


def _next_ids(count: int) -> list[int]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [QuietHours._meta.db_table, count],
        )
        return [pk for (pk,) in cur.fetchall()]


def test_rows_naming_their_key_are_written_with_it():
    first, second = _next_ids(2)
    rows = [
        {"id": second, "name": "晚间", "start": dt.time(21), "end": dt.time(8)},
        {"id": first, "name": "午休", "start": dt.time(12), "end": dt.time(14)},
    ]

    assert bulk.insert_rows(QuietHours, rows) == [second, first]
    assert dict(QuietHours.objects.filter(pk__in=[first, second]).values_list("pk", "name")) == {
        first: "午休",
        second: "晚间",
    }


def test_rows_without_a_key_take_the_sequences():
    (taken,) = bulk.insert_rows(QuietHours, [{"name": "晚间", "start": dt.time(21), "end": dt.time(8)}])
    assert QuietHours.objects.get(pk=taken).name == "晚间"
    assert _next_ids(1)[0] > taken
