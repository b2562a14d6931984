"""The API's smaller error paths (#12 item 10): each answers a 4xx with the stable error body."""

from __future__ import annotations

import pytest

from powerdesk.org.models import UnitKind
from tests.api.conftest import error
from tests.factories import UnitFactory, UserFactory

URL = "/api/v1/workorders/"


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v2/workorders/", "/api/", "/api/v1/workorders/x/y/z/"]
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_path_is_a_json_404(api, path, method):
    response = getattr(api("agent"), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert error(response)["code"] == "not_found"


def test_an_unknown_console_path_stays_an_html_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_a_chunked_body_without_content_length_is_a_411(api, customer, method):
    """gunicorn hands a chunked body on without Content-Length, which Django reads as empty: an intake
    would be refused for missing fields it did send, a transition applied without its input."""
    response = api("agent").generic(
        method,
        URL,
        b'{"description": "x"}',
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 411
    assert error(response)["code"] == "length_required"


def test_a_body_with_content_length_is_read_as_before(api, customer):
    body = {
        "business_type": "repair",
        "topic": "fault_repair",
        "customer": customer.account_no,
        "description": "家里停电了",
    }
    assert api("agent").post(URL, body, format="json").status_code == 201


@pytest.mark.parametrize("code", ["no_such_reason", "CUSTOMER_ABSENT", 17, "retired"])
def test_an_unknown_suspend_reason_code_is_a_field_error(api, users, county, make_order, code):
    from powerdesk.sla.models import SuspendReason
    from powerdesk.workorders import services as s

    retired = SuspendReason.objects.get(code="customer_absent")
    retired.is_active = False
    retired.save()
    code = "customer_absent" if code == "retired" else code
    order = s.workorder_dispatch(order=make_order(), actor=users["dispatcher"], unit=county.east)
    response = api("dispatcher").post(
        f"{URL}{order.number}/suspend/", {"reason": "客户要求改期", "reason_code": code}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "reason_code" in error(response)["fields"]
    order.refresh_from_db()
    assert order.status == "dispatched"


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "９"])
def test_a_page_that_is_not_a_positive_number_is_a_400(api, make_order, page):
    make_order()
    response = api("agent").get(URL, {"page": page})
    assert response.status_code == 400, response.content
    assert "page" in error(response)["fields"]


def test_a_page_past_the_end_is_still_a_404(api, make_order):
    make_order()
    response = api("agent").get(URL, {"page": "99"})
    assert response.status_code == 404 and error(response)["code"] == "not_found"


def test_the_assignee_error_does_not_tell_whether_a_user_exists_elsewhere(api, county, make_order):
    """A user of another county must look exactly like a name nobody has: else usernames can be probed."""
    other = UnitFactory(code="C9", name="远山县供电公司", kind=UnitKind.COUNTY)
    far = UserFactory.with_role("repair", other, username="far_repair")
    order = make_order()
    answers = []
    for assignee in ["far_repair", str(far.pk), "nobody_at_all", "999999999"]:
        response = api("dispatcher").post(
            f"{URL}{order.number}/dispatch/", {"unit": county.east.pk, "assignee": assignee}, format="json"
        )
        assert response.status_code == 400
        answers.append(error(response)["fields"])
    assert all(a == {"assignee": ["找不到该员工。"]} for a in answers), answers


def test_an_assignee_seen_but_outside_the_unit_is_still_told_so(api, users, county, make_order):
    response = api("dispatcher").post(
        f"{URL}{make_order().number}/dispatch/",
        {"unit": county.east.pk, "assignee": "west_repair"},
        format="json",
    )
    assert response.status_code == 400
    assert error(response)["fields"] == {"assignee": ["处理人不属于该单位。"]}
