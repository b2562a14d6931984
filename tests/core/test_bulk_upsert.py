"""bulk.insert_rows with ``update``: a new key is inserted, a stored one takes the new values."""

from __future__ import annotations

import datetime as dt

from powerdesk.core import bulk
from powerdesk.risk.models import CustomerRisk

AT = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def upsert(customer_id: int, score: int, at: dt.datetime) -> list[int]:
    return bulk.insert_rows(
        CustomerRisk,
        [
            {
                "customer_id": customer_id,
                "score": score,
                "reasons": [{"code": "x", "points": score}],
                "computed_at": at,
            }
        ],
        conflict_target=["customer_id"],
        update=["score", "reasons", "computed_at"],
    )


def test_the_first_write_inserts_and_the_next_updates_the_same_row(customer):

    assert upsert(customer.pk, 30, AT) == [customer.pk]
    later = AT + dt.timedelta(hours=1)
    assert upsert(customer.pk, 55, later) == [customer.pk]

    row = CustomerRisk.objects.get(customer=customer)
    assert (row.score, row.reasons, row.computed_at) == (55, [{"code": "x", "points": 55}], later)
    assert CustomerRisk.objects.count() == 1


def test_without_update_a_stored_key_is_skipped(customer):
    upsert(customer.pk, 30, AT)

    skipped = bulk.insert_rows(
        CustomerRisk,
        [{"customer_id": customer.pk, "score": 99, "reasons": [], "computed_at": AT}],
        conflict_target=["customer_id"],
    )

    assert skipped == []
    assert CustomerRisk.objects.get(customer=customer).score == 30
