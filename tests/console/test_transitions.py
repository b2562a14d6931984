"""Transitions from the order page: one form per allowed transition, applied through the services, with
version conflicts, refusals and field errors shown to the user instead of applied or crashing."""

from __future__ import annotations

from django.urls import reverse

from powerdesk.workorders import services as s
from powerdesk.workorders.models import WorkOrder


def post(client, order, code, data, **extra):
    url = reverse("workorders:transition", args=[order.number, code])
    return client.post(url, {"version": order.version, "request_id": f"req-{code}", **data}, **extra)


def test_the_order_page_offers_the_transitions_of_the_users_role(login, users, order):
    dispatcher = login(users["dispatcher"]).get(reverse("workorders:detail", args=[order.number]))
    codes = [f.transition.code for f in dispatcher.context["transition_forms"]]
    assert "dispatch" in codes and "take" not in codes and "answer" not in codes
    body = dispatcher.content.decode()
    assert "派往单位" in body and f'value="{order.version}"' in body


def test_unit_and_staff_choices_are_limited_to_what_the_user_may_see(login, users, county, east_order):
    from tests.factories import UserFactory

    east_dispatcher = UserFactory.with_role("dispatcher", county.east)
    response = login(east_dispatcher).get(reverse("workorders:detail", args=[east_order.number]))
    form = next(f for f in response.context["transition_forms"] if f.transition.code == "transfer")
    assert set(form.fields["unit"].queryset) == {county.east}  # no 台区, no other station, not the county

    response = login(users["dispatcher"]).get(reverse("workorders:detail", args=[east_order.number]))
    form = next(f for f in response.context["transition_forms"] if f.transition.code == "transfer")
    assert {county.county, county.east, county.west} <= set(form.fields["unit"].queryset)
    assert county.east_area not in set(form.fields["unit"].queryset)


def test_the_assignee_choices_are_staff_of_visible_units(login, users, county, order):
    from tests.factories import UserFactory

    east_dispatcher = UserFactory.with_role("dispatcher", county.east)
    order.unit = county.east
    order.save(update_fields=["unit"])
    response = login(east_dispatcher).get(reverse("workorders:detail", args=[order.number]))
    form = next(f for f in response.context["transition_forms"] if f.transition.code == "dispatch")
    staff = set(form.fields["assignee"].queryset)
    assert users["repair"] in staff and users["west_repair"] not in staff and users["agent"] not in staff


def test_a_dispatch_posted_from_the_form_moves_the_order(login, users, county, order):
    response = post(
        login(users["dispatcher"]), order, "dispatch", {"unit": county.east.pk, "note": "请尽快"}, follow=True
    )
    order.refresh_from_db()
    assert order.status == "dispatched" and order.unit == county.east and order.version == 2
    body = response.content.decode()
    assert "已执行“派单”。" in body and "已派单" in body and "请尽快" in body


def test_a_stale_version_shows_the_conflict_and_changes_nothing(login, users, county, order):
    client = login(users["dispatcher"])
    stale = order.version
    s.workorder_escalate(order=order, actor=users["manager"], reason="客户情绪激动")
    order.refresh_from_db()
    response = client.post(
        reverse("workorders:transition", args=[order.number, "dispatch"]),
        {"version": stale, "request_id": "req-stale", "unit": county.east.pk},
        follow=True,
    )
    assert "工单已被他人修改，请刷新后重试" in response.content.decode()
    after = WorkOrder.objects.get(pk=order.pk)
    assert after.status == "accepted" and after.unit == county.county and after.version == order.version


def test_a_transition_the_state_no_longer_allows_shows_the_reason(login, users, order):
    response = post(login(users["dispatcher"]), order, "resume", {}, follow=True)
    assert response.status_code == 200
    assert "不能执行“恢复”" in response.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).version == order.version


def test_missing_fields_are_shown_in_chinese_beside_the_field(login, users, order):
    response = post(login(users["manager"]), order, "escalate", {"reason": ""})
    assert response.status_code == 200
    assert response.context["open_code"] == "escalate"
    assert "请填写“原因”。" in response.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).escalation_level == 0


def test_a_service_validation_error_lands_on_its_field(login, users, county, east_order):
    response = post(
        login(users["dispatcher"]), east_order, "transfer", {"unit": county.east.pk, "reason": "试试"}
    )
    form = next(f for f in response.context["transition_forms"] if f.transition.code == "transfer")
    assert form.errors["unit"] == ["请选择其他单位。"]
    assert WorkOrder.objects.get(pk=east_order.pk).version == east_order.version


def test_merge_resolves_the_parent_by_number_among_visible_orders(login, users, customer, order):
    from tests.console.conftest import intake

    other = intake(
        users["agent"], customer, topic_code="billing", business_type="consultation", description="问电费"
    )
    client = login(users["agent"])
    missing = post(client, other, "merge", {"parent": "99999999"})
    assert "找不到该工单。" in missing.content.decode()
    post(client, other, "merge", {"parent": order.number})
    other.refresh_from_db()
    assert other.status == "merged" and other.parent == order


def test_resubmitting_the_same_form_applies_the_transition_once(login, users, order):
    client = login(users["manager"])
    post(client, order, "chase", {"note": "客户再次来电催促"})
    post(client, order, "chase", {"note": "客户再次来电催促"})
    assert WorkOrder.objects.get(pk=order.pk).chase_count == 1


def test_htmx_gets_the_form_back_with_errors_and_a_client_redirect_on_success(login, users, order):
    client = login(users["manager"])
    bad = post(client, order, "escalate", {"reason": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "<html" not in bad.content.decode()
    assert "请填写“原因”。" in bad.content.decode()
    good = post(client, order, "escalate", {"reason": "媒体关注"}, HTTP_HX_REQUEST="true")
    assert good["HX-Redirect"] == reverse("workorders:detail", args=[order.number])
    assert WorkOrder.objects.get(pk=order.pk).escalation_level == 1


def test_the_whole_repair_path_can_be_driven_from_the_console(login, users, county, order):
    steps = [
        ("dispatcher", "dispatch", {"unit": county.east.pk}),
        ("repair", "take", {}),
        ("repair", "arrive", {}),
        ("repair", "resolve", {"result": "更换表前熔丝"}),
        ("repair", "reply", {"reply_text": "已恢复供电"}),
        ("callback", "callback", {"satisfaction": "satisfied", "resolved": "on"}),
        ("callback", "archive", {}),
    ]
    for role, code, data in steps:
        order.refresh_from_db()
        response = post(login(users[role]), order, code, data)
        assert response.status_code == 302, (code, response.content.decode()[:2000])
    order.refresh_from_db()
    assert order.status == "archived" and order.callback_resolved is True
    body = login(users["manager"]).get(reverse("workorders:detail", args=[order.number])).content.decode()
    for label in ("派单", "接单", "到达现场", "处理完成", "回单", "回访", "归档", "东桥供电所"):
        assert label in body


def test_odd_form_values_are_form_errors_not_500s(login, users, order):
    client = login(users["dispatcher"])
    url = reverse("workorders:transition", args=[order.number, "dispatch"])
    for data in (
        {"version": "abc", "request_id": "r", "unit": "1"},
        {"version": order.version, "request_id": "r", "unit": "99999999999999999999999"},
        {"version": order.version, "request_id": "r" * 500, "unit": "1"},
        {"version": "99999999999999999999999", "request_id": "r2", "unit": "1"},
    ):
        response = client.post(url, data)
        assert response.status_code in (200, 302), data
    assert WorkOrder.objects.get(pk=order.pk).status == "accepted"
