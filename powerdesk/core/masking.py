"""How personal data looks masked (phones, ID numbers, addresses, names, account numbers, free text).

Which role sees which field masked is decided by the policy in :mod:`powerdesk.org.masking`."""

from __future__ import annotations

import re

# Phone numbers inside free text: a mainland mobile (optionally +86) or a landline with its area code. Not
# preceded by a letter or digit and not followed by a digit, so order numbers and account numbers (long
# digit runs of their own) are left alone.
_PHONE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:(?:\+?86[- ]?)?1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8})(?!\d)")


def _keep_tail(value: str, tail: int) -> str:
    if tail <= 0:
        return "*" * len(value)
    return "*" * (len(value) - tail) + value[-tail:]


def mask_phone(value: str | None) -> str:
    """A mobile number (11 digits or longer) shows as 138****5678; a shorter number keeps at most half
    of its digits, the last ones, so a 7-digit landline is never shown whole."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    return _keep_tail(digits, len(digits) // 2)


def mask_phones_in(text: str | None) -> str:
    """``text`` with every phone number in it masked as :func:`mask_phone` masks one (for lines written
    to logs, which whoever runs the service reads)."""
    if not text:
        return ""
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


def mask_id_number(value: str | None) -> str:
    """An 18- or 15-character ID number keeps its first and last four; shorter documents (passports,
    permits) keep the first character and the last two."""
    if not value:
        return ""
    value = value.strip()
    if len(value) >= 15:
        return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"
    if len(value) <= 4:
        return "*" * len(value)
    return f"{value[0]}{'*' * (len(value) - 3)}{value[-2:]}"


def mask_address(value: str | None, keep: int = 8) -> str:
    """Keep the coarse part of an address (town, village) and hide the house number."""
    if not value:
        return ""
    # A short address is mostly house number: keep at most half of it (rounded up).
    keep = min(keep, (len(value) + 1) // 2)
    return value[:keep] + "****"


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1) if len(value) > 1 else value


def mask_account(value: str | None) -> str:
    """An account number keeps its first two and last two characters (enough to tell two apart on a
    list, not to look one up)."""
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 4:
        return "*" * len(value)
    return f"{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"


# Inside free text: an ID number (15 or 18 characters, the last may be X), not part of a longer run of
# digits or letters; phone numbers are found by _PHONE_IN_TEXT above.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_text(value: str | None) -> str:
    """Free text (a description, a summary) with the ID numbers and phone numbers in it masked; the
    rest of the words stay, since the staff act on them."""
    if not value:
        return ""
    return mask_phones_in(_ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(1)), value))
