"""The intake answers with ``order_summary``, a hand-written twin of WorkOrderSummaryOutputSerializer
(the serializer's per-field cost is too high for the intake's hot path): the two must agree exactly."""

from __future__ import annotations

import pytest
from django.utils import translation

from powerdesk.workorders import services as s
from powerdesk.workorders.api import WorkOrderSummaryOutputSerializer, order_summary
from powerdesk.workorders.models import SubType, WorkOrder
from tests.factories import topic


def _both(order: WorkOrder, unmasked: bool) -> tuple[dict, dict]:
    fresh = WorkOrder.objects.select_related("topic", "unit", "customer", "assignee", "sub_type").get(
        pk=order.pk
    )
    expected = dict(WorkOrderSummaryOutputSerializer(fresh, context={"unmasked": unmasked}).data)
    return order_summary(fresh, unmasked=unmasked), expected


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("unmasked", [True, False])
def test_the_summary_matches_the_serializer_for_a_new_order(make_order, language, unmasked):
    order = make_order(sub_type=SubType.objects.get(code="repair_lv"), caller_phone="13812345678")
    with translation.override(language):
        fast, slow = _both(order, unmasked)
    assert fast == slow
    assert fast["caller_phone"] == ("13812345678" if unmasked else "138****5678")


def test_the_summary_matches_for_a_dispatched_order_with_an_assignee_and_no_customer(users, county):
    order = s.workorder_intake(
        actor=users["agent"],
        business_type="consultation",
        topic=topic("billing"),
        channel="12345",
        description="电价咨询",
        caller_phone="0571-1234567",
    ).order
    order = s.workorder_dispatch(
        order=order, actor=users["dispatcher"], unit=county.east, assignee=users["repair"]
    )
    fast, slow = _both(order, False)
    assert fast == slow
    assert fast["assignee"]["username"] == "repair" and fast["customer"] is None and fast["sub_type"] is None


def test_the_intake_result_itself_serializes_like_the_stored_order(make_order, users, customer):
    """The order the intake hands back (built from the write, not re-read) carries the stored values."""
    first = make_order()
    assert order_summary(first, unmasked=True) == _both(first, True)[1]
    linked = s.workorder_intake(
        actor=users["agent"],
        business_type="repair",
        topic=topic("fault_repair"),
        channel="95598",
        description="又打来了",
        customer=customer,
    )
    assert linked.repeat and linked.order.pk == first.pk
    assert order_summary(linked.order, unmasked=True) == _both(linked.order, True)[1]
