"""A wrongly taken kind put right by the dispatcher or the manager, with a reason, once a step is done:
the running steps end, the done steps the new kind also has keep their record and count, the others are
listed on the timeline, the next group starts with new clocks, the whole-process clock is re-timed on the
new kind's limit; one event; nobody else may; in the console and the API."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from powerdesk.applications.models import Application, ApplicationKind, StepState
from powerdesk.applications.services import application_kind_change
from powerdesk.core import workdays
from powerdesk.core.errors import NotPermitted, TransitionNotAllowed, ValidationFailed, VersionConflict
from powerdesk.notify.models import Notification
from powerdesk.sla.models import Clock, ClockState
from powerdesk.workorders.models import WorkOrderEvent
from tests.api.conftest import client_for, error
from tests.applications.conftest import active, active_codes, at, complete, step
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def kind(code: str) -> ApplicationKind:
    return ApplicationKind.objects.get(code=code)


def change(
    application: Application, actor, code: str, when, reason: str = "客户实为过户，受理时选错类别", **kw
):
    with time_machine.travel(when, tick=False):
        return application_kind_change(
            application=application, actor=actor, kind=kind(code), reason=reason, **kw
        )


def reload(application: Application) -> Application:
    return Application.objects.select_related("kind", "process_clock", "order").get(pk=application.pk)


@pytest.fixture
def renamed(start, users) -> Application:
    """A 更名 whose 资料审核 is done and 营销系统变更 runs: it is in fact a 过户."""
    application = start("rename", when=at(2026, 11, 16))
    complete(step(application, "verify"), users["handler"], at(2026, 11, 17))
    assert active_codes(application) == ["change"]
    application.order.refresh_from_db()  # as the page or the client read it
    return application


def test_the_done_step_the_new_kind_has_keeps_its_record_and_the_next_group_starts(renamed, users):
    verify = renamed.steps.get(template__code="verify")
    running = step(renamed, "change")
    changed = reload(change(renamed, users["dispatcher"], "transfer", at(2026, 11, 18)))
    assert changed.kind.code == "transfer" and changed.state == "active"
    verify.refresh_from_db()
    # the record kept — who, when, the result — on the new kind's step of the same code
    assert verify.state == StepState.DONE and verify.template.kind.code == "transfer"
    assert verify.done_by == users["handler"] and verify.result == "已办理"
    running.refresh_from_db()
    assert running.state == StepState.WITHDRAWN and running.template.kind.code == "rename"
    assert Clock.objects.get(pk=running.clock_id).state == ClockState.CANCELLED
    # 结清电费 is the customer's: it starts, and the whole process pauses while it runs
    assert active_codes(changed) == ["settle"]
    assert changed.process_clock.state == ClockState.PAUSED
    assert changed.notice_documents == ["id_card", "property_proof", "transfer_consent", "settlement_proof"]
    order = changed.order
    order.refresh_from_db()
    assert order.sub_type.code == "app_transfer" and order.version == renamed.order.version + 1
    [event] = WorkOrderEvent.objects.filter(order=order, kind="app_kind_changed")
    assert event.note == "客户实为过户，受理时选错类别" and event.actor == users["dispatcher"]
    assert event.data["from_kind"] == "rename" and event.data["kind"] == "transfer"
    assert (
        event.data["kept"] == ["verify"] and event.data["ended"] == ["change"] and event.data["dropped"] == []
    )
    assert [s["step"] for s in event.data["started"]] == ["settle"]
    assert Notification.objects.filter(dedupe_key=f"application:step:{step(changed, 'settle').pk}").exists()
    # and it goes on to its end on the new kind
    complete(step(changed, "settle"), users["agent"], at(2026, 11, 19))
    complete(step(changed, "change"), users["handler"], at(2026, 11, 20))
    assert reload(changed).state == "completed"


def test_a_done_step_the_new_kind_lacks_is_on_the_timeline_and_its_clock_retimed(
    start, users, business_customer
):
    application = start("lv_resident", cust=business_customer, when=at(2026, 11, 16))
    complete(step(application, "survey"), users["handler"], at(2026, 11, 17))
    changed = reload(
        change(application, users["manager"], "lv_business", at(2026, 11, 18), reason="客户为商铺")
    )
    assert active_codes(changed) == ["scheme"]
    event = WorkOrderEvent.objects.get(order=changed.order, kind="app_kind_changed")
    assert event.data["dropped"] == ["survey"] and event.data["kept"] == []
    # the whole process on 低压非居民新装's 6 working days from the acceptance, not from now
    expected = workdays.add_working_days(at(2026, 11, 16), 6, workdays.is_workday)
    assert changed.process_clock.due_at == expected
    [scheme] = active(changed)
    assert scheme.due_at == workdays.add_working_days(at(2026, 11, 18), 2, workdays.is_workday)
    page = Client()
    page.force_login(users["manager"])
    html = page.get(reverse("workorders:detail", args=[changed.order.number])).content.decode()
    assert "类别：低压居民新装 → 低压非居民新装" in html and "新类别没有的已完成环节：现场勘查" in html


def test_a_group_half_done_goes_on_with_the_step_done(start, users, county):
    """High voltage: 装表接电 done, 签订合同 running; as 高压双电源 the contract alone starts, in the same
    round as the connection done, so the application completes when it is done."""
    handler = UserFactory.with_role("handler", county.county, username="county_handler")
    application = start("hv_single", when=at(2026, 11, 2))
    complete(step(application, "scheme"), handler, at(2026, 11, 3))
    complete(step(application, "design_review"), handler, at(2026, 11, 4))
    complete(step(application, "customer_works"), users["agent"], at(2026, 11, 5))
    complete(step(application, "inspect"), handler, at(2026, 11, 6))
    complete(step(application, "connect"), users["manager"], at(2026, 11, 9))
    changed = reload(change(application, users["manager"], "hv_dual", at(2026, 11, 10), reason="双电源"))
    assert active_codes(changed) == ["contract"]
    event = WorkOrderEvent.objects.get(order=changed.order, kind="app_kind_changed")
    assert set(event.data["kept"]) == {"scheme", "design_review", "customer_works", "inspect", "connect"}
    complete(step(changed, "contract"), users["manager"], at(2026, 11, 11))
    assert reload(changed).state == "completed"


def test_only_the_dispatcher_or_the_manager_may_and_with_a_reason(renamed, users):
    for who in ("handler", "agent", "repair"):
        with pytest.raises(NotPermitted):
            change(renamed, users[who], "transfer", at(2026, 11, 18))
    with pytest.raises(ValidationFailed) as blank:
        change(renamed, users["dispatcher"], "transfer", at(2026, 11, 18), reason="  ")
    assert "reason" in blank.value.fields
    with pytest.raises(ValidationFailed) as same:
        change(renamed, users["dispatcher"], "rename", at(2026, 11, 18))
    assert "kind" in same.value.fields
    with pytest.raises(VersionConflict):
        change(renamed, users["dispatcher"], "transfer", at(2026, 11, 18), expected_version=1)
    assert reload(renamed).kind.code == "rename"
    assert not WorkOrderEvent.objects.filter(kind="app_kind_changed").exists()


def test_a_completed_application_is_not_changed(start, users):
    application = start("rename", when=at(2026, 11, 16))
    complete(step(application, "verify"), users["handler"], at(2026, 11, 17))
    complete(step(application, "change"), users["handler"], at(2026, 11, 17, 11))
    with pytest.raises(TransitionNotAllowed):
        change(application, users["dispatcher"], "transfer", at(2026, 11, 18))


def test_the_console_form_is_the_dispatchers(renamed, users):
    url = reverse("workorders:detail", args=[renamed.order.number])
    dispatcher = Client()
    dispatcher.force_login(users["dispatcher"])
    assert 'id="application-kind-change"' in dispatcher.get(url).content.decode()
    handler = Client()
    handler.force_login(users["handler"])
    assert 'id="application-kind-change"' not in handler.get(url).content.decode()
    post = reverse("applications:kind_change", args=[renamed.order.number])
    body = {"kind": kind("transfer").pk, "reason": "实为过户", "version": renamed.order.version}
    assert handler.post(post, body).status_code == 403
    with time_machine.travel(at(2026, 11, 18), tick=False):
        answer = dispatcher.post(post, body)
    assert answer.status_code == 302
    assert reload(renamed).kind.code == "transfer"
    again = dispatcher.post(post, {"kind": kind("close").pk, "reason": ""}, follow=True)
    assert "请填写更正的原因。" in again.content.decode()


def test_the_api_changes_the_kind_version_checked(renamed, users):
    url = reverse("api-v1-application-kind-change", args=[renamed.order.number])
    refused = client_for(users["handler"]).post(url, {"kind": "transfer", "reason": "x"}, format="json")
    assert refused.status_code == 403 and error(refused)["code"]
    unknown = client_for(users["dispatcher"]).post(url, {"kind": "nope", "reason": "x"}, format="json")
    assert unknown.status_code == 400 and "kind" in error(unknown)["fields"]
    stale = client_for(users["dispatcher"]).post(
        url, {"kind": "transfer", "reason": "x"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 409
    with time_machine.travel(at(2026, 11, 18), tick=False):
        answer = client_for(users["dispatcher"]).post(
            url, {"kind": "transfer", "reason": "实为过户", "version": renamed.order.version}, format="json"
        )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["kind"] == "transfer" and [s["code"] for s in body["steps"] if s["state"] == "active"] == [
        "settle"
    ]
