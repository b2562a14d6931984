"""One masking policy per role and field (org.masking), applied by the console, the API and the timeline;
the 显示 control that reveals a value for a reason, audited (#12 item 3)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from powerdesk.audit.models import AuditEntry
from powerdesk.org.masking import present
from powerdesk.org.models import FieldPolicy
from tests.api.conftest import client_for, error
from tests.factories import UserFactory

PHONE, PHONE_MASKED = "13812345678", "138****5678"
ID_FULL = "330100199001011234"


def _page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_manager_sees_the_address_masked_on_the_order_page(login, users, customer, order):
    order.address = "青溪县城关镇和平路88号3单元502"
    order.save(update_fields=["address"])
    body = _page(login(users["manager"]), reverse("workorders:detail", args=[order.number]))
    assert order.address not in body and present(users["manager"], "address", order.address).text in body


def test_the_manager_sees_the_address_masked_on_the_customer_page_and_in_the_search(login, users, customer):
    client = login(users["manager"])
    detail = _page(client, reverse("customers:detail_id", args=[customer.pk]))
    search = _page(client, reverse("customers:search"), q=customer.address[:6])
    for body in (detail, search):
        assert customer.address not in body


def test_names_are_masked_per_policy(login, users, customer):
    client = login(users["manager"])
    body = _page(client, reverse("customers:detail_id", args=[customer.pk]))
    assert "张三" not in body and "张*" in body
    assert "张三" in _page(login(users["agent"]), reverse("customers:detail", args=[customer.account_no]))


def test_a_masked_role_searching_by_a_full_phone_gets_no_name_or_account_in_clear(
    login, api, users, customer
):
    body = _page(login(users["manager"]), reverse("customers:search"), q=PHONE)
    assert PHONE_MASKED in body
    assert "张三" not in body and customer.account_no not in body
    [found] = api("manager").get("/api/v1/customers/", {"q": PHONE}).json()
    assert found["name"] != "张三" and found["account_no"] != customer.account_no
    assert customer.account_no not in str(found)


def test_a_masked_customer_page_is_reached_by_id_not_by_account_number(login, users, customer):
    client = login(users["manager"])
    search = _page(client, reverse("customers:search"), q=PHONE)
    assert reverse("customers:detail_id", args=[customer.pk]) in search
    # …and the link by id keeps the visibility of the account-number page.
    response = login(users["west_repair"]).get(reverse("customers:detail_id", args=[customer.pk]))
    assert response.status_code == 404


def test_the_reveal_asks_a_reason_and_records_who_what_whose_where_and_why(login, users, customer):
    client = login(users["manager"])
    page = _page(client, reverse("customers:detail_id", args=[customer.pk]))
    url = reverse("audit:reveal")
    assert f'hx-get="{url}?target=customer&amp;ref={customer.pk}&amp;field=phone"' in page
    form = _page(client, url, target="customer", ref=customer.pk, field="phone")
    assert 'name="reason"' in form and PHONE not in form
    data = {"target": "customer", "ref": customer.pk, "field": "phone"}
    refused = client.post(url, {**data, "reason": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and PHONE not in refused.content.decode()
    assert "请填写查看原因" in refused.content.decode()
    assert not AuditEntry.objects.filter(kind="reveal").exists()

    shown = client.post(
        url, {**data, "reason": "客户来电核实身份"}, HTTP_HX_REQUEST="true", REMOTE_ADDR="10.1.2.3"
    )
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    entry = AuditEntry.objects.get(kind="reveal")
    assert entry.actor == users["manager"] and entry.data == {"field": "customer.phone"}
    assert entry.subject == customer.account_no and entry.reason == "客户来电核实身份"
    assert entry.address == "10.1.2.3" and entry.at is not None


def test_a_role_that_may_not_reveal_gets_no_control_and_a_403(login, users, county, customer):
    auditor = UserFactory.with_role("auditor", county.county, username="auditor")
    client = login(auditor)
    page = _page(client, reverse("customers:detail_id", args=[customer.pk]))
    assert reverse("audit:reveal") not in page and PHONE not in page
    response = client.post(
        reverse("audit:reveal"),
        {"target": "customer", "ref": customer.pk, "field": "phone", "reason": "好奇看看"},
    )
    assert response.status_code == 403 and not AuditEntry.objects.filter(kind="reveal").exists()


def test_the_reveal_api_answers_the_value_and_records_it(api, users, customer, make_order):
    order = make_order()
    body = {"target": "order", "ref": order.number, "field": "contact_phone", "reason": "回拨客户确认地址"}
    response = api("manager").post("/api/v1/reveal/", body, format="json")
    assert response.status_code == 200 and response.json()["value"] == PHONE
    entry = AuditEntry.objects.get(kind="reveal")
    assert entry.subject == customer.account_no and entry.target == f"order:{order.number}"
    missing = api("manager").post("/api/v1/reveal/", {**body, "reason": ""}, format="json")
    assert missing.status_code == 400 and "reason" in error(missing)["fields"]
    assert api("agent").post("/api/v1/reveal/", body, format="json").status_code == 403
    unknown = api("manager").post("/api/v1/reveal/", {**body, "ref": "NOPE"}, format="json")
    assert unknown.status_code == 404


def test_an_order_the_user_cannot_open_cannot_be_revealed(api, users, county, make_order):
    # A repair crew at the east station may not open a county-level order: the reveal finds nothing.
    FieldPolicy.objects.filter(role__code="repair", field="contact_phone").update(
        disclosure="masked", may_reveal=True
    )
    order = make_order()
    body = {"target": "order", "ref": order.number, "field": "contact_phone", "reason": "想看看号码"}
    assert api("repair").post("/api/v1/reveal/", body, format="json").status_code == 404


def test_the_timeline_shows_the_callers_number_per_policy(login, users, customer, order):
    FieldPolicy.objects.filter(role__code="manager", field="contact_phone").update(disclosure="full")
    body = _page(login(users["manager"]), reverse("workorders:detail", args=[order.number]))
    assert PHONE in body


SEEDED_ROLES = ["agent", "dispatcher", "repair", "handler", "callback", "manager", "admin", "auditor"]


@pytest.mark.parametrize("role", SEEDED_ROLES)
def test_the_api_and_the_console_agree_field_by_field(role, client, county, customer, users):
    """For every seeded role: the customer API answers exactly what the policy presents, and the console
    customer page prints the same text and never a value the policy keeps back."""
    user = UserFactory.with_role(role, county.county, username=f"u_{role}")
    answer = client_for(user).get(f"/api/v1/customers/{customer.account_no}/").json()
    client.force_login(user)
    policy_says = {
        "name": present(user, "name", customer.name),
        "address": present(user, "address", customer.address),
        "id_number": present(user, "id_number", customer.id_number),
        "account_no": present(user, "account_no", customer.account_no),
        "phone": present(user, "phone", PHONE),
    }
    api_says = {
        "name": answer["name"],
        "address": answer["address"],
        "id_number": answer["id_number"],
        "account_no": answer["account_no"],
        "phone": answer["phones"][0]["number"],
    }
    assert api_says == {field: shown.text for field, shown in policy_says.items()}
    page = _page(client, reverse("customers:detail_id", args=[customer.pk]))
    full = {
        "name": customer.name,
        "address": customer.address,
        "id_number": ID_FULL,
        "account_no": customer.account_no,
        "phone": PHONE,
    }
    for field, shown in policy_says.items():
        assert shown.text in page, field
        if not shown.is_full:
            assert full[field] not in page, field


def test_the_api_names_a_customer_by_id_for_the_reveal(api, customer):
    [found] = api("manager").get("/api/v1/customers/", {"q": PHONE}).json()
    body = {"target": "customer", "ref": str(found["id"]), "field": "name", "reason": "核实户主姓名"}
    response = api("manager").post("/api/v1/reveal/", body, format="json")
    assert response.status_code == 200 and response.json()["value"] == "张三"
