"""The order's own rules as pure functions: raising a priority, escalating, the default priority."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerdesk.workorders.choices import BusinessType, Priority
from powerdesk.workorders.rules import default_priority, escalate, raise_priority

priorities = st.sampled_from([int(p) for p in Priority])


@given(priorities, st.integers(min_value=0, max_value=5))
def test_a_raised_priority_is_capped_at_urgent_and_never_lower(priority, by):
    raised = raise_priority(priority, by)
    assert priority <= raised <= Priority.URGENT
    assert raised == min(int(Priority.URGENT), priority + by)


def test_a_priority_above_urgent_is_left_as_it_is():
    assert raise_priority(Priority.URGENT + 1) == Priority.URGENT + 1


@dataclass
class Order:
    escalation_level: int = 0
    priority: int = Priority.NORMAL
    is_flagged: bool = False


@given(st.integers(min_value=1, max_value=6))
def test_each_escalation_is_a_level_up_a_priority_up_to_urgent_and_a_flag(times):
    order = Order()
    for _ in range(times):
        assert escalate(order) == ["escalation_level", "priority", "is_flagged"]
    assert order.escalation_level == times and order.is_flagged
    assert order.priority == min(int(Priority.URGENT), Priority.NORMAL + times)


@dataclass
class Rule:
    priority: int
    business_type: str = ""
    customer_type: str = ""
    flag: str = ""


@dataclass
class Customer:
    customer_type: str = "urban_resident"
    is_life_support: bool = False
    is_sensitive: bool = False


SEEDED = [Rule(Priority.HIGH, customer_type="important"), Rule(Priority.HIGH, flag="life_support")]


def test_without_a_matching_rule_an_order_starts_normal():
    assert default_priority(business_type="repair", customer=Customer(), rules=SEEDED) == Priority.NORMAL
    assert default_priority(business_type="repair", customer=None, rules=SEEDED) == Priority.NORMAL


def test_an_important_customer_or_one_on_life_support_starts_high():
    important = Customer(customer_type="important")
    life_support = Customer(is_life_support=True)
    assert default_priority(business_type="repair", customer=important, rules=SEEDED) == Priority.HIGH
    assert default_priority(business_type="complaint", customer=life_support, rules=SEEDED) == Priority.HIGH


def test_the_highest_matching_rule_wins_and_each_dimension_must_match_when_set():
    rules = [*SEEDED, Rule(Priority.URGENT, business_type="repair", flag="life_support")]
    life_support = Customer(is_life_support=True)
    assert default_priority(business_type="repair", customer=life_support, rules=rules) == Priority.URGENT
    assert default_priority(business_type="consultation", customer=life_support, rules=rules) == Priority.HIGH


@given(
    st.lists(
        st.builds(
            Rule,
            priority=priorities,
            business_type=st.sampled_from(["", *BusinessType.values]),
            customer_type=st.sampled_from(["", "important", "commercial"]),
            flag=st.sampled_from(["", "life_support", "sensitive"]),
        ),
        max_size=6,
    ),
    st.sampled_from(BusinessType.values),
)
def test_adding_a_rule_never_lowers_a_default_priority(rules, business_type):
    customer = Customer(customer_type="important", is_sensitive=True)
    before = default_priority(business_type=business_type, customer=customer, rules=rules[:-1])
    after = default_priority(business_type=business_type, customer=customer, rules=rules)
    assert after >= before >= Priority.NORMAL


# --- what a repeat contact becomes ------------------------------------------------------------------


def _action_row(business_type: str, state_group: str, action: str):
    from types import SimpleNamespace

    return SimpleNamespace(business_type=business_type, state_group=state_group, action=action)


SEEDED_ACTIONS = [
    _action_row("", "open", "link"),
    _action_row("repair", "archived", "recur"),
    _action_row("", "archived", "follow_up"),
]


@pytest.mark.parametrize(
    ("business_type", "archived", "action"),
    [
        ("repair", False, "link"),
        ("complaint", False, "link"),
        ("repair", True, "recur"),
        ("complaint", True, "follow_up"),
    ],
)
def test_the_action_of_the_business_type_beats_the_action_for_any_type(business_type, archived, action):
    from powerdesk.workorders.rules import repeat_action

    assert repeat_action([SEEDED_ACTIONS], business_type=business_type, archived=archived) == action


def test_the_topics_rule_beats_the_default_and_no_row_means_a_repeat_call():
    from powerdesk.workorders.rules import repeat_action

    topic_rule = [_action_row("", "archived", "reopen")]
    assert repeat_action([topic_rule, SEEDED_ACTIONS], business_type="repair", archived=True) == "reopen"
    assert repeat_action([topic_rule, SEEDED_ACTIONS], business_type="repair", archived=False) == "link"
    assert repeat_action([], business_type="repair", archived=True) == "link"
