"""Each role's work queues (data: ``WorkQueue``) on the home page and above the order list, with their
counts, each opening the list with its saved filter, oldest or soonest due first."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from powerdesk.org.models import Role
from powerdesk.workorders.choices import Status
from powerdesk.workorders.models import WorkQueue
from tests.workorders.helpers import intake, walk

pytestmark = pytest.mark.django_db


def tile(body: str, name: str) -> tuple[str, int]:
    """The link and count of the queue tile named ``name`` on a page."""
    match = re.search(
        r'<a class="stat[^"]*" href="([^"]+)"[^>]*><div class="num">(\d+)\+?</div><div class="lbl">'
        + re.escape(name)
        + "</div>",
        body,
    )
    assert match, f"no queue tile {name!r}"
    return match.group(1).replace("&amp;", "&"), int(match.group(2))


def numbers(body: str) -> list[str]:
    return re.findall(r"/orders/(\d{14})/", body)


def test_a_dispatchers_queue_shows_the_orders_waiting_for_dispatch(client, users, customer, county):
    waiting = [intake(users, customer), intake(users, customer, topic_code="power_quality")]
    walk(intake(users, customer, topic_code="outage_info"), users, county, Status.DISPATCHED)
    client.force_login(users["dispatcher"])

    url, count = tile(client.get(reverse("home")).content.decode(), "待派单")
    assert count == 2
    body = client.get(url).content.decode()
    # Oldest first, and the tile shows as the current queue; its count comes after the page (htmx).
    assert numbers(body) == [o.number for o in waiting]
    assert 'aria-current="page"' in body
    counts_url = re.search(r'hx-get="([^"]*queue-counts/[^"]*)"', body).group(1).replace("&amp;", "&")
    fragment = client.get(counts_url).content.decode()
    assert 'aria-current="page"' in fragment
    _url, count_on_list = tile(fragment, "待派单")
    assert count_on_list == 2


def test_the_callback_agents_queue_shows_the_orders_waiting_for_a_callback(client, users, customer, county):
    replied = walk(intake(users, customer), users, county, Status.REPLIED)
    walk(intake(users, customer, topic_code="power_quality"), users, county, Status.RESOLVED)
    client.force_login(users["callback"])

    url, count = tile(client.get(reverse("home")).content.decode(), "待回访")
    assert count == 1
    assert numbers(client.get(url).content.decode()) == [replied.number]

    walk(replied, users, county, Status.CALLED_BACK)
    _url, count = tile(client.get(reverse("home")).content.decode(), "待回访")
    assert count == 0


@pytest.mark.parametrize(
    ("role", "name", "status"),
    [
        ("dispatcher", "已回退", Status.RETURNED),
        ("dispatcher", "已挂起", Status.SUSPENDED),
        ("callback", "待归档", Status.CALLED_BACK),
    ],
)
def test_returned_suspended_and_awaiting_archive_orders_have_a_queue(
    client, users, customer, county, role, name, status
):
    order = walk(intake(users, customer), users, county, status)
    intake(users, customer, topic_code="power_quality")  # waiting for dispatch: in none of these
    client.force_login(users[role])
    url, count = tile(client.get(reverse("home")).content.decode(), name)
    assert count == 1
    assert numbers(client.get(url).content.decode()) == [order.number]


def test_a_queue_counts_only_what_the_user_may_see(client, users, customer, west_customer, county):
    walk(intake(users, customer), users, county, Status.DISPATCHED)
    walk(intake(users, west_customer), users, county, Status.DISPATCHED)  # to east too (helper)
    client.force_login(users["west_repair"])
    _url, count = tile(client.get(reverse("home")).content.decode(), "待接单")
    assert count == 0
    client.force_login(users["repair"])
    _url, count = tile(client.get(reverse("home")).content.decode(), "待接单")
    assert count == 2


def test_a_queue_added_by_an_admin_appears_for_the_role(admin_client, client, users, customer):
    flagged = intake(users, customer)
    response = admin_client.post(
        reverse("admin:workorders_workqueue_add"),
        {
            "role": Role.objects.get(code="agent").pk,
            "code": "urgent_new",
            "name": "新受理工单",
            "name_en": "Newly taken",
            "params": "status=accepted&business_type=repair",
            "sort_order": 5,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    client.force_login(users["agent"])
    url, count = tile(client.get(reverse("home")).content.decode(), "新受理工单")
    assert count == 1
    assert numbers(client.get(url).content.decode()) == [flagged.number]


def test_an_admin_cannot_save_a_queue_the_list_would_not_understand(admin_client):
    response = admin_client.post(
        reverse("admin:workorders_workqueue_add"),
        {
            "role": Role.objects.get(code="agent").pk,
            "code": "broken",
            "name": "无效队列",
            "params": "status=nonsense&colour=red",
            "sort_order": 5,
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "未知的筛选参数：colour" in body and "nonsense" in body
    assert not WorkQueue.objects.filter(code="broken").exists()


def test_queue_names_are_shown_in_english_on_english_pages(client, users, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(users["dispatcher"])
    body = client.get(reverse("home")).content.decode()
    assert "To dispatch" in body and "待派单" not in body
