"""Reading ``timestamptz`` columns with psycopg's C parser.

Django's PostgreSQL backend registers on every connection a loader of its own for ``timestamptz``
(``psycopg_any.BaseTzLoader``): it subclasses psycopg's pure-Python loader to set the result's zone, so
every date-time read is parsed in Python (about 3 µs each on this 2-core host; a sweep cycle reads 3,000
of them, 9 ms). psycopg's C loader, which Django's hides, parses in C and gives the value in the session's
time zone. Django's sessions run in UTC (``USE_TZ``), and in UTC the C loader's values are the same
objects Django's would be (``datetime.timezone.utc``; ``tests/core/test_dbtypes.py``), so on such a
connection :class:`UtcTimestamptzLoader` hands the parsing to the C loader.

The C loader class cannot be subclassed (psycopg's compiled classes are final), and Django's cursor
reads the ``timezone`` attribute of whatever loader is registered, so the class here carries that
attribute and each instance binds the C loader's ``load`` as its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
from psycopg import abc
from psycopg.adapt import Loader
from psycopg.pq import Format

_OID = psycopg.adapters.types["timestamptz"].oid
_FOUND = psycopg.adapters.get_loader(_OID, Format.TEXT)
assert _FOUND is not None  # psycopg has a loader for every built-in type
_C_LOADER: type[abc.Loader] = _FOUND


class UtcTimestamptzLoader(Loader):
    """``timestamptz`` in text format, parsed by psycopg's own loader; only for a session in UTC."""

    # What Django's cursor compares with the connection's zone before it registers a loader of its own.
    timezone = dt.UTC

    def __init__(self, oid: int, context: Any = None):
        super().__init__(oid, context)
        self._c_load = _C_LOADER(oid, context).load
        # Also the instance's own ``load``: psycopg then calls the C loader without a Python frame of ours.
        self.load = self._c_load  # type: ignore[method-assign]

    def load(self, data: Any) -> dt.datetime:
        return self._c_load(data)  # what the instance attribute above calls directly


def use_c_timestamptz_loader(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: on a PostgreSQL session in UTC with psycopg's C implementation, read
    ``timestamptz`` with :class:`UtcTimestamptzLoader`; any other connection keeps Django's loader."""
    if connection.vendor != "postgresql" or _C_LOADER.__module__.startswith("psycopg.types"):
        return
    raw = connection.connection
    if connection.timezone_name != "UTC" or raw.pgconn.parameter_status(b"TimeZone") != b"UTC":
        return
    raw.adapters.register_loader("timestamptz", UtcTimestamptzLoader)
