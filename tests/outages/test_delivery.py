"""Outage notices take over what the gateway reports of their messages (the callback or the outbox's
simulated receipt): delivered, failed, with times and codes, shown per notice on the outage page."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from powerdesk.notify.api import signature
from powerdesk.notify.services import notification_send
from powerdesk.outages import services
from powerdesk.outages.models import NoticeState

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def planned(net, users, start=NOW + dt.timedelta(days=10)):
    return services.outage_create(
        actor=users["dispatcher"], kind="planned", title="检修", devices=[net["SW"]], planned_start=start
    )


@time_machine.travel(NOW, tick=False)
def test_the_outbox_receipts_mark_notices_delivered_or_failed(net, users, settings, tmp_path):
    settings.POWERDESK_NOTIFY_OUTBOX = tmp_path
    settings.POWERDESK_NOTIFY_TRANSPORT_SMS = "console"
    settings.POWERDESK_NOTIFY_UNDELIVERABLE = ["13800000003"]  # the shop's phone
    outage = planned(net, users)
    for notice in outage.notices.all():
        notification_send(notification_id=notice.notification_id)
    states = {n.customer_id: n for n in outage.notices.all()}
    home, shop = states[net.customers["home"].pk], states[net.customers["shop"].pk]
    assert home.state == NoticeState.DELIVERED and home.delivered_at == NOW and home.sent_at == NOW
    assert shop.state == NoticeState.FAILED and shop.delivered_at is None and not shop.late
    assert list(outage.events.filter(kind="notices_failed").values_list("data", flat=True)) == [{"count": 1}]


@time_machine.travel(NOW, tick=False)
def test_the_gateways_callback_updates_the_notice_and_a_late_failure_flags_the_outage(
    net, users, settings, client
):
    settings.POWERDESK_SMS_CALLBACK_SECRET = "s3cret"
    start = NOW + dt.timedelta(days=3)
    outage = services.outage_create(
        actor=users["dispatcher"],
        kind="planned",
        title="检修",
        devices=[net["T2"]],
        planned_start=start,
        short_notice_reason="抢修后补做",
    )
    [notice] = outage.notices.all()
    body = json.dumps(
        {"receipts": [{"out_id": notice.notification_id, "status": "failed", "code": "MK:0001"}]}
    ).encode()
    answer = client.post(
        reverse("api-v1-notify-receipts"),
        data=body,
        content_type="application/json",
        HTTP_X_SIGNATURE=signature("s3cret", body),
    )
    assert answer.status_code == 200
    notice.refresh_from_db()
    outage.refresh_from_db()
    # the deadline (seven days ahead) had passed: a failed notice is a missing one
    assert notice.state == NoticeState.FAILED and notice.late and outage.notice_flagged


@time_machine.travel(NOW, tick=False)
def test_the_outage_page_shows_each_notices_delivery(net, users, login, settings, tmp_path):
    settings.POWERDESK_NOTIFY_OUTBOX = tmp_path
    settings.POWERDESK_NOTIFY_TRANSPORT_SMS = "console"
    outage = planned(net, users)
    first = outage.notices.order_by("pk").first()
    notification_send(notification_id=first.notification_id)
    page = login(users["agent"]).get(reverse("outages:detail", args=[outage.number])).content.decode()
    assert "已送达" in page and "DELIVRD" in page and "待发送" in page
