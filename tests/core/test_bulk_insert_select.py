"""bulk.insert_select: an INSERT whose rows come from a query of the same statement (a read and its write
in one round trip), the other columns from shared values or the fields' defaults."""

from __future__ import annotations

import datetime as dt

import pytest

from powerdesk.core import bulk, sql
from powerdesk.risk.models import CustomerRisk
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def run(ids: list[int], keep: list[int], **same) -> list[tuple[int, int]]:
    write, params = bulk.insert_select(
        CustomerRisk, source="src", columns={"customer_id": "id"}, same=same, where="s.keep > 0"
    )
    statement = (
        "WITH src (id, keep) AS (SELECT * FROM unnest(%s::bigint[], %s::int[])),"
        f" w AS ({write}) SELECT id, keep FROM src"
    )
    with sql.cursor() as cur:
        cur.execute(statement, [ids, keep, *params])
        return cur.fetchall()


def test_the_source_rows_are_written_with_shared_values_and_defaults_and_still_read(county):
    customers = [CustomerFactory(area=county.east_area) for _ in range(4)]
    read = run([c.pk for c in customers], [1, 0, 1, 0], score=7, computed_at=AT)
    assert sorted(r[0] for r in read) == sorted(c.pk for c in customers)  # the read is answered whole
    rows = CustomerRisk.objects.order_by("pk").values_list("customer_id", "score", "reasons", "computed_at")
    # only the rows the filter kept are written; reasons takes its default (an empty list)
    assert list(rows) == [(customers[0].pk, 7, [], AT), (customers[2].pk, 7, [], AT)]


def test_a_json_value_shared_by_every_row_is_written_as_json(county):
    customer = CustomerFactory(area=county.east_area)
    run([customer.pk], [1], score=1, reasons=[{"code": "x", "points": 1}], computed_at=AT)
    assert CustomerRisk.objects.get().reasons == [{"code": "x", "points": 1}]
