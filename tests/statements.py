"""Count every statement sent to PostgreSQL: Django's cursors and the hot paths' prepared ones
(``core.sql``, ``core.bulk``) alike — Django's CaptureQueriesContext sees only the first."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import psycopg


@contextlib.contextmanager
def statements() -> Iterator[list[str]]:
    sent: list[str] = []
    with _recording(lambda query, params: sent.append(query)):
        yield sent


@contextlib.contextmanager
def statements_with_params() -> Iterator[list[tuple[str, Any]]]:
    """Every statement sent with its parameters (to EXPLAIN one again)."""
    sent: list[tuple[str, Any]] = []
    with _recording(lambda query, params: sent.append((query, params))):
        yield sent


@contextlib.contextmanager
def _recording(record: Callable[[str, Any], None]) -> Iterator[None]:
    real = psycopg.Cursor.execute

    def execute(self, query, params=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        record(str(query), params)
        return real(self, query, params, *args, **kwargs)

    psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    try:
        yield
    finally:
        psycopg.Cursor.execute = real  # type: ignore[method-assign]
