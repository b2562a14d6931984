"""A load replayed by several processes gives exactly the data of a load in one process."""

from __future__ import annotations

import pytest

from powerdesk.demo.loader import demo_load
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
