"""Writing many rows of a model at once, with the column list taken from the model's own fields.

Django's ``bulk_create`` already inserts through ``UNNEST`` on PostgreSQL (one parameter per column).
Its ``bulk_update`` writes ``SET col = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END``: PostgreSQL then
walks the CASE for every row, so a thousand rows cost a million comparisons per column. :func:`bulk_update`
here joins the rows to ``unnest()`` of one array per column instead, so each row is found by primary key
once. The values go through each field's ``get_db_prep_save``, as the ORM would send them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def bulk_update(model: type[Model], objs: Sequence[Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of ``objs`` (saved instances of ``model``) in one statement; the rows updated."""
    if not objs:
        return 0
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    columns = [pk, *(meta.get_field(name) for name in fields)]
    qn = connection.ops.quote_name
    # varchar(16)[] would truncate silently; the column's own type applies on assignment.
    arrays = ", ".join(f"%s::{f.db_type(connection).split('(')[0]}[]" for f in columns)  # type: ignore[union-attr]
    names = ", ".join(qn(f.column) for f in columns)  # type: ignore[union-attr]
    assignments = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in columns[1:])  # type: ignore[union-attr]
    sql = (
        f"UPDATE {qn(meta.db_table)} AS t SET {assignments} FROM unnest({arrays}) AS v({names}) "  # noqa: S608
        f"WHERE t.{qn(pk.column)} = v.{qn(pk.column)}"
    )
    params: list[list[Any]] = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in objs]  # type: ignore[union-attr]
        for f in columns
    ]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount
