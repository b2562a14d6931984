"""Every seeded checklist gives every verdict through the judging service: all criteria met → 成立, a
criterion failed → 不成立 (and the order is downgraded), a criterion not yet established → 待补证."""

from __future__ import annotations

import pytest

from powerdesk.complaints import rules, services
from powerdesk.complaints.models import Checklist, ComplaintRecord
from powerdesk.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

SEEDED = [
    "repair_staff_attitude",
    "hall_staff_attitude",
    "arrears_disconnection_notice",
    "planned_outage_notice",
    "repair_arrival_late",
    "meter_wiring_error",
    "wrong_bill",
]


def test_the_seven_checklists_of_the_issue_are_seeded_with_their_sources():
    assert set(SEEDED) <= set(Checklist.objects.values_list("code", flat=True))
    book = Checklist.objects.get(code="repair_staff_attitude")
    assert [c.code for c in book.criteria.all()] == ["our_staff", "attitude", "within_period", "company_side"]
    assert all(c.case_book_only for c in book.criteria.all())
    arrears = Checklist.objects.get(code="arrears_disconnection_notice").criteria.get(code="notice_missing")
    # the notice figures are the outages app's NoticeRule rows; the criterion names the outage kind
    assert arrears.params == {"outage_kinds": ["arrears"], "min_overdue_days": 30}
    assert not Checklist.objects.get(code="repair_arrival_late").single_event_suffices


def _open(make_complaint, code: str) -> tuple[WorkOrder, Checklist]:
    checklist = Checklist.objects.select_related("sub_type", "topic").get(code=code)
    topic_code = checklist.topic.code if checklist.topic else "communication"
    return make_complaint(checklist.sub_type.code, topic_code), checklist


def _applicable(checklist: Checklist):
    return [
        c for c in checklist.criteria.all() if not (c.only_if_repeated and checklist.single_event_suffices)
    ]


@pytest.mark.parametrize("code", SEEDED)
def test_all_criteria_met_is_valid(code, make_complaint, users):
    order, checklist = _open(make_complaint, code)
    answers = {c.code: rules.YES for c in checklist.criteria.all()}
    judgment = services.complaint_judge(order=order, actor=users["handler"], answers=answers)
    assert judgment.checklist == checklist and judgment.verdict == rules.VALID
    assert judgment.responsible_unit == order.unit
    assert ComplaintRecord.objects.get(order=order).verdict == rules.VALID
    assert WorkOrder.objects.get(pk=order.pk).business_type == "complaint"


@pytest.mark.parametrize("code", SEEDED)
def test_a_failed_criterion_is_invalid_and_downgrades_the_order(code, make_complaint, users):
    order, checklist = _open(make_complaint, code)
    failing = next(c for c in _applicable(checklist) if c.failing_means == "invalid")
    answers = {c.code: rules.YES for c in checklist.criteria.all()} | {failing.code: rules.NO}
    judgment = services.complaint_judge(
        order=order,
        actor=users["handler"],
        answers=answers,
        downgrade_to="opinion",
        note="不属于供电企业责任",
    )
    assert judgment.verdict == rules.INVALID and judgment.downgraded_to == "opinion"
    assert {"criterion": failing.code, "effect": "failed"} in judgment.reasons
    order.refresh_from_db()
    assert order.business_type == "opinion" and order.sub_type is None
    record = ComplaintRecord.objects.get(order=order)
    assert record.original_business_type == "complaint" and record.original_sub_type == checklist.sub_type


@pytest.mark.parametrize("code", SEEDED)
def test_a_criterion_not_yet_established_is_pending(code, make_complaint, users):
    order, checklist = _open(make_complaint, code)
    last = _applicable(checklist)[-1]
    answers = {c.code: rules.YES for c in checklist.criteria.all()} | {last.code: rules.UNKNOWN}
    judgment = services.complaint_judge(order=order, actor=users["handler"], answers=answers)
    assert judgment.verdict == rules.PENDING
    assert {"criterion": last.code, "effect": "unknown"} in judgment.reasons
    assert WorkOrder.objects.get(pk=order.pk).business_type == "complaint"


def test_one_late_arrival_alone_is_not_enough_under_the_seeded_rule_but_is_when_the_rule_says_so(
    make_complaint, users
):
    order, checklist = _open(make_complaint, "repair_arrival_late")
    answers = {"related_repair": "yes", "late": "yes", "repeated": "no", "company_side": "yes"}
    judged = services.complaint_judge(
        order=order, actor=users["handler"], answers=answers, downgrade_to="consultation", note="偶发一次"
    )
    assert judged.verdict == rules.INVALID
    checklist.single_event_suffices = True
    checklist.save()
    order, _ = _open(make_complaint, "repair_arrival_late")
    assert (
        services.complaint_judge(order=order, actor=users["handler"], answers=answers).verdict == rules.VALID
    )
