"""Routing rules (派单规则, data): the suggested unit is the 供电所 of the customer's 台区, the suggested
handler the least-loaded of its field staff; the dispatch form, the order page and the API offer it, and
a fault repair whose rule says so is dispatched at intake by the system account."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse

from powerdesk.core.errors import ValidationFailed
from powerdesk.workorders import services as s
from powerdesk.workorders.choices import Status
from powerdesk.workorders.models import RoutingRule, RoutingTarget
from powerdesk.workorders.routing import dispatch_suggestion
from tests.api.conftest import client_for
from tests.factories import CustomerFactory, UnitFactory, UserFactory
from tests.workorders.helpers import events_of, fresh, intake, walk

pytestmark = pytest.mark.django_db


def fault_rule() -> RoutingRule:
    return RoutingRule.objects.get(business_type="repair", topic__code="fault_repair")


def test_routing_picks_the_station_of_the_customers_area(users, customer, west_customer, county):
    order = intake(users, customer)
    assert order.unit == county.county  # taken at the county: the dispatcher decides where it goes
    assert dispatch_suggestion(order).unit == county.east
    assert dispatch_suggestion(intake(users, west_customer)).unit == county.west


def test_a_rule_naming_a_unit_sends_the_order_there(users, customer, county):
    team = UnitFactory(code="C1-T", name="城区抢修班", kind="team", parent=county.county)
    RoutingRule.objects.create(
        sort_order=1, business_type="complaint", target=RoutingTarget.UNIT, target_unit_code=team.code
    )
    order = intake(users, customer, business_type="complaint", topic_code="communication")
    assert dispatch_suggestion(order).unit == team


def test_no_rule_no_suggestion(users, customer):
    order = intake(users, customer, business_type="complaint", topic_code="communication")
    assert dispatch_suggestion(order) is None


def test_the_suggested_handler_is_the_least_loaded_field_staff_of_the_unit(users, customer, county):
    busy = walk(intake(users, customer), users, county, Status.IN_PROGRESS)  # taken by users["repair"]
    assert busy.assignee == users["repair"]
    suggestion = dispatch_suggestion(intake(users, customer, topic_code="power_quality"))
    staff = {u.username: u.open_load for u in suggestion.staff}
    # East's repair crew and handler; not the west crew, not the county's agents, dispatchers, admins.
    assert staff == {"repair": 1, "handler": 0}
    assert suggestion.assignee == users["handler"]


def test_the_dispatch_form_offers_only_the_target_units_field_staff_with_their_load(
    client, users, customer, county
):
    walk(intake(users, customer), users, county, Status.IN_PROGRESS)
    order = intake(users, customer, topic_code="power_quality")
    client.force_login(users["dispatcher"])
    body = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    form = body[body.index('id="id_dispatch_unit"') :]
    form = form[: form.index("</form>")]
    assert f'<option value="{county.east.pk}" selected>' in form
    assignee = form[form.index('id="id_dispatch_assignee"') :]
    assert f'<option value="{users["handler"].pk}" selected>' in assignee
    assert "在办 1" in assignee and "在办 0" in assignee
    for other in ("agent", "dispatcher", "callback", "manager", "west_repair"):
        assert f'value="{users[other].pk}"' not in assignee, other


def test_changing_the_unit_reloads_that_units_field_staff(client, users, customer, county):
    order = intake(users, customer)
    client.force_login(users["dispatcher"])
    url = reverse("workorders:dispatch_staff", args=[order.number])
    body = client.get(url, {"unit": county.west.pk}, headers={"HX-Request": "true"}).content.decode()
    assert f'value="{users["west_repair"].pk}"' in body
    assert f'value="{users["repair"].pk}"' not in body


def test_a_dispatcher_accepts_the_suggestion_with_one_click(client, users, customer, county):
    order = intake(users, customer)
    client.force_login(users["dispatcher"])
    body = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    panel = body[body.index('data-testid="dispatch-suggestion"') :]
    panel = panel[: panel.index("</form>")]
    assert "东桥供电所" in panel
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', panel))
    response = client.post(reverse("workorders:transition", args=[order.number, "dispatch"]), fields)
    assert response.status_code == 302
    order = fresh(order)
    assert order.status == Status.DISPATCHED and order.unit == county.east
    assert order.assignee in (users["repair"], users["handler"])


def test_the_api_answers_the_suggestion(users, customer, county):
    order = intake(users, customer)
    response = client_for(users["dispatcher"]).get(f"/api/v1/workorders/{order.number}/dispatch-suggestion/")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["unit"] == county.east.code and data["unit_id"] == county.east.pk
    assert {c["username"] for c in data["staff"]} == {"repair", "handler"}
    assert data["auto_dispatch"] is False


def test_a_fault_repair_is_dispatched_by_the_system_when_its_rule_says_so(users, customer, county):
    RoutingRule.objects.filter(pk=fault_rule().pk).update(auto_dispatch=True)
    order = intake(users, customer)
    assert order.status == Status.DISPATCHED and order.unit == county.east
    assert order.assignee in (users["repair"], users["handler"])
    created, dispatch = events_of(order)
    assert (created.kind, created.actor) == ("created", users["agent"])
    assert dispatch.kind == "dispatch" and dispatch.actor.username == "system"
    assert not dispatch.actor.is_active and not dispatch.actor.has_usable_password()


def test_without_the_rules_word_a_fault_repair_waits_for_the_dispatcher(users, customer):
    assert intake(users, customer).status == Status.ACCEPTED


def test_an_important_customers_repair_is_never_dispatched_by_itself(users, county):
    RoutingRule.objects.filter(pk=fault_rule().pk).update(auto_dispatch=True)
    hospital = CustomerFactory(area=county.east_area, customer_type="important")
    life_support = CustomerFactory(area=county.east_area, is_life_support=True)
    for customer in (hospital, life_support):
        order = intake(users, customer)
        assert order.status == Status.ACCEPTED
        assert dispatch_suggestion(order).unit == county.east


def test_only_fault_repair_rules_may_dispatch_by_themselves(county):
    rule = RoutingRule(business_type="complaint", auto_dispatch=True)
    with pytest.raises(DjangoValidationError) as refused:
        rule.full_clean()
    assert "auto_dispatch" in refused.value.message_dict


def test_the_assignee_must_still_belong_to_the_unit(users, customer, county):
    other = UserFactory.with_role("repair", county.west, username="w2")
    order = intake(users, customer)
    with pytest.raises(ValidationFailed):
        s.workorder_dispatch(order=order, actor=users["dispatcher"], unit=county.east, assignee=other)


def test_only_those_who_may_dispatch_get_the_staff_of_a_unit(client, users, customer, west_customer, county):
    order = intake(users, customer)
    url = reverse("workorders:dispatch_staff", args=[order.number])
    assert client.get(url, {"unit": county.east.pk}).status_code == 302  # to the login page
    client.force_login(users["callback"])
    assert client.get(url, {"unit": county.east.pk}).status_code == 403
    client.force_login(users["west_repair"])  # another unit's order: not found
    assert client.get(url, {"unit": county.east.pk}).status_code == 404
    client.force_login(users["dispatcher"])
    assert client.get(url, {"unit": "not-a-unit"}).status_code == 200  # no unit: no staff, no error
