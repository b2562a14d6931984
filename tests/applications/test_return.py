"""A step sent back to an earlier one, with a reason: the running group returned, the target group run
again (a new round, new clocks); only an earlier step; only the step's role."""

from __future__ import annotations

import pytest
import time_machine

from powerdesk.applications.models import Application, ReturnReason, StepState, StepTemplate
from powerdesk.applications.services import application_step_complete, application_step_return
from powerdesk.core.errors import NotPermitted, ValidationFailed, VersionConflict
from powerdesk.sla.models import Clock, ClockState
from powerdesk.workorders.models import WorkOrderEvent
from tests.applications.conftest import active_codes, at, complete, step
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def other() -> ReturnReason:
    return ReturnReason.objects.get(code="other")


@pytest.fixture
def users(users, county):
    """The 高压 steps are the county company's (unit level 县公司): its 处理人员 sits there."""
    return {**users, "handler": UserFactory.with_role("handler", county.county, username="county_handler")}


def to_inspection(start, users) -> Application:
    application = start("hv_single", when=at(2026, 11, 2))
    complete(step(application, "scheme"), users["handler"], at(2026, 11, 3))
    complete(step(application, "design_review"), users["handler"], at(2026, 11, 4))
    assert active_codes(application) == ["customer_works", "midway_check"]
    complete(step(application, "customer_works"), users["agent"], at(2026, 11, 20))
    return application


def test_the_optional_step_nobody_did_is_skipped_when_its_group_is_done(start, users):
    application = to_inspection(start, users)
    midway = application.steps.get(template__code="midway_check")
    assert midway.state == StepState.SKIPPED
    assert Clock.objects.get(pk=midway.clock_id).state == ClockState.CANCELLED
    assert active_codes(application) == ["inspect"]


def test_inspection_sends_the_works_back_to_the_customer_with_a_reason(start, users):
    application = to_inspection(start, users)
    inspect = step(application, "inspect")
    target = StepTemplate.objects.get(kind=application.kind, code="customer_works")
    with time_machine.travel(at(2026, 11, 23), tick=False):
        started = application_step_return(
            step=inspect,
            actor=users["handler"],
            to_template=target,
            reason=ReturnReason.objects.get(code="inspection"),
            note="接地电阻不合格，需整改",
        )
    inspect.refresh_from_db()
    assert inspect.state == StepState.RETURNED and inspect.result == "接地电阻不合格，需整改"
    assert inspect.return_reason.code == "inspection"
    assert Clock.objects.get(pk=inspect.clock_id).state == ClockState.CANCELLED
    assert sorted(s.template.code for s in started) == ["customer_works", "midway_check"]
    assert {s.round for s in started} == {2}
    assert Clock.objects.get(pk=application.process_clock_id).state == ClockState.PAUSED
    event = WorkOrderEvent.objects.get(order=application.order, kind="app_step_returned")
    assert event.data["to_step"] == "customer_works" and event.note == "接地电阻不合格，需整改"
    assert event.data["reason"] == "inspection"


def test_a_step_cannot_be_sent_forward_or_without_a_reason(start, users):
    application = to_inspection(start, users)
    inspect = step(application, "inspect")
    later = StepTemplate.objects.get(kind=application.kind, code="connect")
    earlier = StepTemplate.objects.get(kind=application.kind, code="scheme")
    with pytest.raises(ValidationFailed) as forward:
        application_step_return(step=inspect, actor=users["handler"], to_template=later, reason=other())
    assert "to_step" in forward.value.fields
    with pytest.raises(ValidationFailed) as blank:
        application_step_return(step=inspect, actor=users["handler"], to_template=earlier, reason=None)
    assert "reason" in blank.value.fields
    retired = other()
    retired.is_active = False
    with pytest.raises(ValidationFailed) as inactive:
        application_step_return(step=inspect, actor=users["handler"], to_template=earlier, reason=retired)
    assert "reason" in inactive.value.fields


def test_only_the_steps_role_moves_it(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")  # a 处理人员's step
    with pytest.raises(NotPermitted):
        application_step_complete(step=survey, actor=users["repair"], result="已勘查")


def test_a_stale_version_is_refused(start, users):
    application = start("lv_resident")
    survey = step(application, "survey")
    stale = application.order.version - 1
    with pytest.raises(VersionConflict):
        application_step_complete(
            step=survey, actor=users["handler"], result="已勘查", expected_version=stale
        )


def test_a_group_run_again_counts_only_its_new_round(start, users):
    application = to_inspection(start, users)
    complete(step(application, "inspect"), users["handler"], at(2026, 11, 23))
    assert sorted(active_codes(application)) == ["connect", "contract"]
    complete(step(application, "connect"), users["manager"], at(2026, 11, 24))
    with time_machine.travel(at(2026, 11, 25), tick=False):
        application_step_return(
            step=step(application, "contract"),
            actor=users["handler"],
            to_template=StepTemplate.objects.get(kind=application.kind, code="inspect"),
            reason=other(),
            note="合同附件缺竣工图，需复验",
        )
    complete(step(application, "inspect"), users["handler"], at(2026, 11, 26))
    assert sorted(active_codes(application)) == ["connect", "contract"]
    complete(step(application, "contract"), users["handler"], at(2026, 11, 27))
    # the connection done in the first round does not count: the group waits for this round's
    application = Application.objects.get(pk=application.pk)
    assert application.state == "active" and active_codes(application) == ["connect"]
    assert step(application, "connect").round == 2
