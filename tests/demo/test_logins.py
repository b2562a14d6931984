"""Every demo login exists with its unit and role, and signs in with the demo password."""

from __future__ import annotations

from collections import Counter

import pytest

from powerdesk.demo.users import DEMO_PASSWORD, DEMO_USERS
from powerdesk.org.models import User


@pytest.mark.parametrize(("username", "unit_code", "role_code", "label", "full_name"), DEMO_USERS)
def test_each_demo_user_exists_with_its_role_and_can_log_in(
    small_demo, db, client, username, unit_code, role_code, label, full_name
):
    user = User.objects.select_related("unit", "role").get(username=username)
    assert (user.unit.code, user.role.code, user.full_name) == (unit_code, role_code, full_name)
    # Through the login page: the throttle (django-axes) judges every login by its request.
    response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.wsgi_request.user.username == username


def test_only_the_admin_is_staff_and_superuser(small_demo, db):
    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["admin"]
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == ["admin"]


def test_about_thirty_staff_cover_every_role_and_some_crews_are_outsourced(small_demo, db):
    # The system account (org.system, the actor of automatic dispatch) and the portal's accounts (the
    # actor of what customers send online, one per accepting unit) are no one's login and no staff.
    staff = User.objects.select_related("role").exclude(username="system").exclude(role__code="portal")
    assert 25 <= staff.count() <= 35
    roles = Counter(u.role.code for u in staff)
    assert set(roles) == {
        "agent",
        "dispatcher",
        "repair",
        "handler",
        "callback",
        "manager",
        "admin",
        "auditor",
    }
    assert staff.filter(role__code="repair", is_outsourced=True).exists()
    stations = User.objects.filter(role__code="repair").values_list("unit__code", flat=True)
    assert {"QX-DQ", "QX-XC", "QX-HT", "QX-SY", "QX-YL"} <= set(stations)
