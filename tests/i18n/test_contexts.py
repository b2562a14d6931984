"""One Chinese word, two meanings, two English texts: the msgids that need a gettext context.

处理完成 is the status "Resolved" and the action "Resolve"; 时限 the "Time limits" section and the
"Time limit" column; 超时 the breach event and the "Late" verdict; 工作日 the unit "Working days" and the
calendar's "Working day". Chinese pages keep the one word for both.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from powerdesk.core.models import CalendarDay
from powerdesk.sla.extension import BREACH, EVENT_KINDS
from powerdesk.sla.models import LimitUnit, SlaPolicy
from powerdesk.workorders.choices import EventKind, Status
from powerdesk.workorders.transitions import TRANSITIONS
from tests.workorders.helpers import intake, walk


def labels() -> dict[str, str]:
    return {
        "status": str(Status.RESOLVED.label),
        "action": str(TRANSITIONS["resolve"].label),
        "event resolve": str(EventKind.RESOLVE.label),
        "event breach": str(EVENT_KINDS[BREACH]),
        "unit": str(LimitUnit.WORKING_DAYS.label),
        "day type": str(CalendarDay._meta.get_field("is_workday").verbose_name),
        "policy amount": str(SlaPolicy._meta.get_field("amount").verbose_name),
    }


def test_the_english_catalogue_tells_the_meanings_apart():
    with translation.override("en"):
        assert labels() == {
            "status": "Resolved",
            "action": "Resolve",
            "event resolve": "Resolve",
            "event breach": "Time limit breached",
            "unit": "Working days",
            "day type": "Working day",
            "policy amount": "Time allowed",
        }
        assert translation.pgettext("verdict", "超时") == "Late"
        assert translation.pgettext("navigation", "时限") == "Time limits"
        assert translation.pgettext("column", "时限") == "Time limit"


def test_chinese_keeps_one_word_for_both_meanings():
    with translation.override("zh-hans"):
        found = labels()
    assert found == {
        "status": "处理完成",
        "action": "处理完成",
        "event resolve": "处理完成",
        "event breach": "超时",
        "unit": "工作日",
        "day type": "工作日",
        "policy amount": "时限",
    }


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _badge(html: str) -> str:
    head = r'<div class="order-head">.*?<span class="badge badge-[a-z]+">([^<]*)</span>'
    match = re.search(head, html, re.S)
    assert match, "no status badge in the order head"
    return match.group(1)


def _actions(html: str) -> list[str]:
    return re.findall(r'<summary class="btn[^"]*">([^<]*)</summary>', html)


def test_the_english_order_page_shows_the_action_resolve_and_then_the_status_resolved(
    english, users, county, customer
):
    order = walk(intake(users, customer), users, county, Status.ON_SITE)
    english.force_login(users["repair"])
    url = reverse("workorders:detail", args=[order.number])

    before = english.get(url).content.decode()
    assert "Resolve" in _actions(before)
    assert "Confirm: Resolve<" in before
    assert _badge(before) == "On site"

    walk(order, users, county, Status.RESOLVED)
    after = english.get(url).content.decode()
    assert _badge(after) == "Resolved"
    assert "Resolve" not in _actions(after)
    assert "处理完成" not in after


def test_the_chinese_order_page_still_says_处理完成_for_both(client, users, county, customer):
    order = walk(intake(users, customer), users, county, Status.ON_SITE)
    client.force_login(users["repair"])
    url = reverse("workorders:detail", args=[order.number])

    assert "处理完成" in _actions(client.get(url).content.decode())
    walk(order, users, county, Status.RESOLVED)
    assert _badge(client.get(url).content.decode()) == "处理完成"
