"""bulk.insert_rows with the primary key named in the rows (keys drawn beforehand by bulk.new_keys): the keys
given are written, not new ones of the sequence."""

from __future__ import annotations

import datetime as dt

import pytest

from powerdesk.core import bulk
from powerdesk.notify.models import NotificationKey, QuietHours

pytestmark = pytest.mark.django_db


def test_rows_naming_their_key_are_written_with_it():
    first, second = bulk.new_keys(QuietHours, 2)
    rows = [
        {"id": second, "name": "晚间", "start": dt.time(21), "end": dt.time(8)},
        {"id": first, "name": "午休", "start": dt.time(12), "end": dt.time(14)},
    ]

    assert bulk.insert_rows(QuietHours, rows) == [second, first]
    assert dict(QuietHours.objects.filter(pk__in=[first, second]).values_list("pk", "name")) == {
        first: "午休",
        second: "晚间",
    }


def test_rows_without_a_key_take_the_sequences():
    (taken,) = bulk.insert_rows(QuietHours, [{"name": "晚间", "start": dt.time(21), "end": dt.time(8)}])
    assert QuietHours.objects.get(pk=taken).name == "晚间"
    assert bulk.new_keys(QuietHours, 1)[0] > taken


def test_a_key_not_drawn_from_a_sequence_has_no_new_keys():
    with pytest.raises(ValueError, match="not drawn from a sequence"):
        bulk.key_sequence(NotificationKey)  # its key is the dedupe text
