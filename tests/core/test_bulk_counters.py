"""bulk.increment and bulk.increment_in_window: one upsert built from the model's fields counts a key's
hits; in a window, a row whose window has ended starts a new one at one."""

from __future__ import annotations

import datetime as dt

import pytest

from powerdesk.core import bulk
from powerdesk.org.models import ApiTokenFailure
from powerdesk.portal.models import PortalHit

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def count(now: dt.datetime, window: dt.timedelta = 10 * MINUTE) -> tuple[int, dt.datetime]:
    return bulk.increment_in_window(
        ApiTokenFailure, "failures", "window_start", {"address": "198.51.100.7"}, now=now, cutoff=now - window
    )


def test_increment_writes_the_row_at_one_then_adds_one():
    assert bulk.increment(PortalHit, "count", key="k", window=AT) == 1
    assert bulk.increment(PortalHit, "count", key="k", window=AT) == 2
    assert bulk.increment(PortalHit, "count", key="k", window=AT + MINUTE) == 1


def test_a_new_row_begins_its_window_now():
    assert count(AT) == (1, AT)
    assert ApiTokenFailure.objects.get(address="198.51.100.7").failures == 1


def test_hits_within_the_window_add_up_and_keep_its_start():
    count(AT)
    assert count(AT + MINUTE) == (2, AT)
    assert count(AT + 9 * MINUTE) == (3, AT)


def test_a_hit_after_the_window_ended_starts_a_new_one_at_one():
    count(AT)
    count(AT + MINUTE)
    assert count(AT + 10 * MINUTE) == (1, AT + 10 * MINUTE)
    assert count(AT + 11 * MINUTE) == (2, AT + 10 * MINUTE)
