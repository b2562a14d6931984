"""bulk.insert_together: rows of several models in one statement, the keys of each part in its rows' order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from powerdesk.core import bulk
from powerdesk.core.models import CalendarDay, CalendarYear
from tests.statements import statements

AT = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
DAYS = [dt.date(2091, 1, 3), dt.date(2091, 1, 1), dt.date(2091, 1, 2)]


@pytest.mark.django_db
def test_it_writes_every_part_in_one_statement_and_answers_each_parts_keys_in_order():
    years = [
        {"year": 2092, "origin": "imported", "source": "test", "loaded_at": AT},
        {"year": 2091, "origin": "derived", "source": "t", "loaded_at": AT},
    ]
    days = [{"date": d, "is_workday": d.day != 1, "name": "", "derived": False} for d in DAYS]

    with statements() as sent:
        keys = bulk.insert_together((CalendarYear, years), (CalendarDay, days))

    assert len(sent) == 1
    assert keys == [[2092, 2091], DAYS]
    assert CalendarYear.objects.get(year=2091).origin == "derived"
    assert list(CalendarDay.objects.filter(date__year=2091).values_list("date", "is_workday")) == [
        (dt.date(2091, 1, 1), False),
        (dt.date(2091, 1, 2), True),
        (dt.date(2091, 1, 3), True),
    ]


@pytest.mark.django_db
def test_a_refused_row_of_one_part_writes_no_part():
    CalendarDay.objects.create(date=DAYS[0], is_workday=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_together(
            (CalendarYear, [{"year": 2093, "origin": "imported", "source": "test", "loaded_at": AT}]),
            (CalendarDay, [{"date": DAYS[0], "is_workday": False, "name": "", "derived": False}]),
        )

    assert not CalendarYear.objects.filter(year=2093).exists()
