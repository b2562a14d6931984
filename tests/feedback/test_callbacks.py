"""The callback transition, extended by the feedback app: attempts at different times of day, 无法联系,
and what a dissatisfied or unresolved callback leads to per the business type's rule."""

from __future__ import annotations

import pytest

from powerdesk.core.errors import TransitionNotAllowed
from powerdesk.feedback import services
from powerdesk.feedback.models import CallbackRule, FollowUpTask
from powerdesk.feedback.tasks import reopen_after_callback
from powerdesk.workorders import extensions as ext
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import Satisfaction, Status
from tests.feedback.conftest import at, jobs, local
from tests.workorders.helpers import events_of, fresh

pytestmark = pytest.mark.django_db

UNREACHABLE = Satisfaction.UNREACHABLE


def unreached(order, users):
    return s.workorder_callback(order=fresh(order), actor=users["callback"], satisfaction=UNREACHABLE)


def test_the_feedback_app_is_connected_at_every_point_it_uses():
    assert "feedback" in ext.transition_applied.owners()
    names = {e.name: e for e in ext.transition_applied.entries()}
    assert names["feedback.transitions"].position < names["sla.move_clocks"].position
    assert ext.order_panels.get("feedback.callback") is not None
    assert {"callback_attempts", "survey", "follow_ups"} <= {e.name for e in ext.detail_fields.entries()}
    assert ext.event_kinds.get(services.SURVEY_EVENT) is not None
    assert ext.dissatisfied_handled.get("feedback.follow_up") is not None


def test_each_unreached_attempt_is_recorded_with_its_time_of_day(replied, users):
    with at(local(2, 9, 30)):
        order = unreached(replied, users)
    assert order.status == Status.REPLIED
    event = events_of(order)[-1]
    assert event.data["callback_attempt"] == {"reached": False, "band": "morning"}


def test_three_unreached_attempts_at_different_times_of_day_allow_archiving_as_unreachable(replied, users):
    with at(local(2, 9, 30)):
        unreached(replied, users)
    with at(local(2, 14, 0)):
        order = unreached(replied, users)
    assert order.status == Status.REPLIED  # two times of day so far
    with at(local(2, 19, 0)):
        order = unreached(replied, users)
    assert order.status == Status.CALLED_BACK and order.satisfaction == UNREACHABLE
    assert events_of(order)[-1].data["unreachable_closed"] is True
    with at(local(2, 19, 5)):
        order = s.workorder_archive(order=order, actor=users["callback"])
    assert order.status == Status.ARCHIVED


def test_three_attempts_in_one_afternoon_keep_the_order_waiting(replied, users):
    for hour in (13, 15, 17):
        with at(local(2, hour)):
            order = unreached(replied, users)
    assert order.status == Status.REPLIED
    with pytest.raises(TransitionNotAllowed):
        s.workorder_archive(order=order, actor=users["callback"])


def test_an_unanswered_call_out_while_waiting_for_the_callback_counts_as_an_attempt(replied, users):
    with at(local(2, 9, 0)):
        s.workorder_call_out(
            order=fresh(replied), actor=users["callback"], number="13812345678", reached=False
        )
    with at(local(2, 13, 0)):
        unreached(replied, users)
    with at(local(2, 20, 0)):
        order = unreached(replied, users)
    assert order.status == Status.CALLED_BACK


def test_a_dissatisfied_fault_repair_is_reopened_by_a_job_after_the_callback(replied, users):
    with at(local(2, 10)):
        order = s.workorder_callback(
            order=replied, actor=users["callback"], satisfaction=Satisfaction.DISSATISFIED, resolved=False
        )
    assert order.status == Status.CALLED_BACK
    assert events_of(order)[-1].data["callback_outcome"] == {"action": "reopen", "reason": "dissatisfied"}
    [job] = jobs(reopen_after_callback.name)
    with at(local(2, 10, 1)):
        reopen_after_callback(**job.args)
        reopen_after_callback(**job.args)  # run twice (a worker died): re-opened once
    order = fresh(order)
    assert order.status == Status.ACCEPTED and order.reopen_count == 1
    assert [e.kind for e in events_of(order)].count("reopen") == 1
    assert not FollowUpTask.objects.exists()


def test_an_unresolved_callback_opens_a_follow_up_task_per_the_rule(replied, users):
    with at(local(2, 10)):
        order = s.workorder_callback(
            order=replied, actor=users["callback"], satisfaction=Satisfaction.SATISFIED, resolved=False
        )
    [task] = FollowUpTask.objects.filter(order=order)
    assert task.reason == "unresolved" and task.state == "open"
    assert task.unit_id == order.unit_id and task.owner_id == order.assignee_id
    assert task.due_at > order.called_back_at
    assert not jobs(reopen_after_callback.name)


def test_the_policy_is_data_a_follow_up_instead_of_a_reopen(replied, users):
    rule = CallbackRule.objects.get(business_type="repair")
    rule.on_dissatisfied = "follow_up"
    rule.save()
    with at(local(2, 10)):
        s.workorder_callback(order=replied, actor=users["callback"], satisfaction=Satisfaction.DISSATISFIED)
    assert FollowUpTask.objects.get().reason == "dissatisfied"
    assert not jobs(reopen_after_callback.name)


def test_a_satisfied_resolved_callback_leads_to_nothing_more(replied, users):
    with at(local(2, 10)):
        order = s.workorder_callback(
            order=replied, actor=users["callback"], satisfaction=Satisfaction.SATISFIED, resolved=True
        )
    assert "callback_outcome" not in events_of(order)[-1].data
    assert not FollowUpTask.objects.exists() and not jobs(reopen_after_callback.name)


def test_the_order_page_shows_the_script_and_the_attempts(client, replied, users):
    with at(local(2, 9, 30)):
        unreached(replied, users)
    client.force_login(users["callback"])
    page = client.get(f"/orders/{replied.number}/").content.decode()
    assert "建议话术" in page and "故障报修回访" in page
    assert "未接通记录" in page and "上午" in page


def test_in_english_the_attempts_time_of_day_is_named_in_english(client, replied, users, settings):
    with at(local(2, 9, 30)):
        unreached(replied, users)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(users["callback"])
    page = client.get(f"/orders/{replied.number}/").content.decode()
    assert "Morning" in page and "上午" not in page


def test_the_api_detail_carries_the_attempts(replied, users):
    from tests.api.conftest import client_for

    with at(local(2, 9, 30)):
        unreached(replied, users)
    body = client_for(users["callback"]).get(f"/api/v1/workorders/{replied.number}/").json()
    assert [a["band"] for a in body["callback_attempts"]] == ["morning"]
    assert body["survey"] is None and body["follow_ups"] == []


def test_the_order_list_filters_the_types_that_need_a_callback(replied, users, customer):
    from tests.api.conftest import client_for
    from tests.workorders.helpers import intake

    praise = intake(users, customer, business_type="praise", topic_code="communication")
    api = client_for(users["callback"])
    numbers = {o["number"] for o in api.get("/api/v1/workorders/?callback_needed=true").json()["results"]}
    assert replied.number in numbers and praise.number not in numbers
    rule = CallbackRule.objects.get(business_type="praise")
    rule.needs_callback = True
    rule.save()  # an administrator's change: the rules' cache follows at once
    numbers = {o["number"] for o in api.get("/api/v1/workorders/?callback_needed=true").json()["results"]}
    assert praise.number in numbers


def test_a_dissatisfied_order_whose_rule_opened_a_follow_up_may_be_archived(replied, users):
    rule = CallbackRule.objects.get(business_type="repair")
    rule.on_dissatisfied = "follow_up"
    rule.save()
    with at(local(2, 10)):
        order = s.workorder_callback(
            order=replied, actor=users["callback"], satisfaction=Satisfaction.DISSATISFIED
        )
        order = s.workorder_archive(order=order, actor=users["callback"])
    assert order.status == Status.ARCHIVED
    assert FollowUpTask.objects.get(order=order).state == "open"  # the rest of the work is the task's


def test_a_dissatisfied_order_to_be_reopened_cannot_be_archived(replied, users):
    with at(local(2, 10)):
        order = s.workorder_callback(
            order=replied, actor=users["callback"], satisfaction=Satisfaction.DISSATISFIED
        )
        with pytest.raises(TransitionNotAllowed, match="重开"):
            s.workorder_archive(order=order, actor=users["callback"])


def test_a_type_that_needs_no_callback_is_archived_straight_from_the_reply(users, county, customer):
    from powerdesk.workorders.choices import BusinessType
    from powerdesk.workorders.selectors import transition_refusal
    from tests.workorders.helpers import intake, walk

    assert not CallbackRule.objects.get(business_type=BusinessType.CONSULTATION).needs_callback
    consultation = walk(
        intake(users, customer, business_type=BusinessType.CONSULTATION, topic_code="billing"),
        users,
        county,
        Status.REPLIED,
    )
    assert transition_refusal(consultation, "archive") is None
    archived = s.workorder_archive(order=consultation, actor=users["callback"])
    assert archived.status == Status.ARCHIVED
    assert not archived.clocks.filter(state__in=["running", "paused"]).exists()  # the rest cancelled


def test_a_type_that_needs_a_callback_is_not_archived_before_it(users, county, customer):
    from tests.workorders.helpers import intake, walk

    repair = walk(intake(users, customer), users, county, Status.REPLIED)
    with pytest.raises(TransitionNotAllowed, match="须先回访客户"):
        s.workorder_archive(order=repair, actor=users["callback"])
    rule = CallbackRule.objects.get(business_type=repair.business_type)
    rule.needs_callback = False
    rule.save()  # as the admin saves it: the next archive reads the rule again
    assert s.workorder_archive(order=fresh(repair), actor=users["callback"]).status == Status.ARCHIVED
