"""The seeded Chinese templates, their validation, and the admin screens."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from powerdesk.notify.models import Notification, NotificationTemplate
from powerdesk.notify.services import notification_send
from powerdesk.sla.models import EscalationStep
from tests.factories import UserFactory
from tests.notify.helpers import SWEEP_CONTEXT, enqueue

pytestmark = pytest.mark.django_db

SEEDED = {"sla_warning", "sla_breached", "sla_escalated_unit_head", "sla_escalated", "order_accepted"}


def test_every_seeded_template_renders_the_sweeps_context_completely():
    templates = {t.code: t for t in NotificationTemplate.objects.filter(code__in=SEEDED)}
    assert set(templates) == SEEDED
    for template in templates.values():
        subject, body = template.render(SWEEP_CONTEXT)
        assert "{" not in subject + body and "【" not in body
        assert SWEEP_CONTEXT["order_number"] in body and len(body) <= 140, template.code


def test_the_customer_sms_names_the_order_number():
    _subject, body = NotificationTemplate.objects.get(code="order_accepted").render(
        {"order_number": "GD202611160001", "business_type": "故障报修"}
    )
    assert "GD202611160001" in body and "故障报修" in body and "{" not in body


def test_every_escalation_step_names_an_existing_template():
    codes = set(EscalationStep.objects.values_list("template_code", flat=True))
    assert codes and codes <= set(NotificationTemplate.objects.values_list("code", flat=True))


def test_a_template_with_a_syntax_error_is_refused():
    template = NotificationTemplate(
        code="broken", name="坏模板", body="工单{{ order_number|no_such_filter }}"
    )
    with pytest.raises(ValidationError) as exc:
        template.full_clean()
    assert "body" in exc.value.message_dict


@pytest.fixture
def admin_client_logged_in(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_an_administrator_edits_a_template_in_the_admin(admin_client_logged_in, outbox):
    template = NotificationTemplate.objects.get(code="sla_warning")
    url = reverse("admin:notify_notificationtemplate_change", args=[template.pk])
    assert admin_client_logged_in.get(url).status_code == 200
    response = admin_client_logged_in.post(
        url,
        {
            "code": "sla_warning",
            "name": template.name,
            "channel": "sms",
            "category": "staff",
            "is_active": "on",
            "subject": template.subject,
            "body": "请尽快处理工单{{ order_number }}",
        },
    )
    assert response.status_code == 302
    sent = notification_send(notification_id=enqueue().pk)
    assert sent.text == "请尽快处理工单GD202611160001"

    broken = admin_client_logged_in.post(
        url,
        {
            "code": "sla_warning",
            "name": template.name,
            "channel": "sms",
            "category": "staff",
            "subject": "",
            "body": "{% if %}",
        },
    )
    assert broken.status_code == 200 and "模板语法错误" in broken.content.decode()


def test_notifications_are_listed_read_only_in_the_admin(admin_client_logged_in):
    notification = enqueue()
    url = reverse("admin:notify_notification_changelist")
    changelist = admin_client_logged_in.get(url + "?state=pending")
    assert changelist.status_code == 200 and notification.recipient_address in changelist.content.decode()
    assert admin_client_logged_in.get(reverse("admin:notify_notification_add")).status_code == 403
    detail = admin_client_logged_in.get(reverse("admin:notify_notification_change", args=[notification.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert Notification.objects.count() == 1
