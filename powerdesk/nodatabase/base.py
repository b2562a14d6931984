"""The settings' database when nothing set ``DATABASE_URL``: PostgreSQL in every respect but connecting.

Tools that import the settings and never query (mypy's Django plugin, ``django-admin makemessages``)
work as against the real database. Whatever does query gets an error that says how to get one, instead
of a connection refused on some socket.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper

MESSAGE = (
    "PowerDesk has no database: DATABASE_URL is not set. Run Django through `powerdesk` (e.g. "
    "`.venv/bin/powerdesk migrate`), `manage.py` or `make run`: they start the embedded PostgreSQL under "
    "var/ and set DATABASE_URL. A script calls `powerdesk.launcher.launch(Role.OWNER)` before "
    "`django.setup()`. Or set DATABASE_URL to your PostgreSQL server."
)


class NoDatabaseError(ImproperlyConfigured):
    pass


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    def connect(self) -> None:
        raise NoDatabaseError(MESSAGE)
