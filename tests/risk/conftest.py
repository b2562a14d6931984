"""Fixtures of the early-warning tests."""

from __future__ import annotations

import pytest

from powerdesk.org.models import UnitHead
from tests.factories import UserFactory


@pytest.fixture
def heads(county):
    """Heads of the east station and of the county, with phones."""
    east_head = UserFactory.with_role("manager", county.east, username="east_head", phone="13700000001")
    county_head = UserFactory.with_role("manager", county.county, username="county_head", phone="13700000002")
    UnitHead.objects.create(unit=county.east, user=east_head)
    UnitHead.objects.create(unit=county.county, user=county_head)
    return east_head, county_head
