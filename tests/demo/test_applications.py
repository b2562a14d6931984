"""The demo's applications: taken in the hall, moved step by step through the services."""

from __future__ import annotations

import pytest

from powerdesk.applications.models import Application, ApplicationState, DocumentRequest, StepState

pytestmark = pytest.mark.django_db


def test_the_demo_has_applications_in_various_steps(small_demo):
    assert small_demo.applications == 7
    applications = Application.objects.select_related("kind", "order")
    assert {a.order.channel for a in applications} == {"hall"}
    assert applications.filter(state=ApplicationState.COMPLETED).count() == 1
    assert Application.objects.filter(steps__state=StepState.RETURNED).exists()
    assert Application.objects.filter(steps__state=StepState.ACTIVE, steps__side="customer").exists()
    assert DocumentRequest.objects.filter(on_notice=False).exclude(reason="").exists()
