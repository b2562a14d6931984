"""The labels of an order's status and business type (list pages show them 50 rows at a time)."""

from __future__ import annotations

from django.utils import translation

from powerdesk.workorders.choices import BusinessType, Status
from powerdesk.workorders.models import WorkOrder


def test_the_labels_are_the_choices_labels_in_the_active_language():
    order = WorkOrder(status=Status.ON_SITE, business_type=BusinessType.REPAIR)

    assert order.get_status_display() == str(Status.ON_SITE.label)
    assert order.get_business_type_display() == str(BusinessType.REPAIR.label)
    with translation.override("en"):
        assert order.get_status_display() == "On site"
        assert order.get_business_type_display() == "Fault repair"


def test_a_value_outside_the_choices_is_shown_as_stored():
    order = WorkOrder(status="retired", business_type="legacy")

    assert (order.get_status_display(), order.get_business_type_display()) == ("retired", "legacy")
