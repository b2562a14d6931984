"""The outage's timeline reads as sentences in the reader's language, not as stored codes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from powerdesk.outages import presenting, services
from powerdesk.outages.models import OutageEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def history(net, users):
    outage = services.outage_create(
        actor=users["dispatcher"], kind="fault", title="两台变", devices=[net["T1"], net["T2"]]
    )
    services.outage_etr_change(outage=outage, actor=users["dispatcher"], etr=NOW + dt.timedelta(hours=5))
    services.outage_restore(outage=outage, actor=users["dispatcher"], devices=[net["T2"]])
    return outage


@time_machine.travel(NOW, tick=False)
def test_the_outage_page_shows_the_timeline_in_chinese_sentences(net, users, login):
    outage = history(net, users)
    page = login(users["agent"]).get(reverse("outages:detail", args=[outage.number])).content.decode()
    assert "停电已登记" in page and "影响 3 户" in page
    assert "预计复电时间由 2026-12-01 22:00 改为 2026-12-01 23:00（来源：抢修人员）" in page
    assert "部分复电" in page and "设备 T2 复电，1 户恢复供电" in page
    assert "etr_changed" not in page and "partly_restored" not in page


@time_machine.travel(NOW, tick=False)
def test_the_same_events_read_in_english_for_an_english_reader(net, users):
    outage = history(net, users)
    with translation.override("en"):
        lines = presenting.present(list(outage.events.all()))
    texts = [f"{line.label}: {line.text}" for line in lines]
    assert texts[0].startswith("Outage registered: 3 customers affected")
    assert "Partial restoration: T2 back on, 1 customers restored" in texts


@time_machine.travel(NOW, tick=False)
def test_an_event_of_an_unknown_kind_or_shape_is_shown_not_a_500(net, users, login):
    outage = history(net, users)
    OutageEvent.objects.create(outage=outage, kind="future_kind", at=NOW, data={"x": 1})
    OutageEvent.objects.create(outage=outage, kind="restored", at=NOW, data={"devices": "oops"})
    page = login(users["agent"]).get(reverse("outages:detail", args=[outage.number]))
    assert page.status_code == 200 and "future_kind" in page.content.decode()
