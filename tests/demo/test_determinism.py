"""The same seed and moment give the same data (a reset keeping the seeded case library); another seed
gives other data."""

from __future__ import annotations

from powerdesk.customers.models import Customer
from powerdesk.knowledge.models import CaseVersion, LearningAssignment, ScriptVersion
from powerdesk.workorders.models import WorkOrder, WorkOrderEvent
from tests.demo.conftest import load_small

SIZE = {"customers": 150, "orders": 40}


def snapshot() -> list[tuple]:
    orders = WorkOrder.objects.order_by("number").values_list(
        "number",
        "business_type",
        "status",
        "description",
        "customer__account_no",
        "contact_count",
        "created_at",
    )
    events = WorkOrderEvent.objects.order_by("order__number", "at", "id").values_list(
        "order__number", "kind", "at", "actor__username", "note"
    )
    return [
        *orders,
        *events,
        *Customer.objects.order_by("account_no").values_list("account_no", "name", "address"),
    ]


def library() -> tuple[int, int, int]:
    return (
        CaseVersion.objects.filter(state="published").count(),
        ScriptVersion.objects.filter(state="published").count(),
        LearningAssignment.objects.count(),
    )


def test_the_same_seed_loads_the_same_data_and_another_seed_other_data(db):
    # One test: the first load is what both comparisons start from (a load takes seconds, the checks
    # milliseconds).
    load_small(seed=11, **SIZE)
    first, seeded = snapshot(), library()
    load_small(seed=11, reset=True, **SIZE)
    assert snapshot() == first
    # The reset empties the staff with CASCADE, which would take the seeded case library (written by
    # the system account) with it: the cases and scripts are kept, the learning made again.
    cases, scripts, learning = library()
    assert (cases, scripts, learning) == seeded and cases >= 30 and scripts >= 30 and learning == 3
    load_small(seed=12, reset=True, **SIZE)
    assert snapshot() != first
