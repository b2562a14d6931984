"""The complaint services: the record written at opening, the leadership told once, the downgrade
through workorders' reclassification, responsibility and rectification, 重复投诉, 表扬, retries."""

from __future__ import annotations

import datetime as dt

import pytest

from powerdesk.complaints import selectors, services
from powerdesk.complaints.models import ComplaintRecord, Judgment, PraiseCredit, Rectification, Severity
from powerdesk.core import clock
from powerdesk.core.errors import NotPermitted, ValidationFailed
from powerdesk.notify.models import Notification
from powerdesk.sla.models import Clock
from powerdesk.workorders import services as s
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from tests.complaints.conftest import sub_type
from tests.workorders.helpers import events_of, intake, walk

pytestmark = pytest.mark.django_db

ALL_MET = {"our_staff": "yes", "attitude": "yes", "within_period": "yes", "company_side": "yes"}


def test_a_complaint_gets_its_record_when_it_is_opened_and_other_orders_do_not(
    make_complaint, users, customer
):
    order = make_complaint()
    record = ComplaintRecord.objects.get(order=order)
    assert (
        record.original_business_type == "complaint" and record.original_sub_type.code == "complaint_attitude"
    )
    assert record.verdict == "" and record.repeat_of is None
    repair = intake(users, customer, topic_code="power_quality")
    assert not ComplaintRecord.objects.filter(order=repair).exists()


def test_the_complaint_classes_are_the_parents_of_the_sub_types_and_old_orders_keep_their_class():
    assert sub_type("complaint_attitude").parent.code == "complaint_service"
    assert sub_type("complaint_repair").parent.code == "complaint_outage"
    assert sub_type("complaint_service").parent is None
    assert sub_type("complaint_service").children.count() == 4


def _update(order, actor, **kwargs):
    defaults = {"severity": None, "related_orders": []}
    return services.complaint_record_update(order=order, actor=actor, **(defaults | kwargs))


def test_a_major_complaint_tells_every_head_up_the_chain_at_once_and_only_once(make_complaint, users, heads):
    order = make_complaint()
    major = Severity.objects.get(code="major")
    record = _update(order, users["handler"], severity=major)
    sent = Notification.objects.filter(order=order, template__code="complaint_leadership")
    assert sorted((n.channel, n.recipient_address) for n in sent) == [
        ("email", "head@example.org"),
        ("sms", "13700000001"),
    ]
    assert record.leadership_notified_at is not None
    _update(order, users["handler"], severity=Severity.objects.get(code="special"))
    assert sent.count() == 2  # already told
    event = WorkOrderEvent.objects.filter(order=order, kind=services.RECORD_UPDATED).first()
    assert sorted(event.data["leadership"]) == sorted(h.pk for h in heads)


def test_an_ordinary_complaint_tells_nobody(make_complaint, users, heads):
    order = make_complaint()
    _update(order, users["handler"], severity=Severity.objects.get(code="important"))
    assert not Notification.objects.filter(order=order, template__code="complaint_leadership").exists()


def test_naming_the_related_repair_takes_its_handler_as_the_staff_member(
    make_complaint, users, customer, county
):
    repair = intake(users, customer, topic_code="power_quality")
    repair = walk(repair, users, county, "on_site")
    order = make_complaint()
    record = _update(
        order, users["handler"], related_orders=[repair], event_at=clock.now() - dt.timedelta(days=2)
    )
    assert record.staff == users["repair"] and list(record.related_orders.all()) == [repair]
    assert events_of(order)[-1].kind == services.RECORD_UPDATED


def test_an_unchanged_record_writes_no_event(make_complaint, users):
    order = make_complaint()
    before = WorkOrderEvent.objects.filter(order=order).count()
    _update(order, users["handler"])
    assert WorkOrderEvent.objects.filter(order=order).count() == before


def test_the_record_refuses_another_customers_order_and_the_complaint_itself(
    make_complaint, users, west_customer
):
    order = make_complaint()
    other = intake(users, west_customer, topic_code="power_quality")
    with pytest.raises(ValidationFailed) as refused:
        _update(order, users["handler"], related_orders=[other])
    assert "related_orders" in refused.value.fields
    with pytest.raises(ValidationFailed):
        _update(order, users["handler"], related_orders=[order])


def test_the_checklist_is_prefilled_from_the_related_repair(make_complaint, users, customer, county):
    repair = intake(users, customer, topic_code="power_quality", sub_type=sub_type("repair_customer_side"))
    accepted = repair.created_at
    with clock.at(accepted + dt.timedelta(minutes=50)):
        repair = walk(repair, users, county, "on_site")  # urban limit 45 minutes
    order = make_complaint()
    _update(order, users["handler"], related_orders=[repair], event_at=clock.now() - dt.timedelta(days=1))
    _record, checklist, items = selectors.judgment_form_data(order)
    assert checklist.code == "repair_staff_attitude"
    answers = {i.criterion.code: (i.answer, i.basis) for i in items}
    assert answers["our_staff"] == ("yes", "record_staff")
    assert answers["within_period"] == ("yes", "event_at")
    assert answers["company_side"] == ("no", "related_sub_type")  # a fault behind the meter
    assert answers["attitude"] == ("unknown", "")

    late = make_complaint("complaint_repair", "outage_info")
    _update(late, users["handler"], related_orders=[repair])
    _, checklist, items = selectors.judgment_form_data(late)
    assert {i.criterion.code: i.answer for i in items}["late"] == "yes"


def test_invalid_downgrades_through_one_reclassification_that_replans_the_clocks(make_complaint, users):
    order = make_complaint()
    before = set(Clock.objects.filter(order=order).values_list("kind", "due_at"))
    services.complaint_judge(
        order=order,
        actor=users["handler"],
        answers=ALL_MET | {"company_side": "no"},
        downgrade_to="consultation",
        note="表后线故障，属客户产权",
    )
    order.refresh_from_db()
    assert order.business_type == "consultation"
    reclassified = WorkOrderEvent.objects.filter(order=order, kind="reclassify")
    assert reclassified.count() == 1
    event = reclassified.get()
    assert event.data["before"]["business_type"] == "complaint"  # the original stays visible
    assert event.data["after"]["business_type"] == "consultation"
    assert event.data["cause"]["app"] == "complaints" and event.note == "表后线故障，属客户产权"
    assert set(Clock.objects.filter(order=order).values_list("kind", "due_at")) != before
    kinds = [e.kind for e in events_of(order)][-2:]
    assert kinds == [services.JUDGED, "reclassify"]


def test_invalid_needs_a_downgrade_and_a_reason(make_complaint, users):
    order = make_complaint()
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_judge(order=order, actor=users["handler"], answers=ALL_MET | {"attitude": "no"})
    assert set(refused.value.fields) == {"downgrade_to", "note"}
    assert not Judgment.objects.exists()


def test_valid_names_responsibility_and_opens_a_rectification_tracked_to_closure(
    make_complaint, users, county
):
    order = make_complaint()
    _update(order, users["handler"], staff=users["repair"])
    due = clock.local_date() + dt.timedelta(days=14)
    judgment = services.complaint_judge(
        order=order,
        actor=users["handler"],
        answers=ALL_MET,
        rectification_task="抢修班组服务用语培训",
        rectification_owner=users["handler"],
        rectification_due=due,
    )
    assert judgment.responsible_unit == county.east and judgment.responsible_staff == users["repair"]
    rectification = Rectification.objects.get(order=order)
    assert (rectification.owner, rectification.due_date, rectification.state) == (
        users["handler"],
        due,
        "open",
    )
    assert list(selectors.rectification_list(user=users["handler"], state="open")) == [rectification]
    with pytest.raises(NotPermitted):
        services.rectification_close(rectification=rectification, actor=users["repair"], result="已培训")
    closed = services.rectification_close(
        rectification=rectification, actor=users["handler"], result="已培训"
    )
    assert closed.state == "closed" and closed.closed_by == users["handler"]
    again = services.rectification_close(rectification=rectification, actor=users["handler"], result="已培训")
    assert again.pk == closed.pk
    assert WorkOrderEvent.objects.filter(order=order, kind=services.RECTIFICATION_CLOSED).count() == 1
    with pytest.raises(ValidationFailed):
        services.rectification_close(rectification=rectification, actor=users["handler"], result="别的")


def test_a_rectification_needs_an_owner_and_a_due_date_not_in_the_past(make_complaint, users):
    order = make_complaint()
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_judge(
            order=order,
            actor=users["handler"],
            answers=ALL_MET,
            rectification_task="整改",
            rectification_due=clock.local_date() - dt.timedelta(days=1),
        )
    assert set(refused.value.fields) == {"rectification_owner", "rectification_due"}


def test_a_role_that_may_not_reclassify_may_not_judge(make_complaint, users):
    order = make_complaint()
    with pytest.raises(NotPermitted):
        services.complaint_judge(order=order, actor=users["repair"], answers=ALL_MET)


def test_a_retried_judgment_is_made_once(make_complaint, users):
    order = make_complaint()
    first = services.complaint_judge(
        order=order, actor=users["handler"], answers=ALL_MET, request_id="k1", request_fingerprint="f"
    )
    again = services.complaint_judge(
        order=order, actor=users["handler"], answers=ALL_MET, request_id="k1", request_fingerprint="f"
    )
    assert again.pk == first.pk and Judgment.objects.count() == 1


def _archive(order, users, county):
    return walk(order, users, county, "archived")


def test_a_new_complaint_about_the_same_event_after_an_archived_complaint_is_flagged_and_linked(
    make_complaint, users, county
):
    first = _archive(make_complaint(), users, county)
    second = make_complaint()
    record = ComplaintRecord.objects.get(order=second)
    assert record.repeat_of == first and WorkOrder.objects.get(pk=second.pk).is_flagged
    created = events_of(second)[0]
    assert created.data["repeat_complaint"] == first.number
    assert WorkOrderEvent.objects.filter(order=first, kind=services.REPEAT_COMPLAINT).exists()


def test_a_downgraded_complaint_once_archived_counts_too(make_complaint, users, county):
    first = make_complaint()
    services.complaint_judge(
        order=first,
        actor=users["handler"],
        answers=ALL_MET | {"attitude": "no"},
        downgrade_to="opinion",
        note="未核实到态度问题",
    )
    first = _archive(WorkOrder.objects.get(pk=first.pk), users, county)
    assert first.business_type == "opinion"
    # the same related order makes it the same event, whatever the sub-type
    second = make_complaint("complaint_conduct", "communication")
    assert ComplaintRecord.objects.get(order=second).repeat_of is None
    record = _update(second, users["handler"], related_orders=[first])
    assert record.repeat_of == first and WorkOrder.objects.get(pk=second.pk).is_flagged


def test_an_open_earlier_complaint_or_another_topic_is_not_a_repeat(make_complaint, users, county):
    make_complaint()
    assert ComplaintRecord.objects.get(order=make_complaint()).repeat_of is None
    _archive(make_complaint("complaint_hall", "hall_service"), users, county)
    assert ComplaintRecord.objects.get(order=make_complaint()).repeat_of is None


def test_a_praise_names_the_staff_member_or_unit_it_credits(users, customer, county):
    order = intake(users, customer, business_type="praise", topic_code="communication")
    with pytest.raises(ValidationFailed):
        services.praise_credit_update(order=order, actor=users["agent"], staff=None, unit=None)
    credit = services.praise_credit_update(
        order=order, actor=users["agent"], staff=users["repair"], unit=county.east
    )
    assert PraiseCredit.objects.get(order=order) == credit and credit.staff == users["repair"]
    event = events_of(order)[-1]
    assert event.kind == services.PRAISE_CREDITED
    assert event.data["credit"] == {"staff": users["repair"].pk, "unit": county.east.pk}
    from powerdesk.workorders.timeline import present

    [shown] = present([event], sees_personal_data=True)
    assert not shown.changes and shown.lines == [
        "已记录受表扬对象"
    ]  # not read as a change of the handling unit
    services.praise_credit_update(order=order, actor=users["agent"], staff=users["repair"], unit=county.east)
    assert [e.kind for e in events_of(order)].count(services.PRAISE_CREDITED) == 1  # the same again: no event
    complaint = intake(users, customer, business_type="complaint", topic_code="billing")
    with pytest.raises(ValidationFailed):
        services.praise_credit_update(order=complaint, actor=users["agent"], staff=users["repair"], unit=None)


def test_the_timeline_presents_the_complaints_events(make_complaint, users, heads):
    from powerdesk.workorders.timeline import present

    order = make_complaint()
    _update(order, users["handler"], severity=Severity.objects.get(code="major"))
    services.complaint_judge(
        order=order,
        actor=users["handler"],
        answers=ALL_MET | {"attitude": "no"},
        downgrade_to="opinion",
        note="x",
    )
    items = present(list(WorkOrderEvent.objects.filter(order=order).order_by("id")), sees_personal_data=True)
    lines = [line for item in items for line in item.lines]
    assert "判定结果：不成立" in lines and "已报告领导 2 人" in lines and "投诉判定不成立，降级处理" in lines
    assert any(
        line.startswith("核实确有态度问题") and line.endswith("：不满足（投诉不成立）") for line in lines
    )
    assert s.workorder_note_add(order=order, actor=users["handler"], text="ok")


def test_a_disconnection_notice_recorded_on_the_order_prefills_its_criterion(make_complaint, users):
    disconnected = clock.now() - dt.timedelta(days=1)
    facts = {
        "disconnected_at": disconnected.isoformat(),
        "notice_at": (disconnected - dt.timedelta(days=2)).isoformat(),  # a resident needs 7 days
        "overdue_days": 45,
    }
    order = make_complaint("complaint_collection", "billing", facts=facts)
    _, checklist, items = selectors.judgment_form_data(order)
    assert checklist.code == "arrears_disconnection_notice"
    assert {i.criterion.code: (i.answer, i.basis) for i in items}["notice_missing"] == ("yes", "order_facts")

    facts["notice_at"] = (disconnected - dt.timedelta(days=8)).isoformat()
    order = make_complaint("complaint_outage_notice", "outage_info", facts=facts)
    _, checklist, items = selectors.judgment_form_data(order)
    assert checklist.code == "planned_outage_notice"
    assert {i.criterion.code: i.answer for i in items}["notice_missing"] == "no"


def test_an_order_reclassified_as_a_complaint_gets_its_record_then(users, customer):
    order = intake(users, customer, business_type="consultation", topic_code="billing")
    assert not ComplaintRecord.objects.filter(order=order).exists()
    s.workorder_reclassify(
        order=order,
        actor=users["agent"],
        business_type="complaint",
        sub_type=sub_type("complaint_tariff"),
        topic=order.topic,
        reason="客户实为投诉电费差错",
    )
    record = ComplaintRecord.objects.get(order=order)
    assert (
        record.original_business_type == "complaint" and record.original_sub_type.code == "complaint_tariff"
    )


def test_the_order_list_filters_repeat_complaints(client, make_complaint, users, county):
    from django.urls import reverse

    first = _archive(make_complaint(), users, county)
    second = make_complaint()
    client.force_login(users["manager"])
    html = client.get(reverse("workorders:list"), {"queue": "all", "repeat_complaint": "on"}).content.decode()
    assert second.number in html and first.number not in html
