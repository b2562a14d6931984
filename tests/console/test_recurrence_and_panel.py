"""The console side of #11 items 1 and 2: the rule's suggestion on the intake form (confirmed or overridden
with a reason), 复发 links on both order pages and in the list filter, and the customer's orders panel
with its one click, on the intake form and on the customer page."""

from __future__ import annotations

from django.urls import reverse

from powerdesk.workorders.models import Contact, OrderLink, WorkOrder
from tests.console.test_intake_form import form_data
from tests.factories import CustomerFactory
from tests.workorders.helpers import walk


def _archived(order, users, county):
    return walk(order, users, county, "archived")


def test_the_form_opens_a_recurrence_after_an_archived_fault_by_default(
    login, users, county, customer, order
):
    _archived(order, users, county)

    response = login(users["agent"]).post(reverse("workorders:new"), form_data(customer), follow=True)

    new = WorkOrder.objects.exclude(pk=order.pk).get()
    assert f"已受理工单 {new.number}" in response.content.decode()
    link = OrderLink.objects.get()
    assert (link.order, link.earlier, link.kind, link.chosen) == (new, order, "recurrence", "recur")


def test_overriding_the_rules_suggestion_needs_a_reason_beside_the_field(
    login, users, county, customer, order
):
    _archived(order, users, county)
    client = login(users["agent"])

    response = client.post(reverse("workorders:new"), form_data(customer, repeat_action="link"))

    assert response.status_code == 200
    errors = response.context["form"].errors["override_reason"]
    assert errors == ["未采用规则建议的处理方式（新建工单，关联为复发），请填写原因。"]
    assert WorkOrder.objects.count() == 1

    data = form_data(customer, repeat_action="link", override_reason="客户只是询问", idempotency_key="key-2")
    client.post(reverse("workorders:new"), data)
    assert WorkOrder.objects.count() == 1 and Contact.objects.filter(order=order, is_repeat=True).count() == 1


def test_both_order_pages_show_the_recurrence_link_and_the_timeline_says_so(
    login, users, county, customer, order
):
    _archived(order, users, county)
    client = login(users["agent"])
    client.post(reverse("workorders:new"), form_data(customer))
    new = WorkOrder.objects.exclude(pk=order.pk).get()

    new_page = client.get(reverse("workorders:detail", args=[new.number])).content.decode()
    old_page = client.get(reverse("workorders:detail", args=[order.number])).content.decode()

    assert "复发自" in new_page and order.number in new_page
    assert "复发工单" in old_page and new.number in old_page
    assert f"关联工单 {new.number}（复发）" in old_page
    assert f"关联工单 {order.number}（复发）" in new_page


def test_the_order_list_filters_recurrences_and_the_orders_they_follow(login, users, county, customer, order):
    _archived(order, users, county)
    client = login(users["agent"])
    client.post(reverse("workorders:new"), form_data(customer))
    new = WorkOrder.objects.exclude(pk=order.pk).get()

    def numbers(**params):
        response = client.get(reverse("workorders:list"), {"queue": "all", **params})
        return [o.number for o in response.context["page"].object_list]

    assert numbers(recurrence="on") == [new.number]
    assert numbers(recurred="on") == [order.number]


# --- the customer's orders panel -------------------------------------------------------------------


def test_the_intake_form_shows_the_customers_orders_before_a_topic_is_chosen(login, users, customer, order):
    body = login(users["agent"]).get(reverse("workorders:new") + f"?customer={customer.account_no}").content
    body = body.decode()
    assert 'id="customer-orders"' in body and order.number in body
    assert "规则建议：计入原工单（重复致电）" in body
    assert f'formaction="{reverse("workorders:add_contact", args=[order.number])}"' in body
    assert 'form="intake-form"' in body


def test_the_panel_refreshes_through_htmx_within_the_users_scope(login, users, county, customer, order):
    from tests.factories import UserFactory

    url = reverse("workorders:customer_orders")
    partial = login(users["agent"]).get(url, {"customer": customer.account_no}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and order.number in partial.content.decode()
    assert "<html" not in partial.content.decode()

    west_agent = UserFactory.with_role("agent", county.west)
    assert login(west_agent).get(url, {"customer": customer.account_no}).status_code == 404


def test_one_click_on_the_intake_form_adds_the_contact_to_the_order(login, users, customer, order):
    data = form_data(customer, topic="billing", business_type="consultation", description="再催一下")

    response = login(users["agent"]).post(
        reverse("workorders:add_contact", args=[order.number]), data, follow=True
    )

    assert f"已作为重复致电关联到工单 {order.number}（第2次来电）" in response.content.decode()
    assert WorkOrder.objects.count() == 1
    assert Contact.objects.filter(order=order, is_repeat=True, summary="再催一下").count() == 1


def test_one_click_on_the_customer_page_adds_the_contact(login, users, customer, order):
    client = login(users["agent"])
    page = client.get(reverse("customers:detail", args=[customer.account_no])).content.decode()
    assert 'id="quick-contact"' in page

    data = {"idempotency_key": "quick-1", "channel": "95598", "description": "问什么时候来修"}
    client.post(reverse("workorders:add_contact", args=[order.number]), data)

    assert Contact.objects.filter(order=order, is_repeat=True).count() == 1


def test_one_click_without_a_description_says_so_in_chinese(login, users, customer, order):
    data = {"idempotency_key": "quick-2", "channel": "95598", "description": ""}
    response = login(users["agent"]).post(
        reverse("workorders:add_contact", args=[order.number]), data, follow=True
    )
    assert "来电内容：请填写来电内容。" in response.content.decode()
    assert Contact.objects.filter(order=order).count() == 1


def test_one_click_on_an_order_outside_the_users_units_is_a_404(login, users, county, order):
    from tests.factories import UserFactory

    west_agent = UserFactory.with_role("agent", county.west)
    data = {"idempotency_key": "quick-3", "channel": "95598", "description": "x"}
    response = login(west_agent).post(reverse("workorders:add_contact", args=[order.number]), data)
    assert response.status_code == 404


def test_a_role_that_does_not_take_calls_gets_no_button_and_a_403(login, users, county, customer, order):
    client = login(users["repair"])
    page = client.get(reverse("customers:detail", args=[customer.account_no]))
    if page.status_code == 200:
        assert "计入此工单" not in page.content.decode()
    data = {"idempotency_key": "quick-4", "channel": "95598", "description": "x"}
    assert client.post(reverse("workorders:add_contact", args=[order.number]), data).status_code == 403


def test_another_customers_page_shows_none_of_these_orders(login, users, county, order):
    other = CustomerFactory(area=county.east_area)
    body = login(users["agent"]).get(reverse("customers:detail", args=[other.account_no])).content.decode()
    assert order.number not in body


def test_one_click_refuses_a_bad_phone_with_the_field_named(login, users, customer, order):
    data = {"idempotency_key": "quick-5", "channel": "95598", "description": "催", "caller_phone": "abc-12"}
    response = login(users["agent"]).post(
        reverse("workorders:add_contact", args=[order.number]), data, follow=True
    )
    assert "来电号码：请输入有效的电话号码" in response.content.decode()
    assert Contact.objects.filter(order=order).count() == 1


def test_the_topic_check_keeps_the_agents_choice(login, users, county, customer, order):
    _archived(order, users, county)
    params = {"customer": customer.account_no, "topic": "fault_repair", "repeat_action": "link"}
    body = login(users["agent"]).get(reverse("workorders:repeat_check"), params, HTTP_HX_REQUEST="true")
    assert 'name="repeat_action" value="link" id="id_repeat_action_1" checked' in body.content.decode()
