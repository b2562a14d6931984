"""On an English page the seeded application data reads in English: the kind, its steps (the order page's
panel, its timeline, the dispatcher's view, the return form's choices) and its documents."""

from __future__ import annotations

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from tests.applications.conftest import MONDAY, complete, step

pytestmark = pytest.mark.django_db

CHINESE = ("更名", "资料审核", "营销系统变更", "名称变更证明", "申请人有效身份证明")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def renamed(start, users):
    application = start("rename")
    complete(step(application, "verify"), users["handler"], MONDAY)
    return application


def test_the_order_page_names_the_kind_its_steps_and_documents_in_english(english, users, renamed):
    english.force_login(users["handler"])
    with time_machine.travel(MONDAY, tick=False):
        html = english.get(reverse("workorders:detail", args=[renamed.order.number])).content.decode()
    panel = html[html.index('id="application-panel"') :]
    assert "Change of account name" in panel
    assert "Document review" in panel and "Change in the marketing system" in panel
    assert "Proof of the change of name" in panel
    for word in CHINESE:
        assert word not in panel, word


def test_the_dispatchers_view_names_the_steps_in_english(english, users, renamed):
    english.force_login(users["dispatcher"])
    with time_machine.travel(MONDAY, tick=False):
        html = english.get(reverse("applications:steps")).content.decode()
    assert "Change in the marketing system" in html
    assert "营销系统变更" not in html and "资料审核" not in html


def test_the_chinese_page_keeps_the_seeded_names(client, users, renamed):
    client.force_login(users["handler"])
    with time_machine.travel(MONDAY, tick=False):
        html = client.get(reverse("workorders:detail", args=[renamed.order.number])).content.decode()
    assert "营销系统变更" in html and "资料审核" in html


def test_a_step_renamed_in_the_admin_is_shown_as_written(english, users, renamed):
    from powerdesk.applications.models import StepTemplate

    StepTemplate.objects.filter(kind__code="rename", code="change").update(name="系统内更名")
    english.force_login(users["handler"])
    with time_machine.travel(MONDAY, tick=False):
        html = english.get(reverse("workorders:detail", args=[renamed.order.number])).content.decode()
    assert "系统内更名" in html
