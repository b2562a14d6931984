"""What the application's database role may do: granted by the owner role after every ``migrate``.

The web and the worker connect as the application role (``DATABASE_URL``), migrations, the demo reset
and the test set-up as the owner (``POWERDESK_OWNER_DATABASE_URL``; docs/deploy.md, "Database roles").
The application role owns nothing, so it can neither change the schema nor switch a table's triggers
off, and, not being a superuser, cannot set ``session_replication_role`` either. This module gives it
the rest, in the database being migrated (privileges are kept per database, and the test databases are
made fresh), from the ``post_migrate`` signal, so a table a new migration adds is covered at once:

1. the schema's tables: SELECT, INSERT, UPDATE, DELETE; never TRUNCATE, REFERENCES or TRIGGER;
2. the schema's sequences: USAGE and SELECT (``nextval``);
3. the same by default for what the owner creates later outside ``migrate``;
4. the append-only tables (:func:`append_only_tables`): INSERT and SELECT only. Their trigger refuses
   UPDATE and DELETE too, for every role: a second line behind the missing privilege.

A table is append-only when a trigger on it calls a function whose name ends in
:data:`APPEND_ONLY_SUFFIX` (as ``workorders_event_append_only`` guards the timeline): a new app's
append-only table is covered by its own migration's trigger, with nothing to add here.

With one URL for both roles (a single-role installation, or a CI server) there is no separate
application role and nothing is granted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction

# The name ending of the trigger functions that make a table append-only.
APPEND_ONLY_SUFFIX = "_append_only"

TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_PRIVILEGES = "USAGE, SELECT"

_APPEND_ONLY_TABLES = r"""
SELECT DISTINCT quote_ident(c.relname)
  FROM pg_trigger t
  JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_proc p ON p.oid = t.tgfoid
 WHERE c.relnamespace = current_schema()::regnamespace
   AND NOT t.tgisinternal
   AND p.proname LIKE %s
 ORDER BY 1
"""


def append_only_tables(cursor: Any) -> list[str]:
    """The quoted names of the current schema's append-only tables."""
    cursor.execute(_APPEND_ONLY_TABLES, ["%" + APPEND_ONLY_SUFFIX.replace("_", r"\_")])
    return [name for (name,) in cursor.fetchall()]


def grant_app_privileges(cursor: Any, app_role: str) -> list[str]:
    """Give ``app_role`` the rights of the module's steps in the current schema, as its owner; returns the
    append-only tables found. Run it in a transaction: between its GRANT and REVOKE the role may write
    to every table."""
    cursor.execute("SELECT quote_ident(current_schema()), quote_ident(%s)", [app_role])
    schema, quote = cursor.fetchone()
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {quote}",
        f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {schema} TO {quote}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {quote}",
        f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {schema} TO {quote}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {TABLE_PRIVILEGES} ON TABLES TO {quote}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {quote}",
    ]
    for statement in statements:
        cursor.execute(statement)
    tables = append_only_tables(cursor)
    for table in tables:
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {quote}, PUBLIC")
    return tables


def grant_after_migrate(sender: Any = None, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """``post_migrate`` receiver: grant the application role (``DATABASE_URL``'s user) its rights in the
    database just migrated, unless this process is that role itself (one role for both)."""
    app_role = settings.POWERDESK_APP_DB_USER
    connection = connections[using]
    if not app_role or connection.vendor != "postgresql":
        return
    with transaction.atomic(using=using), connection.cursor() as cur:
        cur.execute("SELECT current_user, EXISTS (SELECT FROM pg_roles WHERE rolname = %s)", [app_role])
        current, exists = cur.fetchone()
        if current == app_role:
            return
        if not exists:
            raise ImproperlyConfigured(
                f"DATABASE_URL names the database role {app_role!r}, which does not exist: create it "
                "(docs/deploy.md, 'Database roles') or give DATABASE_URL the role of "
                "POWERDESK_OWNER_DATABASE_URL"
            )
        grant_app_privileges(cur, app_role)
