"""The customer page and API show contacts, orders and attachments only of orders the user may open
(#12 item 4): a contact belongs to an order and is visible only if its order is."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from powerdesk.workorders.attachments import attachment_add

PHONE = "13812345678"
SECRET = "身份证330100199001011234，请尽快处理"


def test_a_repair_user_sees_no_contact_row_of_a_county_order_on_the_customer_page(
    login, users, customer, order
):
    client = login(users["repair"])
    assert client.get(reverse("workorders:detail", args=[order.number])).status_code == 404
    body = client.get(reverse("customers:detail", args=[customer.account_no])).content.decode()
    # The customer's own phones show (the crew may see them); the contact row of the order does not.
    assert order.number not in body and "近90天没有来电" in body
    assert "该客户没有未办结或近期办结的工单" in body


def test_once_dispatched_to_the_station_the_contact_row_shows(login, users, customer, east_order):
    body = (
        login(users["repair"]).get(reverse("customers:detail", args=[customer.account_no])).content.decode()
    )
    assert east_order.number in body


def test_the_customer_api_lists_only_contacts_and_orders_of_visible_orders(api, users, customer, make_order):
    order = make_order(description=SECRET)
    hidden = api("repair").get(f"/api/v1/customers/{customer.account_no}/").json()
    assert hidden["recent_contacts"] == [] and hidden["open_orders"] == []
    assert SECRET not in str(hidden) and order.number not in str(hidden)
    shown = api("agent").get(f"/api/v1/customers/{customer.account_no}/").json()
    assert [c["order"] for c in shown["recent_contacts"]] == [order.number]
    assert shown["recent_contacts"][0]["phone"] == PHONE


def test_an_attachment_of_an_order_the_user_cannot_open_is_a_404(login, users, order, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("meter.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    attachment = attachment_add(order=order, actor=users["agent"], kind="photo", upload=upload)
    url = reverse("workorders:attachment", args=[order.number, attachment.pk])
    assert login(users["repair"]).get(url).status_code == 404
    body = login(users["repair"]).get(reverse("customers:detail", args=[order.customer.account_no])).content
    assert b"meter.png" not in body
