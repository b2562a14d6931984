"""What anonymisation does to a value, as pure functions (no database).

A text keeps its words but loses the person: every known personal value of the order (the caller's and
the customer's names, numbers, addresses, ID numbers) and anything shaped like a mobile number, a
landline number or an ID number is replaced by :data:`REDACTED`. A JSON value (an event's data, an
order's facts, a notification's context) is walked: its strings are scrubbed the same way and a phone
under the keys the timeline uses for one (``phone``, ``number``) is blanked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

REDACTED = "〔已匿名〕"

# A known value shorter than this is not looked for inside free text (a one-character surname would
# take every occurrence of that character with it).
MIN_KNOWN_LENGTH = 2

# The keys under which events and contexts hold a phone number on its own.
PHONE_KEYS = frozenset({"phone", "number", "caller_phone"})
# The keys under which they hold a name or an address on its own.
PERSONAL_KEYS = frozenset({"caller_name", "address", "customer_name", "id_number"})

_PATTERNS = [
    re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])"),  # resident ID number (18)
    re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"),  # mobile
    re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)"),  # landline with area code
]


def known_values(values: Iterable[str | None]) -> tuple[str, ...]:
    """The distinct values worth looking for in a text, longest first (so a full address goes before a
    shorter part of it)."""
    found = {v.strip() for v in values if v and len(v.strip()) >= MIN_KNOWN_LENGTH}
    return tuple(sorted(found, key=lambda v: (-len(v), v)))


def scrub_text(text: str, known: tuple[str, ...]) -> str:
    """``text`` without the known values and without anything shaped like a phone or an ID number."""
    if not text:
        return text
    for value in known:
        text = text.replace(value, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def scrub_json(value: Any, known: tuple[str, ...]) -> Any:
    """``value`` with every string scrubbed and the phone, name and address keys blanked."""
    if isinstance(value, dict):
        return {
            k: (
                "" if isinstance(v, str) and (k in PHONE_KEYS or k in PERSONAL_KEYS) else scrub_json(v, known)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub_json(v, known) for v in value]
    if isinstance(value, str):
        return scrub_text(value, known)
    return value


def months_before(now: dt.datetime, months: int) -> dt.datetime:
    """``now`` less ``months`` calendar months (the last day of a shorter month when the day is
    missing): the cut-off of a retention period."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = now.day
    while True:
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1
