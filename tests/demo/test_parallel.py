"""A load replayed by several processes gives exactly the data of a load in one process."""

from __future__ import annotations

import pytest

from powerdesk.demo.loader import demo_load
from powerdesk.workorders.models import WorkOrder
from tests.demo.conftest import NOW
from tests.demo.test_determinism import snapshot
from tests.workorders.conftest import committing  # noqa: F401  (a fixture)

SIZE = {"customers": 150, "orders": 40}


@pytest.mark.django_db(transaction=True)
def test_it_loads_the_same_data_with_two_workers_as_with_one(committing):  # noqa: F811
    single = demo_load(seed=5, now=NOW, workers=1, **SIZE)
    first = snapshot()
    double = demo_load(seed=5, now=NOW, workers=2, reset=True, **SIZE)
    assert single.problems == double.problems == []
    assert snapshot() == first
    assert double.repeat_calls >= 1


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_parallel_load_inside_a_transaction(committing):  # noqa: F811
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError, match="outside a transaction"):
        demo_load(now=NOW, workers=2, **SIZE)


@pytest.mark.django_db(transaction=True)
def test_numbering_continues_after_a_parallel_load(committing):  # noqa: F811
    """The workers number their intakes from their own sequences; the real one must end past them."""
    from django.db import connection

    summary = demo_load(seed=5, now=NOW, workers=2, **SIZE)
    with connection.cursor() as cur:
        cur.execute("SELECT nextval('workorder_number_seq')")
        (following,) = cur.fetchone()

    assert following == summary.orders + 1
    assert max(int(n[-8:]) for n in WorkOrder.objects.values_list("number", flat=True)) == summary.orders


@pytest.mark.django_db(transaction=True)
def test_a_parallel_load_stops_if_intakes_stop_drawing_from_the_number_sequence(
    committing,  # noqa: F811
    monkeypatch,
):
    """If the services ever number orders another way, the parallel replay must fail, not guess."""
    from powerdesk.workorders.services import intake

    qualified = intake._NEXT_NUMBER_SQL.replace(
        "nextval('workorder_number_seq')", "nextval('public.workorder_number_seq')"
    )
    assert qualified != intake._NEXT_NUMBER_SQL
    monkeypatch.setattr(intake, "_NEXT_NUMBER_SQL", qualified)

    with pytest.raises(RuntimeError, match="did not draw its order number"):
        demo_load(seed=5, now=NOW, workers=2, **SIZE)
    assert not WorkOrder.objects.exists()
