"""Display labels of choice sets, resolved once per language.

``get_FOO_display()`` translates a lazy label on every call; pages and API answers that
write many of them use :func:`label` instead.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Choices
from django.utils.translation import get_language

_tables: dict[tuple[type[Choices], str], dict[Any, str]] = {}


def label(choices: type[Choices], value: Any) -> str:
    """The label of ``value`` in ``choices`` in the active language (the value itself if unknown)."""
    key = (choices, get_language() or "")
    table = _tables.get(key)
    if table is None:
        table = _tables[key] = {k: str(v) for k, v in choices.choices}
    return table.get(value, str(value))
