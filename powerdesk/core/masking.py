"""Masking of personal data (phones, ID numbers, addresses) for roles that do not need it."""

from __future__ import annotations


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
