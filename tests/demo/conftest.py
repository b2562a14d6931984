"""A small demo county, loaded through the same code as ``powerdesk demo``.

Loading takes seconds, so the tests that only read the data share one load per module: it runs inside
a transaction that is rolled back when the module is done (each test still runs in its own savepoint).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.test import override_settings

from powerdesk.core.clock import BUSINESS_TZ
from powerdesk.demo.loader import DemoSummary, demo_load
from tests.standby_guard import module_wide_transaction

# A fixed "now", so every load in these tests describes the same 90 days.
NOW = dt.datetime(2026, 6, 18, 20, 30, tzinfo=BUSINESS_TZ)
# Without the compact history (tests/demo/test_casework.py loads it): these tests check the replay.
SMALL = {"customers": 300, "orders": 60, "history_months": 0}


def load_small(seed: int = 7, **kwargs) -> DemoSummary:
    return demo_load(seed=seed, now=NOW, **{**SMALL, **kwargs})


@contextmanager
def loaded_for_the_module(django_db_blocker, **kwargs) -> Iterator[DemoSummary]:
    """One demo load shared by a module's tests (each a savepoint of its transaction), rolled back at
    the module's end: a load takes tens of seconds, its checks milliseconds."""
    # The autouse fast-hasher fixture is function-scoped: set the same hasher for this module-wide load.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, module_wide_transaction(), transaction.atomic():
        yield load_small(**kwargs)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker) -> Iterator[DemoSummary]:
    with loaded_for_the_module(django_db_blocker) as summary:
        yield summary


@pytest.fixture(scope="module")
def casework_demo(django_db_setup, django_db_blocker) -> Iterator[DemoSummary]:
    """Enough orders (160) for the complaints' records and judgments, a rectification asking for
    learning, the learning assignments and last month's reports; and the compact history (13 months)."""
    with loaded_for_the_module(django_db_blocker, seed=11, orders=160, history_months=13) as summary:
        yield summary
