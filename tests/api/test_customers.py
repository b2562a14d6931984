"""GET /api/v1/customers/: look-up by phone, account number or address, masked per role."""

from __future__ import annotations

from tests.api.conftest import error
from tests.factories import CustomerFactory

URL = "/api/v1/customers/"


def test_an_agent_finds_a_customer_by_phone_and_sees_it_in_full(api, customer):
    response = api("agent").get(URL, {"q": "13812345678"})
    assert response.status_code == 200
    [found] = response.json()
    assert found["account_no"] == customer.account_no and found["name"] == "张三"
    assert found["phones"] == [{"number": "13812345678", "label": ""}]
    assert found["address"] == customer.address
    assert found["area"] == {
        "id": customer.area.pk,
        "code": "C1-E-01",
        "name": "和平路1号台区",
        "manager_name": "李台区",
        "manager_phone": "13900000000",
    }


def test_a_manager_sees_masked_phones_and_addresses(api, customer):
    [found] = api("manager").get(URL, {"q": customer.account_no}).json()
    assert found["phones"] == [{"number": "138****5678", "label": ""}]
    assert found["address"].endswith("****") and found["address"] != customer.address


def test_it_searches_address_fragments(api, county):
    CustomerFactory(area=county.east_area, address="青溪县城关镇解放街18号")
    found = api("agent").get(URL, {"q": "解放街"}).json()
    assert [c["address"] for c in found] == ["青溪县城关镇解放街18号"]


def test_a_station_user_does_not_find_another_stations_customers(api, west_customer):
    assert api("repair").get(URL, {"q": "13987654321"}).json() == []
    assert api("west_repair").get(URL, {"q": "13987654321"}).json()[0]["name"] == "李四"


def test_a_missing_or_oversized_query_is_a_400(api):
    for params in ({}, {"q": ""}, {"q": "x" * 101}):
        response = api("agent").get(URL, params)
        assert response.status_code == 400 and "q" in error(response)["fields"]


def test_the_customer_page_lists_open_orders_and_masks_the_id_number(api, customer, make_order):
    order = make_order()
    body = api("manager").get(f"{URL}{customer.account_no}/").json()
    assert body["id_number"] == "3301**********1234"
    assert [o["number"] for o in body["open_orders"]] == [order.number]
    assert body["open_orders"][0]["status"] == "accepted"
    full = api("agent").get(f"{URL}{customer.account_no}/").json()
    assert full["id_number"] == "330100199001011234" and full["meter_no"] == customer.meter_no


def test_another_stations_customer_is_a_404(api, west_customer):
    response = api("repair").get(f"{URL}{west_customer.account_no}/")
    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "找不到该客户。", "fields": {}}
    assert api("agent").get(f"{URL}no such/").status_code == 404
