"""ListPaginator: the capped count, pages past the cap, and pages fetched ids first."""

from __future__ import annotations

import pytest
from django.core.paginator import EmptyPage

from powerdesk.core.pagination import ListPaginator
from powerdesk.org.models import Unit
from tests.factories import UnitFactory


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


def test_a_page_is_the_ids_then_the_rows_with_their_joins(units, django_assert_num_queries):
    paginator = ListPaginator(listed(), 3, count_cap=10)
    assert paginator.count == 7
    with django_assert_num_queries(2) as ctx:  # the page's ids (+1 look-ahead), then its rows
        page = paginator.page(2)
        parents = [u.parent.code for u in page]  # select_related kept: no query per row
    assert codes(page) == ["P03", "P04", "P05"] and parents == ["P00"] * 3
    ids_sql, rows_sql = (q["sql"] for q in ctx.captured_queries)
    assert "LIMIT 4 OFFSET 3" in ids_sql and "JOIN" not in ids_sql
    assert "JOIN" in rows_sql and "OFFSET" not in rows_sql


def test_the_count_stops_at_the_cap(units, django_assert_num_queries):
    with django_assert_num_queries(1) as ctx:
        assert ListPaginator(listed(), 3, count_cap=4).count == 4
    assert "LIMIT 5" in ctx.captured_queries[0]["sql"]


def test_plain_lists_are_paged_too():
    paginator = ListPaginator(list(range(7)), 3, count_cap=5)

    assert (paginator.count, paginator.count_is_capped) == (5, True)
    assert list(paginator.page(3)) == [6] and not paginator.page(3).has_next()
    assert paginator.last_page_number() == 3
