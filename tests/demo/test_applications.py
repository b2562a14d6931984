"""The demo's applications: taken in the hall, moved step by step through the services; and the portal
demo customer's own, in different steps, with a 销户 waiting for the hall clerk."""

from __future__ import annotations

import pytest

from powerdesk.applications.models import Application, ApplicationState, DocumentRequest, StepState
from powerdesk.org.models import User
from powerdesk.portal.demo import demo_customer, portal_demo_build
from powerdesk.portal.models import AccountBinding, OwnershipProof, PortalAccount, PortalApplication
from powerdesk.portal.selectors import application_track, hall_proofs_waiting
from tests.demo.conftest import NOW

pytestmark = pytest.mark.django_db


def test_the_demo_has_applications_in_various_steps(small_demo):
    assert small_demo.applications == 7
    applications = Application.objects.select_related("kind", "order").filter(order__channel="hall")
    # the demo's own seven, and the 业务办理 orders its hotline and hall traffic opened at the intake
    assert applications.count() >= 7
    assert applications.filter(state=ApplicationState.COMPLETED).count() == 1
    assert applications.filter(steps__state=StepState.RETURNED).exists()
    assert applications.filter(steps__state=StepState.ACTIVE, steps__side="customer").exists()
    assert DocumentRequest.objects.filter(on_notice=False).exclude(reason="").exists()


def test_the_portal_demo_customer_has_applications_waiting_on_them_and_on_the_hall(small_demo):
    assert small_demo.portal_applications == 2
    customer = demo_customer()
    account = PortalAccount.objects.get(phone=customer.primary_phone)
    assert AccountBinding.objects.filter(account=account, customer=customer).exists()
    mine = {p.application.kind.code: p.application for p in PortalApplication.objects.filter(account=account)}
    assert set(mine) == {"lv_resident", "ev_charger"}
    assert {a.order.channel for a in mine.values()} == {"portal"}
    # the connection waits for the property certificate the station's handler asked the customer for
    track = application_track(mine["lv_resident"].order)
    assert "property_proof" in {d.code for d in track.missing}
    assert DocumentRequest.objects.filter(application=mine["lv_resident"], document__code="property_proof")
    # the charger is at the customer's own step
    assert mine["ev_charger"].steps.get(state=StepState.ACTIVE).template.code == "customer_works"
    # the 销户 waits for the hall clerk of the customer's county
    clerk = User.objects.filter(role__code="agent", is_active=True).order_by("id").first()
    waiting = list(hall_proofs_waiting(clerk))
    assert [(p.customer, p.rule.kind) for p in waiting] == [(customer, "app_close")]
    # the command run again adds nothing
    portal_demo_build(NOW)
    assert PortalApplication.objects.filter(account=account).count() == 2
    assert OwnershipProof.objects.filter(account=account).count() == 1
