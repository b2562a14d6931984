"""Who sees which orders and customers, what each seeded role may do, and who sees personal data."""

from __future__ import annotations

import pytest

from powerdesk.core.errors import NotFound
from powerdesk.customers.selectors import customer_visible
from powerdesk.org.models import Role, UnitKind
from powerdesk.org.selectors import (
    user_can_create_orders,
    user_may,
    user_sees_personal_data,
)
from powerdesk.workorders import services as s
from powerdesk.workorders.filters import order_list
from powerdesk.workorders.selectors import order_get, order_visible
from powerdesk.workorders.transitions import TRANSITIONS
from tests.factories import AreaFactory, CustomerFactory, UnitFactory, UserFactory, topic
from tests.org.helpers import visible_unit_ids


@pytest.fixture
def orders(users, county, customer, west_customer):
    """One order held by the county, one dispatched to each station."""

    def take(cust, topic_code):
        return s.workorder_intake(
            actor=users["agent"],
            business_type="repair",
            topic=topic(topic_code),
            channel="95598",
            description="停电",
            customer=cust,
        ).order

    at_county = take(customer, "power_quality")
    east = s.workorder_dispatch(
        order=take(customer, "fault_repair"), actor=users["dispatcher"], unit=county.east
    )
    west = s.workorder_dispatch(
        order=take(west_customer, "fault_repair"), actor=users["dispatcher"], unit=county.west
    )
    return {"county": at_county, "east": east, "west": west}


def numbers(qs) -> set[str]:
    return set(qs.values_list("number", flat=True))


def test_a_county_user_sees_its_own_unit_and_every_station_and_area_below(users, county):
    assert visible_unit_ids(users["agent"]) == {
        county.county.pk,
        county.east.pk,
        county.west.pk,
        county.east_area.pk,
        county.west_area.pk,
    }


def test_a_station_user_sees_its_station_and_its_areas_only(users, county):
    assert visible_unit_ids(users["repair"]) == {county.east.pk, county.east_area.pk}
    assert visible_unit_ids(users["west_repair"]) == {county.west.pk, county.west_area.pk}


def test_a_deeper_tree_is_followed_to_the_leaves(county):
    team = UnitFactory(kind=UnitKind.TEAM, parent=county.east)
    team_area = AreaFactory(parent=team)
    east_handler = UserFactory.with_role("handler", county.east)

    assert {team.pk, team_area.pk} <= visible_unit_ids(east_handler)


def test_a_county_user_sees_the_orders_of_its_stations(users, orders):
    assert numbers(order_visible(users["agent"])) == {o.number for o in orders.values()}


def test_a_station_user_does_not_see_the_other_stations_orders(users, orders):
    assert numbers(order_visible(users["repair"])) == {orders["east"].number}
    assert numbers(order_visible(users["west_repair"])) == {orders["west"].number}
    with pytest.raises(NotFound):
        order_get(user=users["repair"], number=orders["west"].number)
    assert order_get(user=users["repair"], number=orders["east"].number) == orders["east"]


def test_a_station_user_does_not_see_the_county_queue_above_it(users, orders):
    with pytest.raises(NotFound):
        order_get(user=users["repair"], number=orders["county"].number)


def test_the_manager_role_sees_every_unit_even_another_county(users, orders, county):
    other_county = UnitFactory(code="C9", name="邻县供电公司", kind=UnitKind.COUNTY)
    outsider = UserFactory.with_role("agent", other_county)
    far_customer = CustomerFactory(area=AreaFactory(parent=other_county))
    far = s.workorder_intake(
        actor=outsider,
        business_type="repair",
        topic=topic(),
        channel="95598",
        description="停电",
        customer=far_customer,
    ).order

    assert visible_unit_ids(users["manager"]) is None
    assert numbers(order_visible(users["manager"])) == {o.number for o in orders.values()} | {far.number}
    assert far.number not in numbers(order_visible(users["agent"]))
    assert numbers(order_visible(outsider)) == {far.number}


def test_a_superuser_sees_everything_and_a_user_without_a_unit_nothing(orders, county):
    root = UserFactory(is_superuser=True, unit=None)
    lost = UserFactory.with_role("agent", county.county)
    lost.unit = None
    lost.save()

    assert visible_unit_ids(root) is None
    assert numbers(order_visible(root)) == {o.number for o in orders.values()}
    assert visible_unit_ids(lost) == set()
    assert not order_visible(lost).exists()


def test_the_unit_queue_lists_only_the_users_own_unit(users, orders):
    listed = order_list(user=users["agent"], queue="unit")

    assert [o.number for o in listed] == [orders["county"].number]


def test_customers_are_scoped_like_orders(users, customer, west_customer):
    assert set(customer_visible(users["agent"])) == {customer, west_customer}
    assert set(customer_visible(users["repair"])) == {customer}
    assert set(customer_visible(users["west_repair"])) == {west_customer}
    assert set(customer_visible(users["manager"])) == {customer, west_customer}


# What each seeded role may do (DOMAIN §1: who serves). Written out, not read from the seed.
MAY = {
    "agent": {"answer", "chase", "escalate", "merge", "reclassify", "call_out", "note"},
    "dispatcher": {
        "dispatch",
        "transfer",
        "suspend",
        "resume",
        "chase",
        "escalate",
        "merge",
        "reopen",
        "reclassify",
        "call_out",
        "note",
    },
    "repair": {"take", "arrive", "resolve", "reply", "return", "suspend", "resume", "call_out", "note"},
    "handler": {"take", "resolve", "reply", "return", "suspend", "resume", "reclassify", "call_out", "note"},
    "callback": {"callback", "archive", "reopen", "call_out", "note"},
    # Every staff transition; the customer's own withdrawal is the portal account's alone.
    "manager": set(TRANSITIONS) - {"cancel_by_customer"},
    "admin": set(TRANSITIONS) - {"cancel_by_customer"},
    # The portal's account: the customer's withdrawal, and the documents they hand in (attachments: note).
    "portal": {"cancel_by_customer", "note"},
}


@pytest.mark.parametrize("role", sorted(MAY))
@pytest.mark.parametrize("code", sorted(TRANSITIONS))
def test_each_seeded_role_may_fire_exactly_its_transitions(county, role, code):
    user = UserFactory.with_role(role, county.county)

    assert user_may(user, code) is (code in MAY[role])


def test_every_role_of_the_matrix_is_seeded(db):
    assert set(Role.objects.values_list("code", flat=True)) >= set(MAY)


def test_a_user_without_a_role_may_do_nothing_and_a_superuser_anything(users):
    root = UserFactory(is_superuser=True)

    assert not any(user_may(users["norole"], code) for code in TRANSITIONS)
    assert all(user_may(root, code) for code in TRANSITIONS)
    assert not user_can_create_orders(users["norole"])
    assert user_can_create_orders(root)


@pytest.mark.parametrize(
    ("role", "creates"),
    [
        ("agent", True),
        ("dispatcher", True),
        ("repair", False),
        ("handler", False),
        ("callback", False),
        ("manager", True),
        ("admin", True),
    ],
)
def test_only_call_taking_roles_may_open_orders(county, role, creates):
    assert user_can_create_orders(UserFactory.with_role(role, county.county)) is creates


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("agent", True),
        ("dispatcher", True),
        ("repair", True),
        ("handler", True),
        ("callback", True),
        ("manager", False),
        ("admin", True),
    ],
)
def test_the_personal_data_flag_follows_the_role(county, role, sees):
    assert user_sees_personal_data(UserFactory.with_role(role, county.county)) is sees


def test_a_user_without_a_role_does_not_see_personal_data_but_a_superuser_does(users):
    assert user_sees_personal_data(users["norole"]) is False
    assert user_sees_personal_data(UserFactory(is_superuser=True)) is True
