"""Reference data for tests: the rows the data migrations seeded, put back after a flush.

pytest-django flushes every table after a transactional test — the rows the data migrations seeded
(roles, topics, rules, SLA policies, templates, the calendar, the case library) included — so tests that
run later would find them missing. The first time a process needs them, it copies what the migrated
database holds (committed rows, read on a connection of its own: never a test's open transaction) and
later puts that copy back with ``COPY``, the rows as the migrations left them, in a tenth of a second; the
seed functions (idempotent) run again only where no copy could be taken (a process whose first look
found the database already flushed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps as django_apps
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

_FUNCTIONS: list = []


def seed_functions() -> list:
    """The forward functions of every PowerDesk data migration, in migration order."""
    if not _FUNCTIONS:
        loader = MigrationLoader(connection, ignore_no_migrations=True)
        plan: list[tuple[str, str]] = []
        for leaf in sorted(loader.graph.leaf_nodes()):
            for node in loader.graph.forwards_plan(leaf):
                if node not in plan and loader.graph.nodes[node].__module__.startswith("powerdesk."):
                    plan.append(node)
        _FUNCTIONS.extend(
            op.code
            for node in plan
            for op in loader.graph.nodes[node].operations
            if isinstance(op, RunPython)
        )
    return _FUNCTIONS


@dataclass(frozen=True)
class _Table:
    name: str
    columns: str  # quoted, generated columns left out (COPY cannot write them)
    rows: bytes  # COPY's text format
    sequence: str | None  # of the ``id`` column, when it has one
    top: int  # the highest ``id`` of the rows


# The copy of the reference rows (None: not taken yet; empty: the database was already flushed).
_copy: list[_Table] | None = None


def _take_copy() -> list[_Table]:
    """The committed rows of every model table that has any, in the order the tables were created (a
    table refers to tables made before it; foreign keys are checked at the commit anyway)."""
    import psycopg

    tables = set(connection.introspection.django_table_names(only_existing=True, include_views=False))
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    taken: list[_Table] = []
    with psycopg.connect(**params) as own, own.cursor() as cur:
        cur.execute(
            "SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
            " AND a.attgenerated = ''"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
            " GROUP BY c.oid, c.relname ORDER BY c.oid"
        )
        for name, columns in cur.fetchall():
            if name not in tables:
                continue
            quoted = connection.ops.quote_name(name)
            with cur.copy(f"COPY (SELECT {columns} FROM {quoted}) TO STDOUT") as out:
                rows = b"".join(bytes(chunk) for chunk in out)
            if not rows:
                continue
            sequence, top = None, 0
            if "id" in columns.split(", "):
                cur.execute(f"SELECT pg_get_serial_sequence(%s, 'id'), max(id) FROM {quoted}", [quoted])
                sequence, top = cur.fetchone()
            taken.append(_Table(name, columns, rows, sequence, top or 0))
    return taken


def _put_back(copy: list[_Table]) -> None:
    """The copy's rows, in one transaction. The flush's ``post_migrate`` made the content types and
    permissions again under new ids: those tables are emptied first, so every row comes back with the id
    the seeded rows refer to."""
    from powerdesk.core.appendonly import owner_truncate

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT FROM {quote(t.name)})" for t in copy),
            [t.name for t in copy],
        )
        refilled = [quote(name) for (name,) in cursor.fetchall()]
        if refilled:
            for statement in owner_truncate([f"TRUNCATE {', '.join(refilled)} CASCADE"]):
                cursor.execute(statement)
        for table in copy:
            with cursor.cursor.copy(f"COPY {quote(table.name)} ({table.columns}) FROM STDIN") as into:
                into.write(table.rows)
        # The rows come back with their ids, which a sequence restarted since (a demo reset's TRUNCATE
        # … RESTART IDENTITY, committed by a transactional test) would hand out again.
        sequences = [t for t in copy if t.sequence]
        if sequences:
            cursor.execute(
                "SELECT setval(seq, top) FROM unnest(%s::text[], %s::bigint[]) AS t(seq, top)"
                " WHERE top > coalesce(pg_sequence_last_value(seq::regclass), 0)",
                [[t.sequence for t in sequences], [t.top for t in sequences]],
            )


def ensure_seeded() -> None:
    from powerdesk.core import refcache
    from powerdesk.org.models import Role

    global _copy
    refcache.clear()  # per-process caches must not outlive a test's data
    seeded = Role.objects.exists()
    if _copy is None:
        _copy = _take_copy() if seeded else []
    if seeded:
        return
    if _copy:
        _put_back(_copy)
    else:
        # One transaction: a row seeded before the row it points at (a template before its category,
        # whose migration came later) is checked at the commit, as in the migrations, not at its INSERT.
        with transaction.atomic():
            for seed in seed_functions():
                seed(django_apps, None)
    refcache.clear()
