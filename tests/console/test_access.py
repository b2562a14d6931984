"""Who may open which console page: anonymous users log in first, other units' records are 404, a role
without the transition is refused with 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from powerdesk.workorders.models import WorkOrder


def page_urls(order, customer):
    return {
        "home": (reverse("home"), "我的待办"),
        "search": (reverse("customers:search") + "?q=" + customer.account_no, "查询结果"),
        "customer": (reverse("customers:detail", args=[customer.account_no]), "台区经理"),
        "new": (reverse("workorders:new") + "?customer=" + customer.account_no, "受理新工单"),
        "list": (reverse("workorders:list") + "?queue=all", "工单列表"),
        "detail": (reverse("workorders:detail", args=[order.number]), "处理过程"),
    }


@pytest.mark.parametrize("page", ["home", "search", "customer", "new", "list", "detail"])
def test_it_redirects_anonymous_users_to_the_login_page(client, order, customer, page):
    url, _ = page_urls(order, customer)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", ["home", "search", "customer", "new", "list", "detail"])
def test_it_renders_each_page_in_chinese_for_an_agent(login, users, order, customer, page):
    url, text = page_urls(order, customer)[page]
    response = login(users["agent"]).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert text in body
    assert "PowerDesk" in body and "工单列表" in body and "客户查询" in body


def test_the_login_page_names_the_product_in_chinese(client):
    response = client.get(reverse("login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "PowerDesk" in body and "供电服务工单系统" in body
    assert 'name="language"' in body


def test_it_logs_a_user_in_with_a_password(client, users):
    response = client.post(reverse("login"), {"username": "agent", "password": "pw-12345"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_it_shows_the_admin_link_to_staff_only(login, users):
    assert "管理后台" not in login(users["agent"]).get(reverse("home")).content.decode()
    users["manager"].is_staff = True
    users["manager"].save()
    assert "管理后台" in login(users["manager"]).get(reverse("home")).content.decode()


def test_it_answers_404_for_an_order_of_another_unit(login, users, east_order):
    response = login(users["west_repair"]).get(reverse("workorders:detail", args=[east_order.number]))
    assert response.status_code == 404


def test_it_answers_404_for_a_customer_of_another_unit(login, users, customer):
    response = login(users["west_repair"]).get(reverse("customers:detail", args=[customer.account_no]))
    assert response.status_code == 404


def test_it_answers_404_for_a_transition_on_an_order_of_another_unit(login, users, east_order):
    url = reverse("workorders:transition", args=[east_order.number, "take"])
    response = login(users["west_repair"]).post(url, {"version": east_order.version, "request_id": "r1"})
    assert response.status_code == 404
    assert WorkOrder.objects.get(pk=east_order.pk).status == "dispatched"


def test_it_refuses_a_transition_the_role_may_not_perform_with_403(login, users, order, county):
    url = reverse("workorders:transition", args=[order.number, "dispatch"])
    response = login(users["agent"]).post(
        url, {"version": order.version, "request_id": "r1", "unit": county.east.pk}
    )
    assert response.status_code == 403
    assert WorkOrder.objects.get(pk=order.pk).status == "accepted"


def test_it_refuses_the_new_order_form_to_a_role_that_cannot_take_calls(login, users):
    assert login(users["repair"]).get(reverse("workorders:new")).status_code == 403


def test_it_answers_404_for_an_unknown_transition(login, users, order):
    url = reverse("workorders:transition", args=[order.number, "explode"])
    assert login(users["manager"]).post(url, {}).status_code == 404


def test_the_transition_endpoint_refuses_get(login, users, order):
    url = reverse("workorders:transition", args=[order.number, "dispatch"])
    assert login(users["dispatcher"]).get(url).status_code == 405


def test_the_intake_entries_are_hidden_from_roles_that_cannot_take_calls(login, users):
    assert "受理工单" not in login(users["repair"]).get(reverse("workorders:list")).content.decode()
    assert "受理新工单" not in login(users["repair"]).get(reverse("home")).content.decode()
    assert "受理工单" in login(users["agent"]).get(reverse("workorders:list")).content.decode()


def test_the_language_switch_returns_to_the_page_and_keeps_working(login, users, order):
    client = login(users["agent"])
    page = reverse("workorders:detail", args=[order.number])
    response = client.post(reverse("set_language"), {"language": "en", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    assert client.get(page).status_code == 200
    assert '<html lang="en">' in client.get(page).content.decode()
