"""The masking policy: what a user sees of each kind of personal data, decided in this one place.

The rules are data (``org.FieldPolicy``: role × field → full / masked / hidden, and whether the role
may reveal a masked value with a reason). Everything that prints personal data asks :func:`present`
(or a user's :class:`Policy`, loaded once): the console through the ``people`` template tags, the API
through :class:`PersonalDataField`, exports and notifications through :func:`present` itself.

Revealing a value (the 显示 control) is the audit app's (``audit.reveal``): it needs the full value of a
field of a record it does not know, so the apps that own records say how to read one in
:data:`revealers` (``customers``: a customer's fields; ``workorders``: an order's and a contact's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from powerdesk.core import refcache
from powerdesk.core.extensions import Registry
from powerdesk.core.masking import (
    mask_account,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
)
from powerdesk.org.models import Disclosure, FieldPolicy, PersonalField, User

MASKERS: dict[str, Callable[[str | None], str]] = {
    PersonalField.NAME: mask_name,
    PersonalField.PHONE: mask_phone,
    PersonalField.ADDRESS: mask_address,
    PersonalField.ID_NUMBER: mask_id_number,
    PersonalField.ACCOUNT_NO: mask_account,
    PersonalField.CONTACT_PHONE: mask_phone,
    PersonalField.DESCRIPTION: mask_text,
}

# What a role without a row for a field gets: masked, no reveal (a forgotten row never leaks).
_DEFAULT = (Disclosure.MASKED.value, False)


@dataclass(frozen=True)
class Shown:
    """One value as a user may see it: ``text`` to print ("" when hidden), how it was disclosed, and
    whether the user may ask for the full value."""

    text: str
    disclosure: str
    may_reveal: bool

    @property
    def is_full(self) -> bool:
        return self.disclosure == Disclosure.FULL

    @property
    def revealable(self) -> bool:
        """Whether a 显示 control belongs beside it: something is kept back and the role may see it."""
        return self.may_reveal and not self.is_full


class Policy:
    """One user's rules, per field: ``{field: (disclosure, may_reveal)}``."""

    def __init__(self, rules: dict[str, tuple[str, bool]], *, everything: bool = False) -> None:
        self.rules = rules
        self.everything = everything

    # Hashable: a per-process shared serializer is kept per policy (core.api.shared_serializer).
    def _key(self) -> tuple[Any, ...]:
        return (self.everything, tuple(sorted(self.rules.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def rule(self, field: str) -> tuple[str, bool]:
        if field not in MASKERS:
            raise ValueError(f"unknown personal field {field!r}: add it to org.models.PersonalField")
        if self.everything:
            return (Disclosure.FULL.value, False)
        return self.rules.get(field, _DEFAULT)

    def show(self, field: str, value: Any) -> Shown:
        disclosure, may_reveal = self.rule(field)
        text = "" if value is None else str(value)
        if disclosure == Disclosure.FULL or not text:
            return Shown(text, disclosure, may_reveal)
        if disclosure == Disclosure.HIDDEN:
            return Shown("", disclosure, may_reveal)
        return Shown(MASKERS[field](text), disclosure, may_reveal)

    def text(self, field: str, value: Any) -> str:
        return self.show(field, value).text

    def is_full(self, field: str) -> bool:
        return self.rule(field)[0] == Disclosure.FULL

    def may_reveal(self, field: str) -> bool:
        if field not in MASKERS:
            return False  # a field named in a request: no such thing to reveal
        disclosure, may_reveal = self.rule(field)
        return may_reveal and disclosure != Disclosure.FULL


NOBODY = Policy({})  # masked everything: for callers without a user (and a forgotten context)
EVERYTHING = Policy({}, everything=True)


def _all_rules() -> dict[int, dict[str, tuple[str, bool]]]:
    rules: dict[int, dict[str, tuple[str, bool]]] = {}
    for role_id, field, disclosure, may_reveal in FieldPolicy.objects.values_list(
        "role_id", "field", "disclosure", "may_reveal"
    ):
        rules.setdefault(role_id, {})[field] = (disclosure, may_reveal)
    return rules


def policy_for(user: User | Any | None) -> Policy:
    """The user's policy. The table is a few rows per role, read once per process per minute
    (``core.refcache``; a save in the admin clears it): every page and answer asks."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOBODY
    if user.is_superuser:
        return EVERYTHING
    role_id = getattr(user, "role_id", None)
    if role_id is None:
        return NOBODY
    return Policy(refcache.get("org.field_policies", _all_rules).get(role_id, {}))


def serializer_masking(user: User | Any | None) -> dict[str, Policy]:
    """The serializer context entry :class:`PersonalDataField` reads: ``{"masking": policy}``."""
    return {"masking": policy_for(user)}


def present(user: User | Any | None, field: str, value: Any) -> Shown:
    """``value`` of the kind ``field`` (a :class:`~powerdesk.org.models.PersonalField`) as ``user`` may
    see it."""
    return policy_for(user).show(field, value)


class PersonalDataField(serializers.CharField):
    """A read-only string of personal data shown through the policy in the serializer's context
    (``masking``: a :class:`Policy`, see :func:`serializer_masking`). Without one everything is
    masked, so a forgotten context never leaks."""

    def __init__(self, *, field: str, **kwargs: Any) -> None:
        if field not in MASKERS:
            raise ValueError(f"unknown personal field {field!r}")
        self.personal_field = field
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        policy = self.context.get("masking") or NOBODY
        return policy.text(self.personal_field, super().to_representation(value))


# --- revealing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revealed:
    """The full value of one field of one record, and whose it is (the account number, for the audit
    trail's "whose"), or None when the user may not see the record or it has no such field."""

    value: str
    subject: str


# target ("customer", "order", "contact") → read(user, ref, field) -> Revealed | None. The reader checks
# that the user may see the record (the owning app's visibility selectors).
Reader = Callable[[User, str, str], Revealed | None]
revealers: Registry[Reader] = Registry("revealers")
