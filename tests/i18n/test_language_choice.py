"""The interface language follows the user's explicit choice (the language cookie), never the browser:
English pages with the cookie set to "en", Chinese otherwise, even for an English-language browser."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from powerdesk.workorders import services
from powerdesk.workorders.choices import BusinessType, Channel
from tests.factories import topic

CJK = re.compile(r"[\u4e00-\u9fff]")


def part(html: str, pattern: str) -> str:
    match = re.search(pattern, html, re.S)
    assert match, f"no match for {pattern!r}"
    return match.group(0)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def order(users, customer):
    return services.workorder_intake(
        actor=users["agent"],
        business_type=BusinessType.REPAIR,
        topic=topic("fault_repair"),
        channel=Channel.HOTLINE,
        description="整栋楼停电",
        customer=customer,
        caller_phone=customer.primary_phone,
    ).order


@pytest.mark.django_db
def test_the_login_page_is_english_with_the_language_cookie(english):
    html = english.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    for text in ("Log in", "Username", "Password", "Power supply service work orders"):
        assert text in html
    # The only Chinese left is the name of the Chinese language in the language switcher.
    assert CJK.findall(visible_text(html).replace("简体中文", "")) == []


def test_the_order_list_is_english_with_the_language_cookie(english, users, order):
    english.force_login(users["agent"])
    html = english.get(reverse("workorders:list")).content.decode()
    nav = part(html, r'<nav class="mainnav".*?</nav>')
    for label in ("Home", "Customer search", "New work order", "Work orders", "API docs"):
        assert f">{label}</a>" in nav
    assert CJK.findall(visible_text(nav)) == [], "Chinese left in the navigation"
    assert "<h1>Work orders</h1>" in html
    assert "Log out" in html
    for label in ("My queue", "All statuses", "Filter", "Clear", "1 work order"):
        assert label in html
    # Choice labels of the order row come from the catalogue too.
    row = part(html, r"<tbody>.*?</tbody>")
    assert "Fault repair" in row and "Received" in row
    for chinese in ("工单列表", "退出", "筛选", "全部状态", "故障报修", "已受理"):
        assert chinese not in html


@pytest.mark.django_db
def test_an_english_browser_without_the_cookie_gets_chinese(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "用户名" in html
    assert "Log in" not in html and "Username" not in html


def test_an_english_browser_without_the_cookie_gets_a_chinese_order_list(client, users, order):
    client.force_login(users["agent"])
    html = client.get(reverse("workorders:list"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    nav = part(html, r'<nav class="mainnav".*?</nav>')
    assert ">工单列表</a>" in nav and "Work orders" not in nav
    assert "故障报修" in html and "Fault repair" not in html


@pytest.mark.django_db
def test_an_unknown_language_in_the_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in html and "登录" in html


@pytest.mark.django_db
def test_choosing_english_in_the_switcher_turns_the_next_pages_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Log in" in client.get(reverse("login")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("login")})
    assert "登录" in client.get(reverse("login")).content.decode()
