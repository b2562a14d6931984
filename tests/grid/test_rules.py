from hypothesis import given
from hypothesis import strategies as st

from powerdesk.grid import rules


def test_parent_kinds():
    assert rules.parent_allowed("substation", None)
    assert rules.parent_allowed("fuse", "switch") and rules.parent_allowed("transformer", "feeder")
    assert not rules.parent_allowed("meter_point", "feeder")
    assert not rules.parent_allowed("feeder", None)
    assert not rules.parent_allowed("lamp", "feeder")


@given(st.lists(st.booleans(), max_size=4))
def test_a_customer_is_out_only_when_every_supply_is(states):
    assert rules.customer_is_out(states) == (bool(states) and all(states))


def test_cycles_are_found_and_unknown_parents_end_the_walk():
    parents = {"A": None, "B": "A", "C": "D", "D": "E", "E": "C", "F": "E", "G": "X"}
    assert rules.find_cycles(parents) == {"C", "D", "E"}
    assert rules.find_cycles({"A": "A"}) == {"A"}


def test_reparent_path():
    assert rules.reparent_path("/1/2/5/9/", "/1/2/5/", "/1/3/5/") == "/1/3/5/9/"
    assert rules.path_ids("/1/22/333/") == [1, 22, 333]
