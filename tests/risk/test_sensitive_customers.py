"""Sensitive customers (敏感客户): the flag's reason and date, the agent's warning, evidence before 处理完成,
the retention hold on their attachments, and the priority rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from powerdesk.core.errors import ValidationFailed
from powerdesk.customers.admin import CustomerForm
from powerdesk.workorders import services as s
from powerdesk.workorders.attachments import attachment_add
from powerdesk.workorders.choices import BusinessType, Priority, Status
from powerdesk.workorders.models import Attachment
from powerdesk.workorders.selectors import attachments_retainable
from tests.workorders.helpers import fresh, intake, walk
from tests.workorders.test_attachments import png_bytes

pytestmark = pytest.mark.django_db

REASON = "曾因停电赔偿多次向监管部门反映"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sensitive(customer):
    customer.is_sensitive = True
    customer.sensitive_reason = REASON
    customer.sensitive_since = dt.date(2026, 11, 2)
    customer.save()
    return customer


def photo():
    return SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")


def on_site(users, county, customer):
    return walk(intake(users, customer), users, county, Status.ON_SITE)


def test_a_sensitive_customers_field_order_is_not_resolved_without_evidence(users, county, sensitive):
    order = on_site(users, county, sensitive)
    with pytest.raises(ValidationFailed) as refused:
        s.workorder_resolve(order=order, actor=users["repair"], result="已更换表箱内开关")
    assert refused.value.code == "evidence_required"
    assert fresh(order).status == Status.ON_SITE


def test_with_a_photo_on_the_order_it_is_resolved(users, county, sensitive):
    order = on_site(users, county, sensitive)
    attachment_add(order=order, actor=users["repair"], kind="photo", upload=photo())
    order = s.workorder_resolve(order=fresh(order), actor=users["repair"], result="已更换表箱内开关")
    assert order.status == Status.RESOLVED


def test_a_document_is_not_evidence_of_field_work(users, county, sensitive):
    order = on_site(users, county, sensitive)
    pdf = SimpleUploadedFile("说明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment_add(order=order, actor=users["repair"], kind="document", upload=pdf)
    with pytest.raises(ValidationFailed):
        s.workorder_resolve(order=fresh(order), actor=users["repair"], result="已处理")


def test_return_and_suspend_stay_possible_without_evidence(users, county, sensitive):
    returned = walk(intake(users, sensitive), users, county, Status.RETURNED)
    suspended = walk(
        intake(users, sensitive, topic_code="grid_construction"), users, county, Status.SUSPENDED
    )
    assert (returned.status, suspended.status) == (Status.RETURNED, Status.SUSPENDED)


def test_other_customers_and_office_work_need_no_evidence(users, county, customer, sensitive, west_customer):
    plain = walk(intake(users, west_customer), users, county, Status.RESOLVED)
    office = walk(
        intake(users, sensitive, business_type=BusinessType.CONSULTATION, topic_code="billing"),
        users,
        county,
        Status.RESOLVED,
    )
    assert plain.status == office.status == Status.RESOLVED


def test_their_attachments_are_held_from_retention(users, county, sensitive, west_customer):
    held = attachment_add(order=intake(users, sensitive), actor=users["agent"], kind="photo", upload=photo())
    free = attachment_add(
        order=intake(users, west_customer), actor=users["agent"], kind="photo", upload=photo()
    )
    assert set(attachments_retainable()) == {free}
    assert set(attachments_retainable(Attachment.objects.filter(pk=held.pk))) == set()


def test_their_orders_start_at_the_priority_rule_of_the_flag(users, sensitive, west_customer):
    assert intake(
        users, sensitive, business_type=BusinessType.CONSULTATION, topic_code="billing"
    ).priority == (Priority.HIGH)
    assert intake(
        users, west_customer, business_type=BusinessType.CONSULTATION, topic_code="billing"
    ).priority == (Priority.NORMAL)


def test_the_flag_needs_a_reason_and_gets_todays_date(customer):
    data = {
        **{f: getattr(customer, f) for f in CustomerForm.Meta.fields},
        "area": customer.area_id,
        "is_sensitive": True,
        "sensitive_reason": "",
        "sensitive_since": "",
    }
    form = CustomerForm(data=data, instance=customer)
    assert not form.is_valid() and "sensitive_reason" in form.errors
    form = CustomerForm(data={**data, "sensitive_reason": REASON}, instance=customer)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["sensitive_since"] is not None


def test_the_agent_is_warned_at_intake_and_on_the_order_page(client, users, sensitive):
    client.force_login(users["agent"])
    intake_page = client.get(reverse("workorders:new"), {"customer": sensitive.account_no})
    order = intake(users, sensitive)
    order_page = client.get(reverse("workorders:detail", args=[order.number]))
    for page in (intake_page, order_page):
        text = page.content.decode()
        assert "sensitive-warning" in text and REASON in text and "2026-11-02" in text


def test_no_warning_for_other_customers(client, users, customer):
    client.force_login(users["agent"])
    page = client.get(reverse("workorders:detail", args=[intake(users, customer).number]))
    assert "sensitive-warning" not in page.content.decode()


def test_the_api_gives_the_reason_and_date(users, sensitive):
    from tests.api.conftest import client_for

    api = client_for(users["agent"])
    answer = api.get(reverse("api-v1-customer-detail", args=[sensitive.account_no])).json()
    assert (answer["sensitive_reason"], answer["sensitive_since"]) == (REASON, "2026-11-02")


def test_the_console_form_says_why_and_the_order_stays_on_site(client, users, county, sensitive):
    order = on_site(users, county, sensitive)
    client.force_login(users["repair"])
    answer = client.post(
        reverse("workorders:transition", args=[order.number, "resolve"]),
        {"result": "已更换开关", "version": order.version, "request_id": "resolve-1"},
    )
    assert answer.status_code == 200 and "须先上传现场照片或录音" in answer.content.decode()
    assert fresh(order).status == Status.ON_SITE


def test_the_api_answers_400_with_the_error_body(users, county, sensitive):
    from tests.api.conftest import client_for

    order = on_site(users, county, sensitive)
    answer = client_for(users["repair"]).post(
        reverse("api-v1-workorder-resolve", args=[order.number]), {"result": "已更换开关"}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "evidence_required"
