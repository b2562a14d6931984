"""Fixtures for the work-order tests that commit for real."""

from __future__ import annotations

import pytest

from tests.seed import ensure_seeded


@pytest.fixture
def committing(transactional_db) -> None:
    """A database where transactions really commit, so threads on their own connections see each other.

    pytest-django flushes every table after a transactional test, seed data included; tests/seed.py puts
    the migrated database's reference rows back (faster than ``serialized_rollback``, which reloads the
    calendar row by row)."""
    ensure_seeded()
