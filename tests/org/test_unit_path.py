"""The unit path ("/1/3/17/") that PostgreSQL triggers keep, and the visibility checks built on it."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from powerdesk.org.models import Role, Unit, UnitKind
from powerdesk.org.selectors import user_sees_unit, visible_units_filter
from powerdesk.workorders.filters import order_list
from powerdesk.workorders.selectors import order_visible
from tests.factories import AreaFactory, UnitFactory, UserFactory
from tests.org.helpers import visible_unit_ids


def stored_path(unit: Unit) -> str:
    return Unit.objects.values_list("path", flat=True).get(pk=unit.pk)


def two_new_ids(cur) -> tuple[int, int]:
    cur.execute("SELECT nextval(pg_get_serial_sequence('org_unit', 'id')) FROM generate_series(1, 2)")
    first, second = (row[0] for row in cur.fetchall())
    return first, second


def chain(*units: Unit) -> str:
    return "/" + "/".join(str(u.pk) for u in units) + "/"


def test_an_inserted_unit_gets_its_path_and_the_instance_reads_it_back(county):
    assert county.county.path == chain(county.county)
    assert county.east_area.path == chain(county.county, county.east, county.east_area)
    assert stored_path(county.east_area) == county.east_area.path


def test_moving_a_unit_moves_its_whole_subtree(county):
    team = UnitFactory(kind=UnitKind.TEAM, parent=county.east)
    team_area = AreaFactory(parent=team)
    other = UnitFactory(code="C2", kind=UnitKind.COUNTY)

    county.east.parent = other
    county.east.save()

    assert stored_path(county.east) == chain(other, county.east)
    assert stored_path(team) == chain(other, county.east, team)
    assert stored_path(team_area) == chain(other, county.east, team, team_area)
    assert stored_path(county.east_area) == chain(other, county.east, county.east_area)
    assert stored_path(county.west_area) == chain(county.county, county.west, county.west_area)


def test_the_scope_follows_a_moved_subtree(county):
    old_boss = UserFactory.with_role("agent", county.county)
    other = UnitFactory(code="C2", kind=UnitKind.COUNTY)
    new_boss = UserFactory.with_role("agent", other)

    Unit.objects.filter(pk=county.east.pk).update(parent=other)  # a queryset update: no save() at all

    assert visible_unit_ids(old_boss) == {county.county.pk, county.west.pk, county.west_area.pk}
    assert visible_unit_ids(new_boss) == {other.pk, county.east.pk, county.east_area.pk}


def test_a_path_written_by_hand_is_recomputed(county):
    Unit.objects.filter(pk=county.east.pk).update(path="/999/")

    assert stored_path(county.east) == chain(county.county, county.east)


def test_raw_sql_inserts_get_paths_even_with_triggers_off_for_replication(county):
    """The bench seed loads units with raw SQL under session_replication_role = replica."""
    with connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(
            "INSERT INTO org_unit (code, name, kind, parent_id, region_class, address, manager_name,"
            " manager_phone, is_active) VALUES ('C1-E-09', '新台区', 'area', %s, 'urban', '', '', '', true)"
            " RETURNING id, path",
            [county.east.pk],
        )
        new_id, path = cur.fetchone()
        cur.execute("SET LOCAL session_replication_role = DEFAULT")
    assert path == f"{county.east.path}{new_id}/"


def test_a_child_inserted_before_its_parent_is_completed_by_the_parents_insert(db):
    """Foreign keys are deferred, so a fixture load may insert a child first."""
    with connection.cursor() as cur:
        parent_id, child_id = two_new_ids(cur)
        insert = (
            "INSERT INTO org_unit (id, code, name, kind, parent_id, region_class, address, manager_name,"
            " manager_phone, is_active) VALUES (%s, %s, %s, %s, %s, 'urban', '', '', '', true)"
        )
        cur.execute(insert, [child_id, "K-1", "所", "station", parent_id])
        cur.execute(insert, [parent_id, "K", "县", "county", None])
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks, as at COMMIT
    assert Unit.objects.get(pk=child_id).path == f"/{parent_id}/{child_id}/"


def test_a_unit_cannot_go_under_itself_or_its_descendants(county):
    for parent in (county.county, county.east_area):
        with pytest.raises(IntegrityError), transaction.atomic():
            Unit.objects.filter(pk=county.county.pk).update(parent=parent)
    assert stored_path(county.county) == chain(county.county)


def test_the_admin_form_says_why_a_cycle_is_refused(county):
    county.east.parent = county.east_area
    with pytest.raises(ValidationError) as refused:
        county.east.full_clean()
    assert "parent" in refused.value.message_dict
    county.east.parent = county.west
    county.east.full_clean()


def test_a_unit_without_a_way_to_a_root_does_not_commit(db):
    """Two units inserted pointing at each other (no parent check until COMMIT): refused then."""
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        a, b = two_new_ids(cur)
        insert = (
            "INSERT INTO org_unit (id, code, name, kind, parent_id, region_class, address, manager_name,"
            " manager_phone, is_active) VALUES (%s, %s, '环', 'station', %s, 'urban', '', '', '', true)"
        )
        cur.execute(insert, [a, "R-A", b])
        cur.execute(insert, [b, "R-B", a])
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")


# --- user_sees_unit: the one-unit form of the scope filter ----------------------------------------


@pytest.fixture
def people(users, county):
    return {
        **users,
        "root": UserFactory(is_superuser=True, unit=None),
        "nounit": UserFactory(role=Role.objects.get(code="agent"), unit=None),
        "area": UserFactory.with_role("repair", county.east_area),
    }


def test_user_sees_unit_agrees_with_the_scope_filter_for_every_user_and_unit(people, county):
    units = list(Unit.objects.all())
    for (name, user), unit in itertools.product(people.items(), units):
        visible = visible_units_filter(user, "pk")
        expected = visible is None or Unit.objects.filter(visible, pk=unit.pk).exists()
        assert user_sees_unit(user, unit) is expected, (name, unit.code)


def test_user_sees_unit_needs_no_query_once_the_units_are_loaded(people, county, django_assert_num_queries):
    user = people["repair"]  # its unit was loaded when the user was made
    with django_assert_num_queries(0):
        assert user_sees_unit(user, county.east_area)
        assert not user_sees_unit(user, county.west_area)
        assert not user_sees_unit(user, county.county)
        assert user_sees_unit(people["root"], county.west)
        assert not user_sees_unit(people["nounit"], county.county)


def test_nobody_but_the_see_all_roles_sees_a_missing_unit(people):
    assert user_sees_unit(people["root"], None)
    assert user_sees_unit(people["manager"], None)
    assert not user_sees_unit(people["agent"], None)


def test_the_scope_reaches_postgresql_as_a_constant_path_prefix(users):
    """A constant the planner estimates from the path statistics: no id list, no recursive subquery."""
    agent = users["agent"]
    sql, params = order_visible(agent).query.sql_with_params()

    assert f"{agent.unit.path}%" in params and "RECURSIVE" not in sql.upper()
    # and the company the subtree lies in (the lists' indexes start with it): two constants, nothing more
    from powerdesk.org.selectors import user_company_id

    assert sorted(params, key=str) == sorted([f"{agent.unit.path}%", user_company_id(agent)], key=str)


def test_the_unit_queue_needs_no_scope_filter(users):
    sql, params = order_list(user=users["agent"], queue="unit").query.sql_with_params()

    where = sql.split(" WHERE ", 1)[1]
    assert "path" not in where and users["agent"].unit_id in params


def test_subtree_ids_follow_the_path_in_one_query(county, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert set(Unit.objects.subtree_ids(county.east.pk)) == {county.east.pk, county.east_area.pk}
    assert Unit.objects.subtree_ids(10**9) == []
