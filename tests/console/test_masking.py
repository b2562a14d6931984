"""Phone and ID numbers are masked for roles that may not see personal data (the manager) and shown
in full to those who need them (the agent), on every console page that shows them."""

from __future__ import annotations

from django.urls import reverse

FULL, MASKED = "13812345678", "138****5678"
ID_FULL, ID_MASKED = "330100199001011234", "3301**********1234"


def test_the_order_page_masks_the_callers_phone_for_a_manager(login, users, order):
    body = login(users["manager"]).get(reverse("workorders:detail", args=[order.number])).content.decode()
    assert MASKED in body and FULL not in body


def test_the_order_page_shows_the_full_phone_to_an_agent(login, users, order):
    body = login(users["agent"]).get(reverse("workorders:detail", args=[order.number])).content.decode()
    assert FULL in body


def test_the_customer_page_masks_phones_and_id_number_for_a_manager(login, users, customer, order):
    body = (
        login(users["manager"]).get(reverse("customers:detail", args=[customer.account_no])).content.decode()
    )
    assert MASKED in body and FULL not in body
    assert ID_MASKED in body and ID_FULL not in body


def test_the_customer_page_shows_phones_and_id_number_to_an_agent(login, users, customer):
    body = login(users["agent"]).get(reverse("customers:detail", args=[customer.account_no])).content.decode()
    assert FULL in body and ID_FULL in body


def test_lists_and_search_results_mask_phones_for_a_manager(login, users, customer, order):
    client = login(users["manager"])
    listing = client.get(reverse("workorders:list"), {"queue": "all"}).content.decode()
    search = client.get(reverse("customers:search"), {"q": customer.account_no}).content.decode()
    home = client.get(reverse("home")).content.decode()
    for body in (listing, search, home):
        assert MASKED in body and FULL not in body


def test_the_timeline_masks_the_phone_of_a_repeat_call_for_a_manager(login, users, customer, order):
    from tests.console.conftest import intake

    intake(users["agent"], customer)
    body = login(users["manager"]).get(reverse("workorders:detail", args=[order.number])).content.decode()
    assert "重复致电" in body and FULL not in body
