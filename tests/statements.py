"""Count every statement sent to PostgreSQL: Django's cursors and the hot paths' prepared ones
(``core.sql``, ``core.bulk``) alike — Django's CaptureQueriesContext sees only the first."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg


@contextlib.contextmanager
def statements() -> Iterator[list[str]]:
    sent: list[str] = []
    real = psycopg.Cursor.execute

    def execute(self, query, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append(str(query))
        return real(self, query, *args, **kwargs)

    psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        psycopg.Cursor.execute = real  # type: ignore[method-assign]
