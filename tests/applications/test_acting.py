"""Who may move a step: its role, at the unit of its template's level on the order's unit path (or the
order's unit and those above it when the level is blank). One rule (``services.step_refusal``) for the
service, the console's forms, the API and the dispatcher's view."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from powerdesk.applications import rules
from powerdesk.applications.models import StepState
from powerdesk.applications.services import application_step_complete, step_actors, step_refusal
from powerdesk.core.errors import NotPermitted
from tests.api.conftest import client_for as api_client
from tests.applications.conftest import MONDAY, at, complete, step
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def county_handler(county):
    return UserFactory.with_role("handler", county.county, username="county_handler")


def test_the_rule_picks_the_units_of_the_level_on_the_path_or_the_whole_path_without_one():
    path = [(1, "province"), (2, "county"), (3, "station")]
    assert rules.acting_units("station", path) == [3]
    assert rules.acting_units("county", path) == [2]
    assert rules.acting_units("city", path) == []
    assert rules.acting_units("", path) == [1, 2, 3]


def test_a_station_step_is_the_stations_handlers_not_the_countys(start, users, county_handler):
    application = start("lv_resident")  # 现场勘查: 处理人员 at the 供电所
    survey = step(application, "survey")
    order = application.order
    assert step_refusal(users["handler"], order, survey.template) is None
    refusal = step_refusal(county_handler, order, survey.template)
    assert refusal == "该环节应由东桥供电所（供电所）的人员办理。"
    with time_machine.travel(at(2026, 11, 17), tick=False), pytest.raises(NotPermitted) as refused:
        application_step_complete(step=survey, actor=county_handler, result="已勘查")
    assert "东桥供电所" in refused.value.message
    assert step(application, "survey").state == StepState.ACTIVE


def test_a_county_step_is_the_countys_not_a_stations(start, users, county_handler):
    application = start("hv_single")  # 供电方案答复: 处理人员 at the 县公司
    scheme = step(application, "scheme")
    assert "青溪县供电公司" in step_refusal(users["handler"], application.order, scheme.template)
    complete(scheme, county_handler, at(2026, 11, 17))
    assert application.steps.get(template__code="scheme").state == StepState.DONE


def test_a_step_of_a_level_the_order_has_not_reached_waits_for_dispatch(start, users, county_handler):
    application = start("lv_resident", dispatch=False)  # still at the county: no station on its path
    survey = step(application, "survey")
    actors = step_actors(application.order, survey.template)
    assert actors.units == [] and actors.describe() == "待派至供电所后由处理人员办理"
    refusal = step_refusal(county_handler, application.order, survey.template)
    assert refusal == "该环节应由供电所办理，工单尚未派至供电所。"


def test_a_step_without_a_level_is_done_at_the_orders_unit_or_above(start, users):
    application = start("lv_business")
    complete(step(application, "scheme"), users["handler"], at(2026, 11, 17))
    works = step(application, "customer_works")  # the customer's step: no role, no level
    assert step_refusal(users["agent"], application.order, works.template) is None  # the county
    below = users["west_repair"]  # may annotate, but sits at another station
    assert step_refusal(below, application.order, works.template) is not None  # another station
    complete(works, users["agent"], at(2026, 11, 30))
    assert application.steps.get(template__code="customer_works").state == StepState.DONE


def test_the_console_form_refuses_with_the_reason_in_chinese(start, county_handler):
    application = start("lv_resident")
    survey = step(application, "survey")
    url = reverse("applications:step_complete", args=[application.order.number, survey.pk])
    answer = console(county_handler).post(url, {"result": "已勘查"})
    assert answer.status_code == 403
    assert "该环节应由东桥供电所（供电所）的人员办理。" in answer.content.decode()
    page = console(county_handler).get(reverse("workorders:detail", args=[application.order.number]))
    html = page.content.decode()
    assert "「现场勘查」办理人：东桥供电所 · 处理人员" in html and url not in html


def test_the_api_refuses_with_a_403_error_body(start, county_handler):
    application = start("lv_resident")
    survey = step(application, "survey")
    with time_machine.travel(MONDAY, tick=False):
        answer = api_client(county_handler).post(
            reverse("api-v1-application-step-complete", args=[application.order.number, survey.pk]),
            {"result": "已勘查"},
            format="json",
        )
    assert answer.status_code == 403
    error = answer.json()["error"]
    assert error["code"] == "permission_denied" and "东桥供电所" in error["message"]
    assert step(application, "survey").state == StepState.ACTIVE


def test_the_dispatchers_view_shows_who_may_act(start, users):
    start("lv_resident")
    start("lv_resident", dispatch=False)
    html = console(users["dispatcher"]).get(reverse("applications:steps")).content.decode()
    assert "东桥供电所 · 处理人员" in html
    assert "待派至供电所后由处理人员办理" in html
