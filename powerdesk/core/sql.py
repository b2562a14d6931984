"""Hand-written SQL for the few hot paths (intake), on Django's own connection and transaction.

Why not the ORM there: building and compiling a queryset costs more CPU than PostgreSQL spends running
it, and an intake needs several. The statements here are written once, sent with server-side
parameters and prepared by psycopg after a few executions (``prepare_threshold``), so PostgreSQL plans
each one once per connection.

Everything goes through Django's connection: the statements join the caller's ``transaction.atomic``,
and database errors come out as Django's (``django.db.IntegrityError`` …), as from the ORM.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, cast

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


@contextlib.contextmanager
def cursor() -> Iterator[psycopg.Cursor]:
    """A server-side-binding psycopg cursor on Django's connection (Django's own cursors bind on the
    client and are never prepared).

    One cursor is kept per database connection and reused (making one costs as much as running a
    prepared statement); Django's connections belong to one thread each, and so do these cursors."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.ensure_connection()
    raw = wrapper.connection
    cur = getattr(wrapper, "_powerdesk_cursor", None)
    if cur is None or cur.connection is not raw or cur.closed:
        cur = psycopg.Cursor(raw)
        wrapper._powerdesk_cursor = cur  # type: ignore[attr-defined]
    with wrapper.wrap_database_errors:
        yield cur


def column_list(model: type[Model], alias: str) -> tuple[list[str], str]:
    """(attribute names, ``alias.col1, alias.col2, …``) of every concrete column of ``model``."""
    fields = model._meta.concrete_fields
    return [f.attname for f in fields], ", ".join(f"{alias}.{f.column}" for f in fields)


def instance(model: type[M], names: Sequence[str], values: Sequence[Any]) -> M:
    """A model instance from a row read with raw SQL, as the ORM would build it: each value goes through
    its field's database converters (e.g. jsonb text → Python), columns not read stay deferred."""
    converters = _converters(model, tuple(names))
    if converters:
        values = list(values)
        for i, convert in converters:
            values[i] = convert(values[i], None, connection)
    return model.from_db(connection.alias, names, values)


_converter_cache: dict[tuple[type[Model], tuple[str, ...]], list[tuple[int, Any]]] = {}


def _converters(model: type[Model], names: tuple[str, ...]) -> list[tuple[int, Any]]:
    """(column index, converter) for the columns of ``names`` that have database converters."""
    key = (model, names)
    found = _converter_cache.get(key)
    if found is None:
        found = []
        for i, name in enumerate(names):
            field = cast("Field", model._meta.get_field(name))  # attnames (topic_id) are looked up too
            found.extend((i, convert) for convert in field.get_db_converters(connection))
        _converter_cache[key] = found
    return found


def mark_saved(obj: M) -> M:
    """Tell Django that ``obj``, written with raw SQL (its pk set), is a saved row."""
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj
