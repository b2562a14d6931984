"""挂起 from the order page: the category lists the suspend reasons, marks those that pause the clocks, and
the chosen reason reaches the service, which pauses the clocks only for an accepted one."""

from __future__ import annotations

from django.urls import reverse

from powerdesk.sla.models import ClockState, SuspendReason
from powerdesk.workorders import services as s
from tests.console.conftest import intake


def dispatched_complaint(users, county, customer):
    order = intake(
        users["agent"],
        customer,
        topic_code="communication",
        business_type="complaint",
        description="抢修人员态度差",
    )
    return s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east)


def suspend(client, order, reason_code):
    return client.post(
        reverse("workorders:transition", args=[order.number, "suspend"]),
        {
            "version": order.version,
            "request_id": f"suspend-{reason_code}",
            "reason": "客户出差",
            "reason_code": reason_code,
        },
    )


def test_the_category_lists_the_reasons_and_which_pause_the_clocks(login, users, county, customer):
    order = dispatched_complaint(users, county, customer)
    response = login(users["dispatcher"]).get(reverse("workorders:detail", args=[order.number]))
    form = next(f for f in response.context["transition_forms"] if f.transition.code == "suspend")
    choices = dict(form.fields["reason_code"].choices)
    assert choices["customer_postpone"] == "客户要求延期处理（暂停计时）"
    assert choices["awaiting_materials"] == "等待物资或停电计划"
    assert set(choices) == {"", *SuspendReason.objects.filter(is_active=True).values_list("code", flat=True)}
    assert "客户要求延期处理（暂停计时）" in response.content.decode()


def test_an_accepted_reason_pauses_the_clocks(login, users, county, customer):
    order = dispatched_complaint(users, county, customer)
    assert suspend(login(users["dispatcher"]), order, "customer_postpone").status_code == 302
    order.refresh_from_db()
    assert order.status == "suspended"
    assert set(order.clocks.values_list("state", flat=True)) == {ClockState.PAUSED}
    assert order.events.get(kind="suspend").data["reason_code"] == "customer_postpone"


def test_a_reason_that_does_not_pause_leaves_the_clocks_running(login, users, county, customer):
    order = dispatched_complaint(users, county, customer)
    suspend(login(users["dispatcher"]), order, "awaiting_materials")
    order.refresh_from_db()
    assert order.status == "suspended"
    assert set(order.clocks.values_list("state", flat=True)) == {ClockState.RUNNING}


def test_an_unknown_reason_is_shown_on_the_form_not_applied(login, users, county, customer):
    order = dispatched_complaint(users, county, customer)
    response = suspend(login(users["dispatcher"]), order, "made_up")
    order.refresh_from_db()
    assert response.status_code == 200 and order.status == "dispatched"
    assert response.context["open_code"] == "suspend"
    assert "请选择有效的挂起类别。" in response.content.decode()
