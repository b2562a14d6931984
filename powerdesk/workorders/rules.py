"""Rules of the order itself, each in one place and free of the database: priorities, escalation and
what a repeat contact becomes.

The intake, the transitions and the SLA sweep call these; the rule data (``PriorityRule`` rows) comes in
as arguments, read by the caller from the reference cache.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from powerdesk.workorders.choices import Priority, RepeatAction, StateGroup


def raise_priority(priority: int, by: int = 1) -> int:
    """``priority`` raised ``by`` levels, capped at urgent (an order above it is left as it is)."""
    if priority >= Priority.URGENT:
        return priority
    return min(int(Priority.URGENT), priority + by)


class Escalatable(Protocol):
    escalation_level: int
    priority: int
    is_flagged: bool


def escalate(order: Escalatable) -> list[str]:
    """One escalation of ``order`` (升级): a level up, the priority raised, the order flagged. Returns the
    fields changed. The same whoever escalates: a person, a chase past the policy's count, the sweep."""
    order.escalation_level += 1
    order.priority = raise_priority(order.priority)
    order.is_flagged = True
    return ["escalation_level", "priority", "is_flagged"]


def topic_fits(topic_business_types: Iterable[str], business_type: str) -> bool:
    """Whether a topic goes with a business type: the topic lists the types it may be used with, none
    meaning every type."""
    allowed = set(topic_business_types)
    return not allowed or business_type in allowed


class PriorityRuleLike(Protocol):
    business_type: str
    customer_type: str
    flag: str
    priority: int


class CustomerLike(Protocol):
    customer_type: str
    is_life_support: bool
    is_sensitive: bool


def customer_flags(customer: CustomerLike) -> set[str]:
    """The flags of a customer that priority rules can name."""
    flags = set()
    if customer.is_life_support:
        flags.add("life_support")
    if customer.is_sensitive:
        flags.add("sensitive")
    return flags


def default_priority(
    *, business_type: str, customer: CustomerLike | None, rules: Iterable[PriorityRuleLike]
) -> int:
    """The priority a new order starts with when the agent does not set one: the highest priority among
    the rules that match it (each of business type, customer type and flag is either empty, matching
    anything, or must match), else normal."""
    customer_type = customer.customer_type if customer is not None else ""
    flags = customer_flags(customer) if customer is not None else set()
    matching = [
        rule.priority
        for rule in rules
        if rule.business_type in ("", business_type)
        and rule.customer_type in ("", customer_type)
        and (not rule.flag or rule.flag in flags)
    ]
    return max(matching, default=int(Priority.NORMAL))


class RepeatActionRow(Protocol):
    business_type: str
    state_group: str
    action: str


def repeat_action(rows: Sequence[Sequence[RepeatActionRow]], *, business_type: str, archived: bool) -> str:
    """What a contact becomes, given the earlier order it matches (its business type, archived or not)
    and the repeat-call rule's action rows: ``rows`` lists the rules' rows most specific rule first (the
    topic's, then the default). Within a rule a row of the business type beats one for any type. No
    matching row: a repeat call."""
    group = StateGroup.ARCHIVED if archived else StateGroup.OPEN
    for rule_rows in rows:
        matching = [r for r in rule_rows if r.state_group == group and r.business_type in ("", business_type)]
        if matching:
            return max(matching, key=lambda r: r.business_type != "").action
    return RepeatAction.LINK


class RoutingRuleLike(Protocol):
    business_type: str
    sub_type_id: int | None
    topic_id: int | None
    customer_type: str
    flag: str


R = TypeVar("R", bound=RoutingRuleLike)


def routing_rule_for(
    *,
    business_type: str,
    sub_type_id: int | None,
    topic_id: int | None,
    customer: CustomerLike | None,
    rules: Iterable[R],
) -> R | None:
    """The routing rule (派单规则) of an order: the first of ``rules`` (given in their order) whose every
    condition is empty or met by the order's business type, sub-type and topic and its customer's type
    and flags; None when none matches (the dispatcher chooses)."""
    customer_type = customer.customer_type if customer is not None else ""
    flags = customer_flags(customer) if customer is not None else set()
    for rule in rules:
        if (
            rule.business_type in ("", business_type)
            and rule.sub_type_id in (None, sub_type_id)
            and rule.topic_id in (None, topic_id)
            and rule.customer_type in ("", customer_type)
            and (not rule.flag or rule.flag in flags)
        ):
            return rule
    return None
