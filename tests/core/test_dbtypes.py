"""Date-times read through psycopg's C loader (powerdesk.core.dbtypes) are what Django's loader gave."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

from powerdesk.core.dbtypes import UtcTimestamptzLoader

pytestmark = pytest.mark.django_db

TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid

QUERY = """
SELECT timestamptz '2026-12-08 10:11:12.123456+08' - g * interval '1 hour 7 microseconds',
       timestamptz '1999-12-31 23:59:59.999999-05:30', NULL::timestamptz, timestamptz '0001-01-01 00:00+00'
  FROM generate_series(0, 50) g
"""


def _read() -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(QUERY)
        return cur.fetchall()


def test_a_connection_in_utc_reads_timestamptz_with_the_c_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    assert loader is UtcTimestamptzLoader
    first = _read()[0][0]
    assert first == dt.datetime(2026, 12, 8, 2, 11, 12, 123456, tzinfo=dt.UTC)
    assert first.tzinfo is dt.UTC


def test_the_values_are_those_of_djangos_loader():
    connection.ensure_connection()
    fast = _read()
    adapters = connection.connection.adapters
    try:
        register_tzloader(connection.timezone, connection.connection)
        assert adapters.get_loader(TIMESTAMPTZ, Format.TEXT) is not UtcTimestamptzLoader
        djangos = _read()
    finally:
        adapters.register_loader("timestamptz", UtcTimestamptzLoader)
    assert fast == djangos
    assert [type(v.tzinfo) for v in fast[0] if v] == [type(v.tzinfo) for v in djangos[0] if v]
    assert all(v.tzinfo is dt.UTC for row in fast for v in row if v is not None)
