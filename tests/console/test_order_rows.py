"""The rows of the order tables (order list, home page): workorders/_order_rows.html."""

from __future__ import annotations

import re

from django.urls import reverse

from powerdesk.customers.models import Customer
from powerdesk.workorders import services as s
from powerdesk.workorders.models import SubType, WorkOrder
from tests.console.conftest import intake
from tests.factories import topic


def row_of(html: str, number: str) -> str:
    match = re.search(
        rf"<tr>\s*<td class=\"nowrap\"><a class=\"mono\" href=\"[^\"]*{number}/\".*?</tr>", html, re.S
    )
    assert match, number
    return match[0]


def list_html(client) -> str:
    response = client.get(reverse("workorders:list"), {"queue": "all"})
    assert response.status_code == 200
    return response.content.decode()


def test_a_row_links_the_order_and_the_customer_and_shows_its_cells(login, users, customer, county):
    sub_type = SubType.objects.get(code="repair_lv")
    order = intake(users["agent"], customer, sub_type=sub_type)
    order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
    row = row_of(list_html(login(users["agent"])), order.number)

    assert f'href="{reverse("workorders:detail", args=[order.number])}"' in row
    assert f'<a href="{reverse("customers:detail", args=[customer.account_no])}">{customer.name}</a>' in row
    assert f"故障报修<br><small>{sub_type.name}</small>" in row
    assert customer.primary_phone in row and '<span class="badge badge-' in row and "已派单" in row
    assert county.east.name in row and "—</td>" in row  # nobody has taken it yet
    assert 'class="cd cd-' in row and "data-due=" in row  # the live countdown of the open order
    assert "⚑" not in row


def test_a_row_without_a_customer_a_flag_and_a_masked_phone(login, users, county):
    order = s.workorder_intake(
        actor=users["agent"],
        business_type="repair",
        topic=topic(),
        channel="95598",
        description="停电",
        caller_phone="13700001111",
    ).order
    order = s.workorder_escalate(order=order, actor=users["agent"], reason="多次来电")
    row = row_of(list_html(login(users["manager"])), order.number)

    assert '<span class="muted">无户号</span>' in row
    assert '<span class="flag" title="重点关注">⚑</span>' in row
    assert "137****1111" in row and "13700001111" not in row


def test_the_home_page_lists_recent_orders_with_the_same_rows(login, users, customer):
    order = intake(users["agent"], customer)
    html = login(users["agent"]).get(reverse("home")).content.decode()

    assert row_of(html, order.number) == row_of(list_html(login(users["agent"])), order.number)


def test_row_links_are_the_urls_reverse_gives(login, users, customer):
    """Also for numbers with characters a URL escapes (imported data)."""
    order = intake(users["agent"], customer)
    for code in ["26120100000001", "A-1", "with space", "中文"]:
        WorkOrder.objects.filter(pk=order.pk).update(number=code)
        Customer.objects.filter(pk=customer.pk).update(account_no=f"{code}9")
        html = list_html(login(users["agent"]))

        assert f'<a class="mono" href="{reverse("workorders:detail", args=[code])}">' in html
        assert f'<a href="{reverse("customers:detail", args=[f"{code}9"])}">' in html
