"""Outage events: who is affected (and the history kept), notices and their lateness, the lead-time
reason, the ETR log and its messages, partial restoration."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from powerdesk.core.errors import ValidationFailed
from powerdesk.grid.services import device_reparent
from powerdesk.notify.models import Notification
from powerdesk.outages import delivery, services
from powerdesk.outages.models import EtrChange, Interruption, NoticeState, OutageNotice

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def _messages(template: str) -> dict[int, Notification]:
    return {n.customer_id: n for n in Notification.objects.filter(template__code=template)}


@time_machine.travel(NOW, tick=False)
def test_a_fault_outage_traces_its_customers_counts_them_and_tells_each_its_etr(net, users):
    outage = services.outage_create(
        actor=users["dispatcher"], kind="fault", title="梧桐巷熔断器跳闸", devices=[net["FU"]]
    )
    assert outage.customer_count == 2
    assert outage.counts_by_type == {"important": 1, "urban_resident": 1}
    assert list(outage.interruptions.filter(important=True).values_list("customer", flat=True)) == [
        net.customers["clinic"].pk
    ]
    assert outage.etr_source == "default" and outage.etr == NOW + dt.timedelta(minutes=120)
    told = _messages("outage_fault_etr")
    assert set(told) == {net.customers["home"].pk, net.customers["clinic"].pk}
    assert told[net.customers["home"].pk].template.category_id == "restoration"


@time_machine.travel(NOW, tick=False)
def test_a_registered_storm_gives_its_etr_override_unless_a_crew_gave_one(net, users):
    from powerdesk.outages.known_events import known_event_create

    override = NOW + dt.timedelta(hours=6)
    storm = known_event_create(
        actor=users["dispatcher"],
        kind="storm",
        title="台风过境",
        script="受台风影响，抢修人员正在全力恢复供电。",
        devices=[net["SW"]],
        starts_at=NOW - dt.timedelta(hours=1),
        etr_override=override,
    )
    outage = services.outage_create(
        actor=users["dispatcher"],
        kind="fault",
        title="梧桐巷熔断器跳闸",
        devices=[net["FU"]],
        known_event=storm,
    )
    assert (outage.etr_source, outage.etr) == ("storm", override)
    assert set(_messages("outage_fault_etr")) == {net.customers["home"].pk, net.customers["clinic"].pk}
    crew = NOW + dt.timedelta(hours=2)
    by_crew = services.outage_create(
        actor=users["dispatcher"],
        kind="fault",
        title="T1 跳闸",
        devices=[net["T1"]],
        known_event=storm,
        crew_etr=crew,
    )
    assert (by_crew.etr_source, by_crew.etr) == ("crew", crew)


@time_machine.travel(NOW, tick=False)
def test_the_interruption_history_survives_re_parenting(net, users):
    outage = services.outage_create(actor=users["dispatcher"], kind="fault", title="T1", devices=[net["T1"]])
    device_reparent(device=net["T1"], new_parent=net["SW"], by=users["dispatcher"], reason="倒闸")
    assert set(Interruption.objects.filter(outage=outage).values_list("device__code", flat=True)) == {"T1"}
    assert outage.interruptions.count() == 2


@time_machine.travel(NOW, tick=False)
def test_a_planned_outage_with_too_little_lead_time_needs_a_reason_and_is_flagged(net, users):
    start = NOW + dt.timedelta(days=3)
    with pytest.raises(ValidationFailed) as refused:
        services.outage_create(
            actor=users["dispatcher"], kind="planned", title="检修", devices=[net["SW"]], planned_start=start
        )
    assert "short_notice_reason" in refused.value.fields
    outage = services.outage_create(
        actor=users["dispatcher"],
        kind="planned",
        title="检修",
        devices=[net["SW"]],
        planned_start=start,
        planned_end=start + dt.timedelta(hours=6),
        short_notice_reason="线路缺陷需尽快处理",
    )
    assert outage.short_notice and outage.short_notice_reason == "线路缺陷需尽快处理"
    # its deadline (seven days ahead) has already passed: every notice is late the moment it is owed
    assert services.notices_flag(outage=outage, now=NOW + dt.timedelta(seconds=1))
    assert outage.notices.filter(late=True).count() == 3


@time_machine.travel(NOW, tick=False)
def test_a_planned_outage_in_time_sends_its_notices_and_a_late_delivery_is_flagged(net, users):
    start = NOW + dt.timedelta(days=10)
    outage = services.outage_create(
        actor=users["dispatcher"], kind="planned", title="检修", devices=[net["SW"]], planned_start=start
    )
    assert not outage.short_notice
    notices = list(outage.notices.all())
    assert len(notices) == 3 and {n.due_by for n in notices} == {start - dt.timedelta(days=7)}
    assert all(n.notification_id for n in notices)
    sent = Notification.objects.get(pk=notices[0].notification_id)
    assert (
        sent.template.code == "outage_planned_notice" and sent.template.category_id == "legal_outage_notice"
    )
    delivery.notice_delivery_record(
        notice=notices[0], state=NoticeState.DELIVERED, at=NOW + dt.timedelta(hours=1)
    )
    notices[0].refresh_from_db()
    assert notices[0].state == "delivered" and not notices[0].late
    late_at = start - dt.timedelta(days=6)
    delivery.notice_delivery_record(notice=notices[1], state=NoticeState.SENT, at=late_at)
    outage.refresh_from_db()
    assert OutageNotice.objects.get(pk=notices[1].pk).late
    assert outage.notice_flagged


@time_machine.travel(NOW, tick=False)
def test_a_temporary_outage_owes_important_customers_two_notices(net, users):
    start = NOW + dt.timedelta(days=2)
    outage = services.outage_create(
        actor=users["dispatcher"],
        kind="temporary",
        title="临时检修",
        devices=[net["FU"]],
        planned_start=start,
    )
    owed = list(outage.notices.values_list("customer", "repeat", "due_by"))
    clinic = net.customers["clinic"].pk
    assert sorted(owed, key=lambda r: r[1]) == [
        (clinic, False, start - dt.timedelta(hours=24)),
        (clinic, True, start - dt.timedelta(hours=1)),
    ]
    # the first is sent at once; the repeat waits for its time
    assert outage.notices.filter(repeat=True, notification_id__isnull=True).exists()
    with time_machine.travel(start - dt.timedelta(minutes=90), tick=False):
        assert services.notices_send_due(outage=outage, now=start - dt.timedelta(minutes=90)) == 1


@time_machine.travel(NOW, tick=False)
def test_an_arrears_outage_notice_depends_on_the_customer_type(net, users):
    start = NOW + dt.timedelta(days=8)
    outage = services.outage_create(
        actor=users["dispatcher"],
        kind="arrears",
        title="欠费停电",
        customers=[net.customers["home"], net.customers["shop"]],
        planned_start=start,
    )
    owed = {(c, r): due for c, r, due in outage.notices.values_list("customer", "repeat", "due_by")}
    assert owed == {
        (net.customers["home"].pk, False): start - dt.timedelta(days=7),
        (net.customers["shop"].pk, False): start - dt.timedelta(days=3),
        (net.customers["shop"].pk, True): start - dt.timedelta(hours=1),
    }


@time_machine.travel(NOW, tick=False)
def test_every_etr_change_is_logged_and_told(net, users):
    outage = services.outage_create(actor=users["dispatcher"], kind="fault", title="T1", devices=[net["T1"]])
    later = NOW + dt.timedelta(hours=5)
    services.outage_etr_change(outage=outage, actor=users["dispatcher"], etr=later, note="需更换变压器")
    log = list(EtrChange.objects.filter(outage=outage).values_list("source", "etr"))
    assert log == [("default", NOW + dt.timedelta(minutes=240)), ("crew", later)]
    assert len(_messages("outage_etr_changed")) == 2
    with pytest.raises(ValidationFailed):
        services.outage_etr_change(outage=outage, actor=users["dispatcher"], etr=NOW - dt.timedelta(hours=1))


@time_machine.travel(NOW, tick=False)
def test_partial_restoration_tells_only_the_customers_back_and_ends_their_interruption(net, users):
    outage = services.outage_create(
        actor=users["dispatcher"], kind="fault", title="两台变", devices=[net["T1"], net["T2"]]
    )
    assert outage.customer_count == 3
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        services.outage_restore(outage=outage, actor=users["dispatcher"], devices=[net["T2"]])
    outage.refresh_from_db()
    assert outage.actual_end is None
    assert set(_messages("outage_restored")) == {net.customers["shop"].pk}
    assert outage.interruptions.filter(end__isnull=False).count() == 1
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        services.outage_restore(outage=outage, actor=users["dispatcher"])
    outage.refresh_from_db()
    assert outage.actual_end == NOW + dt.timedelta(hours=2)
    assert set(_messages("outage_restored")) == {c.pk for c in net.customers.values()}
    assert list(outage.events.values_list("kind", flat=True)) == ["created", "partly_restored", "restored"]


@time_machine.travel(NOW, tick=False)
def test_the_sweep_sends_the_repeat_shortly_before_and_flags_a_notice_never_sent(net, users):
    start = NOW + dt.timedelta(days=2)
    outage = services.outage_create(
        actor=users["dispatcher"],
        kind="temporary",
        title="临时检修",
        devices=[net["FU"]],
        planned_start=start,
    )
    assert services.notices_sweep(now=NOW) == 1
    assert outage.notices.filter(notification_id__isnull=True).count() == 1  # the repeat waits
    services.notices_sweep(now=start - dt.timedelta(minutes=30))
    assert not outage.notices.filter(notification_id__isnull=True).exists()
    outage.refresh_from_db()
    # neither was reported sent by the gateway before its deadline: both late, the outage flagged
    assert outage.notice_flagged and outage.notices.filter(late=True).count() == 2
