"""The holiday rule is data an administrator edits: a new row derives the derived years again at once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from powerdesk.core import refcache, services, workdays
from powerdesk.core.models import HolidayRule
from tests.factories import UserFactory
from tests.sla.helpers import T0

pytestmark = pytest.mark.django_db


def test_an_amendment_saved_in_the_admin_derives_the_derived_years_again(client, county):
    refcache.clear()
    admin = UserFactory(unit=county.county, is_staff=True, is_superuser=True)
    client.force_login(admin)
    with time_machine.travel(T0, tick=False):
        services.calendar_sync()
        assert workdays.is_workday(dt.date(2027, 10, 6))
        response = client.post(
            reverse("admin:core_holidayrule_add"),
            {"festival": "national_day", "days": 4, "first_day_offset": 0, "valid_from": "2027-01-01"},
        )
    assert response.status_code == 302
    assert HolidayRule.objects.filter(valid_from=dt.date(2027, 1, 1)).count() == 1
    assert not workdays.is_workday(dt.date(2027, 10, 6))  # 1–4 Oct, the weekend made up on 5–6 Oct
    refcache.clear()
