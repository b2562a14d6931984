"""The permission matrix: anonymous → 401, a role without the transition → 403, another unit's order → 404."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from powerdesk.org.models import Role
from powerdesk.workorders.transitions import TRANSITIONS
from tests.api.conftest import error

CODES = sorted(TRANSITIONS)


def _endpoints(number: str, account_no: str) -> list[tuple[str, str]]:
    return [
        ("get", "/api/v1/workorders/"),
        ("post", "/api/v1/workorders/"),
        ("get", f"/api/v1/workorders/{number}/"),
        ("post", f"/api/v1/workorders/{number}/attachments/"),
        ("get", "/api/v1/customers/?q=138"),
        ("get", f"/api/v1/customers/{account_no}/"),
        *[("post", f"/api/v1/workorders/{number}/{code}/") for code in CODES],
    ]


def test_anonymous_callers_get_401_with_the_stable_body_everywhere(api, make_order, customer):
    order = make_order()
    client = api(None)
    for method, url in _endpoints(order.number, customer.account_no):
        response = getattr(client, method)(url, {}, format="json") if method == "post" else client.get(url)
        assert response.status_code == 401, url
        assert error(response)["code"] == "not_authenticated", url
        assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("header", ["Token nonsense", "Token", "Bearer abc", "Token a b"])
def test_a_bad_token_is_a_401(header, make_order):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(f"/api/v1/workorders/{make_order().number}/")
    assert response.status_code == 401
    assert error(response)["code"] in {"authentication_failed", "not_authenticated"}


def test_an_inactive_users_token_is_refused(api, users, make_order):
    client = api("dispatcher")
    users["dispatcher"].is_active = False
    users["dispatcher"].save()
    assert client.get("/api/v1/workorders/").status_code == 401


def _lacking(code: str) -> str:
    """A county-level role (so the order is visible to it) that may not fire ``code``."""
    for name in ("agent", "dispatcher", "callback"):
        if code not in Role.objects.get(code=name).transitions:
            return name
    return "norole"


@pytest.mark.parametrize("code", CODES)
def test_a_role_without_the_transition_gets_403_and_nothing_changes(code, api, make_order):
    order = make_order()
    for name in {_lacking(code), "norole"}:
        response = api(name).post(f"/api/v1/workorders/{order.number}/{code}/", {}, format="json")
        assert response.status_code == 403, (name, response.json())
        err = error(response)
        assert (
            err["code"] == "permission_denied"
            and err["message"] == f"您的角色不能执行“{TRANSITIONS[code].label}”。"
        )
    order.refresh_from_db()
    assert order.version == 1 and order.events.count() == 1


@pytest.mark.parametrize("code", CODES)
def test_another_units_order_is_a_404_for_every_transition(code, api, dispatched):
    order = dispatched()  # now at the east station; west_repair sees only the west station
    response = api("west_repair").post(f"/api/v1/workorders/{order.number}/{code}/", {}, format="json")
    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "找不到该工单。", "fields": {}}


def test_another_units_order_is_hidden_from_detail_and_list(api, dispatched):
    order = dispatched()
    client = api("west_repair")
    assert client.get(f"/api/v1/workorders/{order.number}/").status_code == 404
    assert client.get("/api/v1/workorders/").json()["count"] == 0
    assert api("repair").get(f"/api/v1/workorders/{order.number}/").status_code == 200


def test_an_unknown_order_number_is_a_404_not_a_crash(api):
    client = api("agent")
    for number in ("99999999999999", "no-such", "x" * 300, "%00", "订单"):
        response = client.get(f"/api/v1/workorders/{number}/")
        assert response.status_code == 404, number
        assert error(response)["code"] == "not_found"


def test_a_user_without_a_role_may_not_upload_evidence(api, make_order):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    response = api("norole").post(
        f"/api/v1/workorders/{make_order().number}/attachments/",
        {"kind": "photo", "file": photo},
        format="multipart",
    )
    assert response.status_code == 403 and error(response)["code"] == "permission_denied"


def test_a_console_session_works_for_reads_and_needs_csrf_for_writes(users, make_order):
    order = make_order()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users["dispatcher"])
    assert client.get(f"/api/v1/workorders/{order.number}/").status_code == 200
    response = client.post(f"/api/v1/workorders/{order.number}/chase/", {}, format="json")
    assert response.status_code == 403 and error(response)["code"] == "permission_denied"
    order.refresh_from_db()
    assert order.chase_count == 0
