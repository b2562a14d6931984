"""Apps above workorders add filters and sort keys to the order list with ``register_filter`` and
``register_sort``: they reach the form, the queryset and the API's parameters; the list's own names
cannot be taken over."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from powerdesk.workorders import filters
from powerdesk.workorders.filters import (
    FlagFilter,
    OrderFilterSet,
    order_list,
    register_filter,
    register_sort,
)
from powerdesk.workorders.models import WorkOrder
from tests.console.conftest import intake


@pytest.fixture
def registry():
    """Put the list's registry back as it was (the SLA app's registrations) after the test."""
    base, declared = dict(OrderFilterSet.base_filters), dict(OrderFilterSet.declared_filters)
    registered, sorts = dict(filters._registered), dict(filters.SORTS)
    sort_choices = OrderFilterSet.base_filters["sort"].extra["choices"]
    yield
    for target, saved in (
        (OrderFilterSet.base_filters, base),
        (OrderFilterSet.declared_filters, declared),
        (filters._registered, registered),
        (filters.SORTS, sorts),
    ):
        target.clear()
        target.update(saved)
    OrderFilterSet.base_filters["sort"].extra["choices"] = sort_choices
    OrderFilterSet.base_filters["sort"].__dict__.pop("_field", None)


def calls_only(queryset, name, value):
    return queryset.filter(description__contains="电话")


def test_a_registered_filter_is_in_the_form_and_narrows_the_list(registry, users, customer):
    register_filter("by_phone", FlagFilter(label="电话单", method=calls_only))
    wanted = intake(users["agent"], customer, description="电话反映停电")
    intake(users["agent"], customer, topic_code="billing", business_type="consultation", description="电费")

    assert "by_phone" in OrderFilterSet({}, user=users["agent"]).form.fields
    assert list(order_list(user=users["agent"], by_phone="true")) == [wanted]
    assert OrderFilterSet.registered_names()[-1] == "by_phone"


def test_a_registered_sort_key_is_a_choice_and_orders_the_list(registry, users, customer):
    register_sort("oldest", "最早受理", ["created_at", "id"])
    first = intake(users["agent"], customer, description="停电")
    second = intake(
        users["agent"], customer, topic_code="billing", business_type="consultation", description="电费"
    )

    assert ("oldest", "最早受理") in list(OrderFilterSet({}, user=users["agent"]).form.fields["sort"].choices)
    assert list(order_list(user=users["agent"], sort="oldest")) == [first, second]


def test_registering_a_name_again_replaces_the_filter(registry, users):
    register_filter("by_phone", FlagFilter(label="电话单", method=calls_only))
    register_filter("by_phone", FlagFilter(label="来电单", method=calls_only))

    assert OrderFilterSet({}, user=users["agent"]).form.fields["by_phone"].label == "来电单"
    assert OrderFilterSet.registered_names().count("by_phone") == 1


def test_the_lists_own_filters_cannot_be_taken_over(registry):
    with pytest.raises(ImproperlyConfigured):
        register_filter("status", FlagFilter(label="状态"))


def test_order_list_refuses_invalid_values_of_its_callers(users, db):
    with pytest.raises(ValueError, match="queue"):
        order_list(user=users["agent"], queue="everyone")
    assert not WorkOrder.objects.exists()
