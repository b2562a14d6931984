"""The console pages: the panel on the order page, the record form, the judgment form, the 表扬 form,
and the rectification list with its close action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from powerdesk.complaints.models import ComplaintRecord, Judgment, PraiseCredit, Rectification, Severity
from powerdesk.core import clock
from tests.workorders.helpers import intake

pytestmark = pytest.mark.django_db


def test_the_order_page_shows_the_complaint_panel_with_its_actions(client, make_complaint, users):
    order = make_complaint()
    client.force_login(users["handler"])
    html = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    assert "投诉信息" in html
    assert reverse("complaints:record", args=[order.number]) in html
    assert reverse("complaints:judge", args=[order.number]) in html


def test_the_record_form_saves_and_goes_back_to_the_order(client, make_complaint, users, customer, county):
    repair = intake(users, customer, topic_code="power_quality")  # at the county: the manager sees it
    order = make_complaint()
    client.force_login(users["manager"])
    url = reverse("complaints:record", args=[order.number])
    assert client.get(url).status_code == 200
    major = Severity.objects.get(code="important")
    response = client.post(
        url,
        {
            "severity": major.pk,
            "related_orders": repair.number,
            "staff_name": "外包抢修三队",
            "outsourced": "on",
            "event_at": "2026-01-02T19:15",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    record = ComplaintRecord.objects.get(order=order)
    assert record.severity == major and record.outsourced and list(record.related_orders.all()) == [repair]


def test_the_record_form_shows_field_errors_in_chinese(client, make_complaint, users):
    order = make_complaint()
    client.force_login(users["handler"])
    response = client.post(reverse("complaints:record", args=[order.number]), {"related_orders": "NOPE1"})
    assert response.status_code == 200 and "找不到工单：NOPE1" in response.content.decode()


def test_the_judgment_form_is_prefilled_and_its_verdict_is_shown(client, make_complaint, users):
    order = make_complaint()
    client.force_login(users["handler"])
    url = reverse("complaints:judge", args=[order.number])
    html = client.get(url).content.decode()
    assert "产权分界" in html and "仅见于典型案例" in html
    form = {
        "c_our_staff": "yes",
        "c_attitude": "yes",
        "c_within_period": "yes",
        "c_company_side": "yes",
        "rectification_task": "培训",
        "rectification_owner": users["handler"].pk,
        "rectification_due": str(clock.local_date() + dt.timedelta(days=3)),
        "request_id": "form-1",
    }
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # the same submission again: made once
    assert Judgment.objects.get().verdict == "valid"
    refused = client.post(url, form | {"c_attitude": "no", "request_id": "form-2"})
    assert refused.status_code == 200 and "请选择降级为意见或咨询" in refused.content.decode()


def test_the_rectification_list_closes_a_rectification(client, make_complaint, users, county):
    order = make_complaint()
    rectification = Rectification.objects.create(
        order=order,
        unit=county.east,
        owner=users["handler"],
        task="整改",
        due_date=clock.local_date(),
        created_at=clock.now(),
    )
    client.force_login(users["handler"])
    assert "整改" in client.get(reverse("complaints:rectifications")).content.decode()
    close = reverse("complaints:rectification_close", args=[rectification.pk])
    assert client.post(close, {"result": "已完成培训"}).status_code == 302
    rectification.refresh_from_db()
    assert rectification.state == "closed"


def test_the_rectification_list_marks_open_ones_past_their_due_date(client, make_complaint, users, county):
    today = clock.local_date()
    rows = {
        task: Rectification.objects.create(
            order=make_complaint(),
            unit=county.east,
            owner=users["handler"],
            task=task,
            due_date=today + dt.timedelta(days=days),
            state=state,
            created_at=clock.now(),
        )
        for task, days, state in [
            ("已过期未完成", -1, "open"),
            ("今天到期", 0, "open"),
            ("已过期已完成", -2, "closed"),
        ]
    }
    client.force_login(users["handler"])
    html = client.get(reverse("complaints:rectifications")).content.decode()
    marked = {task for task, r in rows.items() if f'data-overdue="{r.pk}"' in html}
    assert marked == {"已过期未完成"}


def test_the_praise_form_credits_a_staff_member(client, users, customer, county):
    order = intake(users, customer, business_type="praise", topic_code="communication")
    client.force_login(users["agent"])
    url = reverse("complaints:praise", args=[order.number])
    assert client.get(url).status_code == 200
    assert client.post(url, {"staff": users["repair"].pk}).status_code == 302
    assert PraiseCredit.objects.get(order=order).staff == users["repair"]
    assert "受表扬员工" in client.get(reverse("workorders:detail", args=[order.number])).content.decode()


def test_in_english_the_seeded_severities_and_checklist_are_named_in_english(client, make_complaint, users):
    order = make_complaint()
    ComplaintRecord.objects.filter(order=order).update(severity=Severity.objects.get(code="major"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(users["manager"])
    panel = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    assert "Major" in panel and "重大" not in panel
    form = client.get(reverse("complaints:record", args=[order.number])).content.decode()
    assert all(name in form for name in ("Special", "Major", "Important", "Ordinary"))
    judge = client.get(reverse("complaints:judge", args=[order.number])).content.decode()
    assert "Repair staff attitude" in judge and "抢修人员服务态度" not in judge
