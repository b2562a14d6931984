"""Finding the caller: by phone, account number, address fragment or name, within the user's units."""

from __future__ import annotations

import pytest
from django.db import connection

from powerdesk.customers.models import CustomerPhone
from powerdesk.customers.selectors import customer_get, customer_search
from tests.factories import CustomerFactory
from tests.statements import statements_with_params


@pytest.fixture
def zhang(county):
    c = CustomerFactory(
        area=county.east_area,
        account_no="3300012345",
        name="张建国",
        phone="13812345678",
        address="青溪县城关镇和平路18号3单元",
    )
    CustomerPhone.objects.create(customer=c, number="057188886666", label="家里座机")
    return c


@pytest.fixture
def li(county):
    return CustomerFactory(
        area=county.west_area,
        account_no="3300099999",
        name="李秀英",
        phone="13987654321",
        address="青溪县西岭镇西岭村5组",
    )


def test_it_finds_a_customer_by_mobile_phone(users, zhang, li):
    assert customer_search(user=users["agent"], q="13812345678") == [zhang]


@pytest.mark.parametrize(
    "q", ["138 1234 5678", "138-1234-5678", "+8613812345678", "+86 138 1234 5678", "008613812345678"]
)
def test_it_finds_a_phone_written_with_spaces_dashes_or_the_country_code(users, zhang, q):
    assert customer_search(user=users["agent"], q=q) == [zhang]


def test_it_finds_a_customer_by_a_second_phone_once(users, zhang):
    assert customer_search(user=users["agent"], q="057188886666") == [zhang]


def test_it_finds_a_customer_by_exact_account_number(users, zhang, li):
    assert customer_search(user=users["agent"], q="3300012345") == [zhang]


def test_it_finds_customers_by_account_number_prefix(users, zhang, li):
    assert customer_search(user=users["agent"], q="330009") == [li]
    assert set(customer_search(user=users["agent"], q="3300")) == {zhang, li}


def test_it_finds_a_customer_by_an_address_fragment(users, zhang, li):
    assert customer_search(user=users["agent"], q="和平路18号") == [zhang]
    assert customer_search(user=users["agent"], q="西岭村") == [li]
    assert set(customer_search(user=users["agent"], q="青溪县")) == {zhang, li}


def test_it_finds_a_customer_by_name_or_part_of_it(users, zhang, li):
    assert customer_search(user=users["agent"], q="张建国") == [zhang]
    assert customer_search(user=users["agent"], q="秀英") == [li]


def test_it_finds_nothing_for_an_unknown_phone_or_text(users, zhang):
    assert customer_search(user=users["agent"], q="13900000001") == []
    assert customer_search(user=users["agent"], q="不存在的路") == []


@pytest.mark.parametrize("q", ["", "   ", None])
def test_an_empty_query_finds_nothing(users, zhang, q):
    assert customer_search(user=users["agent"], q=q) == []


def test_wildcards_in_the_query_are_taken_literally(users, zhang):
    assert customer_search(user=users["agent"], q="%") == []
    assert customer_search(user=users["agent"], q="和_路") == []


def test_search_is_scoped_to_the_users_units(users, zhang, li):
    assert customer_search(user=users["repair"], q="青溪县") == [zhang]
    assert customer_search(user=users["west_repair"], q="13812345678") == []
    assert customer_search(user=users["west_repair"], q="3300012345") == []
    assert customer_search(user=users["west_repair"], q="3300") == [li]
    assert set(customer_search(user=users["manager"], q="青溪县")) == {zhang, li}


def test_a_user_without_a_unit_or_role_scope_finds_no_one(users, zhang):
    users["norole"].unit = None
    users["norole"].save()

    assert customer_search(user=users["norole"], q="13812345678") == []


def test_results_are_limited(users, county):
    for i in range(7):
        CustomerFactory(area=county.east_area, address=f"青溪县东桥镇新街{i}号")

    assert len(customer_search(user=users["agent"], q="东桥镇新街", limit=5)) == 5


def test_customer_get_respects_the_scope(users, zhang):
    assert customer_get(user=users["agent"], account_no="3300012345") == zhang
    assert customer_get(user=users["west_repair"], account_no="3300012345") is None


@pytest.mark.parametrize("q", ["和平路18", "张建国"])
def test_a_chinese_fragment_search_can_use_the_trigram_indexes(users, zhang, q):
    with statements_with_params() as captured:
        assert customer_search(user=users["manager"], q=q) == [zhang]
    sql, params = next((sql, p) for sql, p in captured if "customers_customer" in sql and "LIKE" in sql)
    with connection.cursor() as cur:
        # Only bitmap scans left: a predicate the trigram indexes cannot serve would fall back to a seq scan.
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")
        cur.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "customer_address_trgm" in plan and "customer_name_trgm" in plan, plan
    for _ in range(12):  # past psycopg's prepare_threshold: a generic plan would walk account_no's index
        assert customer_search(user=users["manager"], q=q) == [zhang]
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%LIKE%'")
        assert not cur.fetchall()


def test_a_latin_fragment_is_matched_without_regard_to_case(users, county):
    tower = CustomerFactory(area=county.east_area, address="青溪县滨江路88号B座")

    assert customer_search(user=users["agent"], q="b座") == [tower]


def test_a_phone_is_found_however_it_is_typed(users, zhang):
    for typed in ["+86 138 1234 5678", "138-1234-5678", "0571-8888 6666", "(0571)88886666"]:
        assert customer_search(user=users["agent"], q=typed) == [zhang], typed
