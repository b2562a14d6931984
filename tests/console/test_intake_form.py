"""The new-order form: prefilled from the customer, Chinese field errors, one order per submit key,
and the repeat-call warning before the agent submits."""

from __future__ import annotations

import re

from django.urls import reverse

from powerdesk.workorders.models import Contact, WorkOrder
from tests.console.conftest import intake


def form_data(customer, **overrides):
    data = {
        "customer": customer.account_no,
        "idempotency_key": "key-0001",
        "business_type": "repair",
        "sub_type": "repair_lv",
        "topic": "fault_repair",
        "channel": "95598",
        "priority": "",
        "caller_name": "张三",
        "caller_phone": "13812345678",
        "description": "家中突然停电，总闸未跳",
    }
    data.update(overrides)
    return data


def test_it_prefills_the_customer_and_a_fresh_idempotency_key(login, users, customer):
    client = login(users["agent"])
    url = reverse("workorders:new") + "?customer=" + customer.account_no
    first, second = client.get(url).content.decode(), client.get(url).content.decode()
    assert 'value="13812345678"' in first
    assert customer.name in first
    key = re.compile(r'name="idempotency_key" value="([0-9a-f]{32})"')
    assert key.search(first) and key.search(second)
    assert key.search(first).group(1) != key.search(second).group(1)


def test_it_does_not_prefill_the_phone_for_a_role_that_may_not_see_it(login, users, customer):
    body = (
        login(users["manager"])
        .get(reverse("workorders:new") + "?customer=" + customer.account_no)
        .content.decode()
    )
    assert "13812345678" not in body
    assert "138****5678" in body


def test_it_creates_an_order_and_says_so(login, users, customer):
    response = login(users["agent"]).post(reverse("workorders:new"), form_data(customer), follow=True)
    order = WorkOrder.objects.get()
    assert response.redirect_chain[-1][0] == reverse("workorders:detail", args=[order.number])
    assert f"已受理工单 {order.number}" in response.content.decode()
    assert order.customer == customer and order.sub_type.code == "repair_lv" and order.owner == users["agent"]


def test_it_shows_a_chinese_error_beside_an_empty_description(login, users, customer):
    response = login(users["agent"]).post(reverse("workorders:new"), form_data(customer, description="  "))
    assert response.status_code == 200
    assert response.context["form"].errors["description"] == ["请填写诉求内容。"]
    assert "请填写诉求内容。" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_it_shows_the_service_refusal_of_a_sub_type_of_another_business_type(login, users, customer):
    response = login(users["agent"]).post(
        reverse("workorders:new"), form_data(customer, sub_type="complaint_service")
    )
    assert response.context["form"].errors["sub_type"] == ["业务子类与业务类型不符。"]
    assert not WorkOrder.objects.exists()


def test_it_makes_one_order_when_the_same_form_is_submitted_twice(login, users, customer):
    client = login(users["agent"])
    first = client.post(reverse("workorders:new"), form_data(customer))
    second = client.post(reverse("workorders:new"), form_data(customer))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert WorkOrder.objects.count() == 1 and Contact.objects.count() == 1


def test_it_refuses_a_reused_key_with_other_content_without_a_500(login, users, customer):
    client = login(users["agent"])
    client.post(reverse("workorders:new"), form_data(customer))
    response = client.post(reverse("workorders:new"), form_data(customer, description="另一件事"))
    assert response.status_code == 200
    assert "该幂等键已用于另一个不同内容的请求。" in response.content.decode()
    assert WorkOrder.objects.count() == 1


def test_it_warns_about_a_repeat_call_when_the_form_is_rendered_with_the_topic(login, users, customer, order):
    url = reverse("workorders:new") + f"?customer={customer.account_no}&topic=fault_repair"
    body = login(users["agent"]).get(url).content.decode()
    assert f"该客户已有未办结的同类工单 {order.number}，提交后将作为重复致电关联到该工单" in body
    assert "本次将是第2次来电" in body


def test_the_warning_says_when_the_order_it_repeats_is_already_closed(login, users, county, customer, order):
    from tests.workorders.helpers import walk

    walk(order, users, county, "archived")
    url = reverse("workorders:new") + f"?customer={customer.account_no}&topic=fault_repair"
    body = login(users["agent"]).get(url).content.decode()
    assert f"该客户的同类工单 {order.number} 已归档，规则建议：新建工单，关联为复发" in body
    assert 'name="repeat_action" value="recur"' in body or 'value="recur"' in body


def test_the_htmx_check_renders_the_warning_when_the_topic_changes(login, users, customer, order):
    client = login(users["agent"])
    url = reverse("workorders:repeat_check")
    same = client.get(url, {"customer": customer.account_no, "topic": "fault_repair"}, HTTP_HX_REQUEST="true")
    other = client.get(url, {"customer": customer.account_no, "topic": "billing"}, HTTP_HX_REQUEST="true")
    assert f"同类工单 {order.number}" in same.content.decode()
    assert 'name="force_new"' in same.content.decode()
    assert "同类工单" not in other.content.decode()
    assert "<html" not in same.content.decode()


def test_it_links_a_repeat_call_to_the_existing_order(login, users, customer, order):
    response = login(users["agent"]).post(reverse("workorders:new"), form_data(customer), follow=True)
    assert WorkOrder.objects.count() == 1
    assert f"已作为重复致电关联到工单 {order.number}（第2次来电）" in response.content.decode()
    assert Contact.objects.filter(order=order, is_repeat=True).count() == 1


def test_the_third_call_is_flagged_and_the_warning_says_so_beforehand(login, users, customer, order):
    intake(users["agent"], customer)  # second call
    url = reverse("workorders:new") + f"?customer={customer.account_no}&topic=fault_repair"
    body = login(users["agent"]).get(url).content.decode()
    assert "本次将是第3次来电" in body and "将提高紧急程度并标记为重点关注" in body


def test_the_override_needs_a_reason_shown_beside_the_field(login, users, customer, order):
    client = login(users["agent"])
    response = client.post(reverse("workorders:new"), form_data(customer, force_new="on"))
    assert response.context["form"].errors["override_reason"] == ["忽略重复来电新建工单时，必须填写原因。"]
    assert "忽略重复来电新建工单时，必须填写原因。" in response.content.decode()
    assert WorkOrder.objects.count() == 1


def test_the_override_with_a_reason_opens_a_new_order(login, users, customer, order):
    data = form_data(customer, force_new="on", override_reason="客户称是另一处房产的故障")
    response = login(users["agent"]).post(reverse("workorders:new"), data, follow=True)
    assert WorkOrder.objects.count() == 2
    new = WorkOrder.objects.exclude(pk=order.pk).get()
    assert f"已受理工单 {new.number}" in response.content.decode()


def test_it_answers_404_for_a_customer_outside_the_users_units(login, users, county, west_customer):
    from tests.factories import UserFactory

    east_agent = UserFactory.with_role("agent", county.east)
    response = login(east_agent).get(reverse("workorders:new") + "?customer=" + west_customer.account_no)
    assert response.status_code == 404


def test_an_unknown_topic_is_a_field_error_not_a_500(login, users, customer):
    response = login(users["agent"]).post(reverse("workorders:new"), form_data(customer, topic="nope"))
    assert response.status_code == 200
    assert response.context["form"].errors["topic"] == ["业务分类无效。"]


def test_a_bad_phone_is_refused_beside_the_field_in_chinese(login, users, customer):
    response = login(users["agent"]).post(
        reverse("workorders:new"), form_data(customer, caller_phone="abc-12")
    )
    assert response.status_code == 200
    [message] = response.context["form"].errors["caller_phone"]
    assert message.startswith("请输入有效的电话号码")
    assert message in response.content.decode()
    assert WorkOrder.objects.count() == 0


def test_the_form_stores_the_phone_normalised_and_may_say_it_was_withheld(login, users, customer):
    client = login(users["agent"])
    client.post(reverse("workorders:new"), form_data(customer, caller_phone="+86 138 1234 5678"))
    assert WorkOrder.objects.get().caller_phone == "13812345678"

    data = form_data(customer, caller_phone="", caller_withheld="on", topic="billing", idempotency_key="k-2")
    data["business_type"], data["sub_type"] = "consultation", ""
    client.post(reverse("workorders:new"), data)
    withheld = WorkOrder.objects.get(caller_withheld=True)
    page = client.get(reverse("workorders:detail", args=[withheld.number])).content.decode()
    assert "未显示号码" in page


def test_the_description_says_its_limit_and_is_counted_down(login, users, customer):
    body = login(users["agent"]).get(reverse("workorders:new") + f"?customer={customer.account_no}").content
    body = body.decode()
    assert "最多4000字，超出部分无法输入。" in body
    textarea = re.search(r"<textarea[^>]*name=\"description\"[^>]*>", body).group(0)
    assert 'maxlength="4000"' in textarea and 'data-countdown="还可输入 %(n)s 字"' in textarea


def test_a_description_over_the_limit_is_refused_not_cut(login, users, customer):
    response = login(users["agent"]).post(
        reverse("workorders:new"), form_data(customer, description="停" * 20000)
    )
    assert "description" in response.context["form"].errors
    assert WorkOrder.objects.count() == 0
