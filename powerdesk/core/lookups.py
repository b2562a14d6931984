"""``field__any=[…]``: membership in a list sent as one array parameter.

Django's ``__in`` writes one placeholder per value: for the thousand ids of a sweep batch that is a
thousand parameters, and psycopg spends longer splitting the statement text around them than PostgreSQL
spends running it. ``= ANY(%s)`` sends the list as one array, and the statement text stays the same
whatever the list's length, so it is prepared once.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, Lookup


@Field.register_lookup
class Any_(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return [self.lhs.output_field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))
