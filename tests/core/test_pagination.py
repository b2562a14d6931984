"""ListPaginator: the capped count, pages past the cap, and pages fetched ids first."""

from __future__ import annotations

import pytest
from django.core.paginator import EmptyPage

from powerdesk.core.pagination import ListPaginator
from powerdesk.org.models import Unit
from tests.factories import UnitFactory
from tests.statements import statements


@pytest.fixture
def units(db) -> list[Unit]:
    root = UnitFactory(code="P00", kind="county")
    return [root, *(UnitFactory(code=f"P{i:02d}", parent=root) for i in range(1, 7))]


def listed():
    return Unit.objects.filter(code__startswith="P").select_related("parent").order_by("code")


def codes(page) -> list[str]:
    return [u.code for u in page]


def test_below_the_cap_the_count_is_exact_and_paging_is_djangos(units):
    paginator = ListPaginator(listed(), 3, count_cap=10)

    assert (paginator.count, paginator.count_is_capped, paginator.num_pages) == (7, False, 3)
    assert codes(paginator.page(1)) == ["P00", "P01", "P02"] and paginator.page(1).has_next()
    assert codes(paginator.page(3)) == ["P06"] and not paginator.page(3).has_next()
    with pytest.raises(EmptyPage):
        paginator.page(4)
    assert paginator.get_page(99).number == 3


def test_past_the_cap_the_count_is_the_cap_and_says_so(units):
    paginator = ListPaginator(listed(), 2, count_cap=3)

    assert (paginator.count, paginator.count_is_capped, paginator.num_pages) == (3, True, 2)


def test_pages_past_a_capped_count_are_served_while_they_have_rows(units):
    paginator = ListPaginator(listed(), 2, count_cap=3)

    assert codes(paginator.page(3)) == ["P04", "P05"] and paginator.page(3).next_page_number() == 4
    last = paginator.page(4)
    assert codes(last) == ["P06"] and not last.has_next()
    with pytest.raises(EmptyPage):
        paginator.page(5)
    assert paginator.last_page_number() == 4
    assert codes(paginator.get_page(50)) == ["P06"]


def test_a_count_exactly_at_the_cap_is_not_capped(units):
    paginator = ListPaginator(listed(), 5, count_cap=7)

    assert (paginator.count, paginator.count_is_capped) == (7, False)


def test_a_page_is_the_ids_then_the_rows_with_their_joins(units):
    paginator = ListPaginator(listed(), 3, count_cap=10)
    assert paginator.count == 7
    with statements() as sent:  # the page's ids (+1 look-ahead), then its rows
        page = paginator.page(2)
        parents = [u.parent.code for u in page]  # select_related kept: no query per row
    assert codes(page) == ["P03", "P04", "P05"] and parents == ["P00"] * 3
    ids_sql, rows_sql = sent
    assert "LIMIT 4 OFFSET 3" in ids_sql and "JOIN" not in ids_sql
    assert "JOIN" in rows_sql and "OFFSET" not in rows_sql


def test_the_count_stops_at_the_cap(units):
    with statements() as sent:
        assert ListPaginator(listed(), 3, count_cap=4).count == 4
    [count_sql] = sent
    assert "LIMIT 5" in count_sql


def test_the_count_and_the_page_keys_are_never_prepared(units):
    """PostgreSQL would plan a prepared statement once for any values (see ``core.sql.unprepared``)."""
    from django.db import connection

    for _ in range(12):  # past psycopg's prepare_threshold
        paginator = ListPaginator(listed(), 3, count_cap=4)
        assert paginator.count == 4 and codes(paginator.page(2)) == ["P03", "P04", "P05"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert not [s for s in prepared if "count(*)" in s or "OFFSET" in s]
    # the rows by key (filters decided already, one plan fits every page) may be prepared
    assert any("JOIN" in s for s in prepared)


def test_plain_lists_are_paged_too():
    paginator = ListPaginator(list(range(7)), 3, count_cap=5)

    assert (paginator.count, paginator.count_is_capped) == (5, True)
    assert list(paginator.page(3)) == [6] and not paginator.page(3).has_next()
    assert paginator.last_page_number() == 3
