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
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model, QuerySet
from django.db.models.query import FlatValuesListIterable

M = TypeVar("M", bound=Model)


@contextlib.contextmanager
def cursor() -> Iterator[psycopg.Cursor]:
    """A server-side-binding psycopg cursor on Django's connection, without Django's cursor wrapper
    (statements here are prepared after ``prepare_threshold`` runs, as the ORM's are, unless sent with
    ``prepare=False``: :func:`unprepared`).

    One cursor is kept per database connection and reused (making one costs as much as running a
    prepared statement); Django's connections belong to one thread each, and so do these cursors.

    A statement that ran here proves the connection usable, so Django's health check (a ``SELECT 1``
    before the request's first ORM query, with ``CONN_HEALTH_CHECKS``) is marked done: an API request
    starts with the token lookup here, and would otherwise pay a round trip for what it has just seen.
    A connection that died (the server restarted) fails that first statement either way; Django then
    drops it at the end of the request and the client's retry gets a new one."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.ensure_connection()
    raw = wrapper.connection
    cur = getattr(wrapper, "_powerdesk_cursor", None)
    if cur is None or cur.connection is not raw or cur.closed:
        cur = psycopg.Cursor(raw)
        wrapper._powerdesk_cursor = cur  # type: ignore[attr-defined]
    with wrapper.wrap_database_errors:
        yield cur
    wrapper.health_check_done = True  # type: ignore[attr-defined]


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


class CompiledRead:
    """A read on the hot path whose SQL the ORM writes once per process.

    ``build(**params)`` returns a ``values_list`` queryset (columns, annotations, aggregates). The
    first call builds it with ``samples`` — one value per parameter, of the parameter's type, that the
    query cannot contain otherwise — lets Django compile it, and notes where each sample landed among
    the compiled parameters. Every later call sends that SQL with the new values on the prepared
    cursor, and converts the rows with the same compiler's converters. So the statement is the model's
    own (never typed out), and building and compiling a queryset — which costs more CPU than
    PostgreSQL spends running such a read — happens once.

    Only parameters that compile to one placeholder each (scalars: ids, dates, strings) are allowed; a
    list (``__in``) would compile to as many placeholders as it has items, and is refused. ``None`` is
    sent as a value (``col = NULL`` matches nothing), not turned into ``IS NULL`` as the ORM would."""

    def __init__(self, build: Any, **samples: Any) -> None:
        self.build = build
        self.samples = samples
        self._compiled: tuple[str, list[tuple[str | None, Any]], Any, bool] | None = None

    def _compile(self) -> tuple[str, list[tuple[str | None, Any]], Any, bool]:
        qs = self.build(**self.samples)
        compiler = qs.query.get_compiler(using=qs.db)
        sql, params = compiler.as_sql()
        slots: list[tuple[str | None, Any]] = []
        found: set[str] = set()
        for value in params:
            name = next(
                (n for n, s in self.samples.items() if type(s) is type(value) and s == value),
                None,
            )
            if name is not None:
                found.add(name)
            slots.append((name, value))
        missing = set(self.samples) - found
        if missing or any(isinstance(s, (list, tuple, set)) for s in self.samples.values()):
            raise ValueError(f"parameters not compiled to one placeholder each: {sorted(missing)}")
        flat = qs._iterable_class is FlatValuesListIterable
        self._compiled = (sql, slots, compiler, flat)
        return self._compiled

    def statement(self, **params: Any) -> tuple[str, list[Any]]:
        """The compiled SQL and its parameter values, to run inside a larger statement (e.g. as the
        source of a data-modifying ``WITH``: one round trip that reads and writes); ``rows`` runs it
        alone and converts what it returns."""
        sql, slots, _compiler, _flat = self._compiled or self._compile()
        return sql, [params[name] if name is not None else constant for name, constant in slots]

    def rows(self, **params: Any) -> list[Any]:
        """The rows (tuples; single values for a ``flat`` values_list) for these parameter values."""
        sql, slots, compiler, flat = self._compiled or self._compile()
        values = [params[name] if name is not None else constant for name, constant in slots]
        with cursor() as cur:
            cur.execute(sql, values, prepare=True)
            fetched = cur.fetchall()
        width = compiler.col_count
        rows = list(compiler.results_iter(results=[fetched], tuple_expected=True)) if fetched else []
        return [row[0] for row in rows] if flat else [tuple(row[:width]) for row in rows]

    def one(self, **params: Any) -> Any:
        """The first row, or None."""
        found = self.rows(**params)
        return found[0] if found else None


def unprepared(rows: QuerySet[Any], *, count: bool = False) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` of plain columns, or with ``count`` their number as one row, planned
    for their own values every time.

    psycopg prepares a statement that a connection sends again and again (``prepare_threshold``), and
    after a few runs PostgreSQL may keep one generic plan for it, blind to the values. Where the values
    decide the plan that is a trap: for "archived orders of one topic" in one unit's subtree the generic
    plans of a deep page's count and keys took 125 ms where the values' own take 8 ms each; for an
    address fragment (``LIKE '%…%'``) under ``ORDER BY … LIMIT`` the generic plan walks the sort key's
    index through every customer (0.6 s on a million) where the values' plan reads the few rows the
    trigram index finds. On :func:`cursor`, as the hot paths' statements (``tests/statements.py``
    counts them)."""
    if rows.db != DEFAULT_DB_ALIAS:
        return [(rows.count(),)] if count else list(rows)
    try:
        query, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a filter Django knows matches nothing (``pk__in=[]``)
        return [(0,)] if count else []
    if count:
        query = f"SELECT count(*) FROM ({query}) AS counted"  # noqa: S608 - Django's compiled SQL
    with cursor() as cur:
        cur.execute(query, params, prepare=False)  # type: ignore[arg-type]
        return cur.fetchall()
