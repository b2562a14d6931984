"""Writing many rows of a model at once, with the column list taken from the model's own fields.

Django's ``bulk_create`` builds a model instance per row and prepares each value field by field, and
cannot return the keys of the rows it wrote when it skips conflicts; its ``bulk_update`` writes
``SET col = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END``, which PostgreSQL walks for every row (a
thousand rows: a million comparisons per column). The two functions here send the whole batch as one
JSON document, which PostgreSQL turns back into rows (``jsonb_to_recordset``, one typed column per
field of the model): one parameter whatever the batch's size, encoded by the json module's C encoder in
one call, where a parameter per column and row, or an array per column, cost psycopg more than the
statement costs the database.

Values are what the columns store (aware datetimes, numbers, text, and for JSON fields the object
itself); datetimes go as ISO 8601 with their offset and microseconds. JSON fields are encoded as orjson
encodes them, so a JSON field with an encoder of its own is refused.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Sequence
from typing import Any, TypeVar

import orjson
from django.db import connection
from django.db.models import Field, Model

from powerdesk.core import sql

M = TypeVar("M", bound=Model)


def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _document(rows: Sequence[dict[str, Any]]) -> str:
    # orjson: an order of magnitude faster than the json module on a sweep's batch of nested JSON.
    return orjson.dumps(rows, default=_default).decode()


def _is_json(field: Field) -> bool:
    return field.get_internal_type() == "JSONField"


def _column(field: Field) -> str:
    assert field.column is not None  # concrete fields have a column
    return field.column


def _refuse_encoders(fields: Sequence[Field]) -> None:
    for field in fields:
        if _is_json(field) and getattr(field, "encoder", None) is not None:
            raise ValueError(f"{field}: a JSON field with its own encoder is written through the ORM")


def _definition(fields: Sequence[Field]) -> str:
    """The record type of ``jsonb_to_recordset``: each column by its name and its field's type, without a
    length (``varchar(16)`` would refuse a longer value here instead of at the column, with the column's
    own message)."""
    qn = connection.ops.quote_name
    return ", ".join(f"{qn(_column(f))} {(f.db_type(connection) or '').split('(')[0]}" for f in fields)


def _execute(statement: str, params: list[Any]) -> list[tuple[Any, ...]]:
    # Django's connection and transaction, its error classes; the statement prepared after a few runs.
    with sql.cursor() as cur:
        cur.execute(statement, params, prepare=True)
        return cur.fetchall() if cur.description else []


@functools.lru_cache(maxsize=64)
def key_sequence(model: type[Model]) -> str:
    """The sequence ``model``'s primary key is drawn from (for a statement that draws keys itself with
    ``nextval(%s::regclass)``). Looked up once: inside a statement, ``pg_get_serial_sequence`` would read
    the catalogue for every row."""
    pk = model._meta.pk
    assert pk is not None
    with sql.cursor() as cur:
        cur.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column])
        row = cur.fetchone()
    if row is None or row[0] is None:
        raise ValueError(f"{model.__name__}'s primary key is not drawn from a sequence")
    return str(row[0])


def new_keys(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model`` from its sequence, in one statement: for rows that name
    their key to :func:`insert_rows` (another table's row must point at them before they are written)."""
    with sql.cursor() as cur:
        cur.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
            [key_sequence(model), count],
            prepare=True,
        )
        return [pk for (pk,) in cur.fetchall()]


def bulk_update(
    model: type[Model], objs: Sequence[Any], fields: Sequence[str], *, route: str | None = None
) -> int:
    """Write ``fields`` of ``objs`` in one statement; the rows updated. ``objs`` are saved instances of
    ``model``, or any objects with the primary key's and the fields' attributes (a batch read with
    ``values_list`` need not become model instances to be written back). ``route``: a field every row is
    matched on beside the primary key, read from the objects like the others (the company, which a
    database sharded by it needs in the statement to send it to one node)."""
    if not objs:
        return 0
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    keys: list[Field] = [pk, *([meta.get_field(route)] if route else [])]  # type: ignore[list-item]
    columns: list[Field] = [*keys, *(meta.get_field(name) for name in fields)]  # type: ignore[misc,list-item]
    _refuse_encoders(columns)
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(_column(f))} = v.{qn(_column(f))}" for f in columns[len(keys) :])
    matches = " AND ".join(f"t.{qn(_column(f))} = v.{qn(_column(f))}" for f in keys)
    statement = (
        f"UPDATE {qn(meta.db_table)} AS t SET {assignments} "  # noqa: S608
        f"FROM jsonb_to_recordset(%s::jsonb) AS v({_definition(columns)}) "
        f"WHERE {matches}"
    )
    names = [(_column(f), f.attname) for f in columns]
    _execute(statement, [_document([{c: getattr(obj, a) for c, a in names} for obj in objs])])
    return len(objs)


@functools.lru_cache(maxsize=256)
def _insert_statement(
    model: type[Model],
    varying: tuple[str, ...],
    shared: tuple[str, ...],
    conflict_target: tuple[str, ...],
    update: tuple[str, ...] = (),
    returning: tuple[str, ...] = (),
) -> str:
    """The INSERT of ``model`` taking ``varying`` fields from the JSON document's rows and ``shared``
    ones from a parameter each; built once per shape (the text then stays the same, and psycopg
    prepares it after a few runs)."""
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    qn = connection.ops.quote_name
    by_name = {f.attname: f for f in meta.concrete_fields}
    selected = {}
    for name in shared:
        f = by_name[name]
        cast = "jsonb" if _is_json(f) else (f.db_type(connection) or "").split("(")[0]
        selected[_column(f)] = f"%s::{cast}"
    for name in varying:
        selected[_column(by_name[name])] = f"v.{qn(_column(by_name[name]))}"
    conflict = ""
    if conflict_target:
        target = ", ".join(qn(_column(by_name[name])) for name in conflict_target)
        action = (
            "UPDATE SET "
            + ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in (_column(by_name[n]) for n in update))
            if update
            else "NOTHING"
        )
        conflict = f" ON CONFLICT ({target}) DO {action}"
    returned = ", ".join(qn(_column(f)) for f in [pk, *(by_name[name] for name in returning)])
    # WITH ORDINALITY … ORDER BY: the rows are inserted, and their keys returned, in the document's order.
    return (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in selected)}) "  # noqa: S608
        f"SELECT {', '.join(selected.values())} "
        f"FROM ROWS FROM (jsonb_to_recordset(%s::jsonb) AS ({_definition([by_name[n] for n in varying])})) "
        f"WITH ORDINALITY AS v ORDER BY v.ordinality"
        f"{conflict} RETURNING {returned}"
    )


@functools.lru_cache(maxsize=64)
def _writable(model: type[Model]) -> tuple[tuple[Field, ...], frozenset[str]]:
    """The concrete fields an INSERT writes (all but an auto primary key, which the database assigns),
    and the attnames of those that are JSON."""
    pk = model._meta.pk
    fields = tuple(f for f in model._meta.concrete_fields if not (f is pk and f.db_returning))
    _refuse_encoders(fields)  # type: ignore[arg-type]
    return fields, frozenset(f.attname for f in fields if _is_json(f))  # type: ignore[return-value]


def insert_rows(
    model: type[Model],
    rows: Sequence[dict[str, Any]],
    *,
    same: dict[str, Any] | None = None,
    conflict_target: Sequence[str] = (),
    update: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[Any]:
    """Insert ``rows`` (dicts by field attname) in one statement; the primary keys of the rows written,
    in the rows' order (with ``returning``, field attnames: a tuple per row written, its key and those
    fields as stored — which of the rows a conflict skipped cannot be told from the keys alone).

    Every concrete column of ``model`` but its auto primary key (unless the rows name it) is written:
    from each row, or from ``same`` (values every row shares, sent once), or else the field's default, as
    a new model instance would have it (sent once too). The rows must all name the same fields. With
    ``conflict_target`` (the fields of a unique constraint), a row that would repeat a stored row, or one
    earlier in ``rows``, is skipped (``ON CONFLICT … DO NOTHING``) and has no key in the result; with
    ``update`` as well (field attnames), the stored row takes those fields of the new one instead
    (``DO UPDATE``), and its key is returned. Two rows of one batch with the same key cannot both update
    it: PostgreSQL refuses that."""
    if not rows:
        return []
    statement, params = _insert(
        model, rows, same or {}, tuple(conflict_target), tuple(update), tuple(returning)
    )
    written = _execute(statement, params)
    return written if returning else [row[0] for row in written]


def _insert(
    model: type[Model],
    rows: Sequence[dict[str, Any]],
    same: dict[str, Any],
    conflict_target: tuple[str, ...] = (),
    update: tuple[str, ...] = (),
    returning: tuple[str, ...] = (),
) -> tuple[str, list[Any]]:
    """The INSERT of :func:`insert_rows` and its parameters (``rows`` not empty)."""
    fields, json_fields = _writable(model)
    first = rows[0]
    pk = model._meta.pk
    assert pk is not None
    if pk.attname in first and pk not in fields:
        fields = (pk, *fields)  # keys taken beforehand (new_keys)
    varying = tuple(f.attname for f in fields if f.attname in first)
    shared = tuple(f.attname for f in fields if f.attname not in first)
    params: list[Any] = []
    for f in fields:
        if f.attname not in first:
            value = same[f.attname] if f.attname in same else f.get_default()
            is_json = f.attname in json_fields
            params.append(orjson.dumps(value, default=_default).decode() if is_json else value)
    if any(f.column != f.attname for f in fields if f.attname in first):
        columns = [(_column(f), f.attname) for f in fields if f.attname in first]
        rows = [{c: row[a] for c, a in columns} for row in rows]
    statement = _insert_statement(model, varying, shared, conflict_target, update, returning)
    return statement, [*params, _document(rows)]


@functools.lru_cache(maxsize=64)
def _insert_select_statement(
    model: type[Model], source: str, columns: tuple[tuple[str, str], ...], shared: tuple[str, ...], where: str
) -> str:
    meta = model._meta
    qn = connection.ops.quote_name
    by_name = {f.attname: f for f in meta.concrete_fields}
    selected = {}
    for name in shared:
        f = by_name[name]
        cast = "jsonb" if _is_json(f) else (f.db_type(connection) or "").split("(")[0]
        selected[_column(f)] = f"%s::{cast}"
    for name, expression in columns:
        selected[_column(by_name[name])] = f"s.{qn(expression)}"
    return (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in selected)}) "  # noqa: S608
        f"SELECT {', '.join(selected.values())} FROM {qn(source)} AS s" + (f" WHERE {where}" if where else "")
    )


def insert_select(
    model: type[Model], *, source: str, columns: dict[str, str], same: dict[str, Any], where: str = ""
) -> tuple[str, list[Any]]:
    """An INSERT of ``model`` whose rows come from the query named ``source`` (a ``WITH`` entry of the
    statement it is put in: a read and its write in one round trip), and its parameters: the fields of
    ``columns`` (attname → a column of ``source``) from each of its rows, those of ``same`` from one
    parameter each, every other writable field its default, as :func:`insert_rows` writes them.
    ``where`` filters the source's rows (on its columns, as ``s.<column>``; no ``%``: the statement is
    sent with parameters). The text is built once per shape."""
    fields, json_fields = _writable(model)
    shared = tuple(f.attname for f in fields if f.attname not in columns)
    params: list[Any] = []
    for f in fields:
        if f.attname in columns:
            continue
        value = same[f.attname] if f.attname in same else f.get_default()
        params.append(orjson.dumps(value, default=_default).decode() if f.attname in json_fields else value)
    statement = _insert_select_statement(model, source, tuple(columns.items()), shared, where)
    return statement, params


def insert_together(*parts: tuple[type[Model], Sequence[dict[str, Any]]]) -> list[list[Any]]:
    """Insert rows of several models in one statement (one round trip); the primary keys written, a list
    per part in the parts' order, each in its rows' order.

    Each part is ``(model, rows)``, written as :func:`insert_rows` writes it (every concrete column from
    the model's fields; the rows of a part name the same fields). The parts run as data-modifying
    ``WITH`` queries of one statement: each sees the database as it was before the statement, so no part
    may depend on what another writes. For writes that follow each other on a hot path and need nothing
    of each other's results (an order's event and its contact): one round trip instead of one each."""
    statements: list[str] = []
    params: list[Any] = []
    keys: list[str] = []
    for i, (model, rows) in enumerate(parts):
        statement, part_params = _insert(model, rows, {})
        statements.append(f"w{i} AS ({statement})")
        params.extend(part_params)
        pk = model._meta.pk
        assert pk is not None
        key = connection.ops.quote_name(_column(pk))
        keys.append(f"(SELECT array_agg({key}) FROM w{i})")  # noqa: S608 - the model's column name
    statement = f"WITH {', '.join(statements)} SELECT {', '.join(keys)}"
    [row] = _execute(statement, params)
    return [list(written or []) for written in row]


def object_row(obj: Model) -> dict[str, Any]:
    """What a new instance writes (every concrete field's current value but an auto primary key), by
    attname: a row for :func:`insert_rows` or :func:`insert_together`."""
    return {f.attname: getattr(obj, f.attname) for f in _writable(type(obj))[0]}


def mark_inserted(obj: M, key: Any) -> M:
    """``obj`` written with its primary key ``key``: saved, as the ORM leaves it after ``save()``."""
    obj.pk = key
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def insert_objects(objs: Sequence[M]) -> list[M]:
    """Insert new instances of one model in one statement, as ``save()`` would write them (every field's
    current value), and mark them saved with their primary keys. For the hot paths, where a model's
    ``save()`` or ``bulk_create`` costs more in Python than the statement costs the database."""
    if not objs:
        return []
    keys = insert_rows(type(objs[0]), [object_row(obj) for obj in objs])
    return [mark_inserted(obj, key) for obj, key in zip(objs, keys, strict=True)]


def increment(model: type[Model], counter: str, **key: Any) -> int:
    """Add one to ``counter`` of the row of ``model`` with ``key`` (the fields of a unique constraint),
    writing the row with a count of one when there is none; the count now. One statement, built from
    the model's fields, safe under concurrent requests (``ON CONFLICT … DO UPDATE``)."""
    [(value,)] = _execute(_counter_statement(model, counter, tuple(key), None), list(key.values()))
    return int(value)


def increment_in_window(
    model: type[Model], counter: str, start: str, key: dict[str, Any], *, now: Any, cutoff: Any
) -> tuple[int, Any]:
    """:func:`increment` in a window that begins at the row's ``start`` field: a row whose window began
    at or before ``cutoff`` starts a new one at ``now`` with a count of one; a new row begins at ``now``.
    The count and the window's start, as stored after the statement."""
    statement = _counter_statement(model, counter, tuple(key), start)
    [(value, begun)] = _execute(statement, [*key.values(), now, cutoff, cutoff])
    return int(value), begun


@functools.lru_cache(maxsize=32)
def _counter_statement(model: type[Model], counter: str, key: tuple[str, ...], start: str | None) -> str:
    """The upsert of :func:`increment` (``start`` None) or :func:`increment_in_window`; its parameters:
    the key's values, then for a window its start and twice the cutoff."""
    meta = model._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    keys = [_column(meta.get_field(name)) for name in key]  # type: ignore[arg-type]
    count = qn(_column(meta.get_field(counter)))  # type: ignore[arg-type]
    target = ", ".join(qn(c) for c in keys)
    columns = [qn(c) for c in keys]
    if start is None:
        update, returned = f"{count} = {table}.{count} + 1", count
    else:
        begun = qn(_column(meta.get_field(start)))  # type: ignore[arg-type]
        columns.append(begun)
        expired = f"{table}.{begun} <= %s"
        update = (
            f"{count} = CASE WHEN {expired} THEN 1 ELSE {table}.{count} + 1 END, "
            f"{begun} = CASE WHEN {expired} THEN EXCLUDED.{begun} ELSE {table}.{begun} END"
        )
        returned = f"{count}, {begun}"
    return (
        f"INSERT INTO {table} ({', '.join([*columns, count])}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}, 1) "
        f"ON CONFLICT ({target}) DO UPDATE SET {update} RETURNING {returned}"
    )
