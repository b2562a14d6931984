"""CompiledRead: the ORM's SQL compiled once, then run with new values, answering what the queryset
would answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Q

from powerdesk.core.sql import CompiledRead
from powerdesk.org.models import Unit
from tests.factories import UnitFactory

SAMPLE_TIME = dt.datetime(1901, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def units(db) -> list[Unit]:
    root = UnitFactory(code="R00", kind="county")
    return [root, *(UnitFactory(code=f"R{i:02d}", parent=root) for i in range(1, 6))]


def children(*, parent: int):
    return Unit.objects.filter(parent_id=parent).order_by("code").values_list("code", flat=True)


def test_each_call_answers_as_the_queryset_does_for_its_values(units):
    read = CompiledRead(children, parent=-9_000_001)
    root, first = units[0], units[1]

    assert read.rows(parent=root.pk) == list(children(parent=root.pk))
    assert read.rows(parent=first.pk) == [] == list(children(parent=first.pk))
    assert read.one(parent=root.pk) == "R01"


def counts(*, parent: int, code: str):
    return (
        Unit.objects.filter(parent_id=parent)
        .values("parent_id")
        .annotate(total=Count("pk"), this=Count("pk", filter=Q(code=code)))
        .values_list("total", "this")
    )


def test_aggregates_and_constants_in_the_query_keep_their_places(units):
    read = CompiledRead(counts, parent=-9_000_001, code="\x01sample")

    assert read.one(parent=units[0].pk, code="R03") == (5, 1)
    assert read.one(parent=units[0].pk, code="none") == (5, 0)
    assert read.one(parent=units[1].pk, code="R03") is None


def created(*, since: dt.datetime):
    return (
        Unit.objects.filter(code__startswith="R", pk__gte=0).values_list("code", flat=True).order_by("code")
    )


def test_a_parameter_the_query_does_not_compile_is_refused(units):
    with pytest.raises(ValueError, match="since"):
        CompiledRead(created, since=SAMPLE_TIME).rows(since=SAMPLE_TIME)


def test_a_list_parameter_is_refused(units):
    def within(*, codes):
        return Unit.objects.filter(code__in=codes).values_list("pk", flat=True)

    with pytest.raises(ValueError):
        CompiledRead(within, codes=["\x01a", "\x01b"]).rows(codes=["R01"])
