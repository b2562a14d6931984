"""The customer follows an order in their own terms and may withdraw it while nobody has started."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from powerdesk.portal.models import ReportKind
from powerdesk.sla.models import ClockState
from powerdesk.workorders import services as s
from powerdesk.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(portal, customer) -> WorkOrder:
    portal.post(
        reverse("portal:report"),
        {
            "customer": customer.account_no,
            "kind": ReportKind.objects.get(code="fault").pk,
            "description": "楼道灯和家里都没电",
            "submission": str(uuid.uuid4()),
        },
    )
    return WorkOrder.objects.get()


def _work_it(order: WorkOrder, users, county) -> WorkOrder:
    if order.status == "accepted":
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
    order = s.workorder_note_add(
        order=order, actor=users["dispatcher"], text="内部：客户上次投诉过，注意态度"
    )
    order = s.workorder_take(order=order, actor=users["repair"])
    order = s.workorder_arrive(order=order, actor=users["repair"])
    order = s.workorder_resolve(order=order, actor=users["repair"], result="更换了表箱熔断器")
    return s.workorder_reply(
        order=order, actor=users["repair"], reply_text="已修复表箱熔断器，现已恢复供电。"
    )


def test_the_track_page_shows_what_happened_next_and_by_when(portal, reported):
    page = portal.get(reverse("portal:order", args=[reported.number])).content.decode()
    assert "您的诉求已受理" in page
    assert "承诺时间" in page  # the repair clocks' next due time
    assert "李台区" in page and "13900000000" in page  # the 台区经理 of the account's area


def test_the_customer_reads_the_reply_and_not_the_internal_note(portal, reported, users, county):
    order = _work_it(reported, users, county)
    page = portal.get(reverse("portal:order", args=[order.number])).content.decode()
    assert "已修复表箱熔断器，现已恢复供电。" in page
    assert "工作人员已到达现场" in page
    assert "客户上次投诉过" not in page
    assert "撤销" not in page  # started: no longer the customer's to withdraw


def test_the_customer_cancels_a_request_nobody_started(portal, reported):
    answer = portal.post(reverse("portal:cancel", args=[reported.number]), {"reason": "已经自己恢复了"})
    assert answer.status_code == 302
    order = WorkOrder.objects.get()
    assert order.status == "archived" and order.closed_at is not None
    event = order.events.latest("at", "id")
    assert (event.kind, event.note, event.actor.full_name) == (
        "customer_cancel",
        "已经自己恢复了",
        "网上营业厅",
    )
    assert not order.clocks.exclude(state__in=[ClockState.CANCELLED, ClockState.MET]).exists()
    assert "您已撤销此诉求" in portal.get(reverse("portal:order", args=[order.number])).content.decode()


def test_a_request_someone_took_cannot_be_cancelled(portal, reported, users, county):
    order = reported
    if order.status == "accepted":
        order = s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)
    s.workorder_take(order=order, actor=users["repair"])
    answer = portal.post(reverse("portal:cancel", args=[order.number]))
    assert answer.status_code == 409
    assert WorkOrder.objects.get().status == "in_progress"


def test_no_staff_role_may_cancel_for_the_customer(users, reported):
    from powerdesk.core.errors import NotPermitted

    with pytest.raises(NotPermitted):
        s.workorder_cancel_by_customer(order=reported, actor=users["manager"])


def _application(customer, users, county):
    from powerdesk.applications.models import ApplicationKind
    from powerdesk.applications.services import application_start

    application = application_start(
        actor=users["agent"],
        kind=ApplicationKind.objects.get(code="lv_resident"),
        customer=customer,
        channel="hall",
        notice_channel="printed",
    )
    s.workorder_dispatch(order=application.order, actor=users["dispatcher"], unit=county.east)
    return application


def test_an_application_with_a_step_done_offers_no_cancel_and_refuses_one(portal, customer, users, county):
    from powerdesk.applications.models import StepState
    from powerdesk.applications.services import application_step_complete

    application = _application(customer, users, county)
    number = application.order.number
    page = reverse("portal:order", args=[number])
    assert reverse("portal:cancel", args=[number]) in portal.get(page).content.decode()
    survey = application.steps.get(template__code="survey", state=StepState.ACTIVE)
    application_step_complete(
        step=survey, actor=users["handler"], result="具备接电条件", document_reason="客户已当面出示原件"
    )
    assert reverse("portal:cancel", args=[number]) not in portal.get(page).content.decode()
    answer = portal.post(reverse("portal:cancel", args=[number]))
    assert answer.status_code == 409
    assert WorkOrder.objects.get(number=number).status == "dispatched"


def test_a_cancelled_application_shows_its_steps_ended(portal, customer, users, county):
    from powerdesk.applications.models import StepState

    application = _application(customer, users, county)
    answer = portal.post(reverse("portal:cancel", args=[application.order.number]), {"reason": "暂不装了"})
    assert answer.status_code == 302
    assert list(application.steps.values_list("state", flat=True)) == [StepState.WITHDRAWN]
    page = portal.get(reverse("portal:order", args=[application.order.number])).content.decode()
    assert "已终止" in page
