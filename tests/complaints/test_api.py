"""Complaint judgment and rectifications through /api/v1/: the pre-filled checklist, the verdict, the
one error body, retries under an Idempotency-Key, and the record in the order's detail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from powerdesk.complaints.models import Judgment, Rectification
from powerdesk.core import clock

pytestmark = pytest.mark.django_db

ALL_MET = {"our_staff": "yes", "attitude": "yes", "within_period": "yes", "company_side": "yes"}


def _url(order):
    return reverse("api-v1-complaint-judgment", args=[order.number])


def test_the_checklist_comes_with_what_the_system_prefills(api, make_complaint):
    order = make_complaint()
    body = api("handler").get(_url(order)).json()
    assert body["checklist"] == "repair_staff_attitude" and body["judgment"] is None
    first = body["criteria"][0]
    assert first["code"] == "our_staff" and first["case_book_only"] and first["source_grade"] == "C"
    assert {c["prefilled"] for c in body["criteria"]} <= {"yes", "no", "unknown"}
    assert all(isinstance(c["prefilled_note"], str) for c in body["criteria"])


def test_judging_answers_the_verdict_and_a_retry_answers_the_same(api, make_complaint, users):
    order = make_complaint()
    client = api("handler")
    body = {
        "answers": ALL_MET,
        "rectification_task": "服务用语培训",
        "rectification_owner": "handler",
        "rectification_due": str(clock.local_date() + dt.timedelta(days=7)),
    }
    first = client.post(_url(order), body, format="json", HTTP_IDEMPOTENCY_KEY="judge-1")
    assert first.status_code == 201, first.json()
    assert first.json()["verdict"] == "valid" and first.json()["responsible_unit"] == "C1-E"
    again = client.post(_url(order), body, format="json", HTTP_IDEMPOTENCY_KEY="judge-1")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert Judgment.objects.count() == 1 and Rectification.objects.count() == 1
    other = client.post(_url(order), {"answers": {}}, format="json", HTTP_IDEMPOTENCY_KEY="judge-1")
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"

    detail = client.get(reverse("api-v1-workorder-detail", args=[order.number])).json()
    assert detail["complaint"]["verdict"] == "valid"
    assert detail["complaint"]["original_sub_type"] == "complaint_attitude"

    listed = client.get(reverse("api-v1-rectifications"), {"state": "open"}).json()
    assert [r["order"] for r in listed["results"]] == [order.number]
    pk = listed["results"][0]["id"]
    closed = client.post(
        reverse("api-v1-rectification-close", args=[pk]), {"result": "已培训"}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["state"] == "closed"


def test_invalid_without_a_downgrade_is_a_field_error_in_the_one_error_shape(api, make_complaint):
    order = make_complaint()
    response = api("handler").post(_url(order), {"answers": ALL_MET | {"attitude": "no"}}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error" and {"downgrade_to", "note"} <= set(error["fields"])


def test_a_downgrade_through_the_api_changes_the_order(api, make_complaint):
    order = make_complaint()
    body = {"answers": ALL_MET | {"company_side": "no"}, "downgrade_to": "consultation", "note": "客户产权"}
    response = api("handler").post(_url(order), body, format="json")
    assert response.status_code == 201 and response.json()["downgraded_to"] == "consultation"
    detail = api("handler").get(reverse("api-v1-workorder-detail", args=[order.number])).json()
    assert detail["business_type"] == "consultation"
    assert detail["complaint"]["original_business_type"] == "complaint"


def test_bad_answers_and_unknown_orders_are_refused_cleanly(api, make_complaint, users):
    order = make_complaint()
    bad = api("handler").post(_url(order), {"answers": {"our_staff": "maybe"}}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_error"
    unknown = api("handler").post(_url(order), {"answers": {"nope": "yes"}}, format="json")
    assert unknown.status_code == 400 and "answers.nope" in unknown.json()["error"]["fields"]
    assert api("handler").get(reverse("api-v1-complaint-judgment", args=["NOPE"])).status_code == 404
    assert api("repair").post(_url(order), {"answers": ALL_MET}, format="json").status_code == 403


def test_the_record_is_read_and_changed_through_the_api(api, make_complaint, users, customer, heads):
    from tests.workorders.helpers import intake

    repair = intake(users, customer, topic_code="power_quality")  # at the county: the manager sees it
    order = make_complaint()
    url = reverse("api-v1-complaint", args=[order.number])
    client = api("manager")
    assert client.get(url).json()["severity"] is None
    response = client.post(
        url,
        {"severity": "major", "related_orders": [repair.number], "staff_name": "外包抢修三队"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["severity"] == "major" and body["related_orders"] == [repair.number]
    assert body["leadership_notified_at"] is not None
    kept = client.post(url, {"outsourced": True}, format="json").json()
    assert kept["staff_name"] == "外包抢修三队" and kept["related_orders"] == [repair.number]
    missing = client.post(url, {"related_orders": ["NOPE1"]}, format="json")
    assert missing.status_code == 400 and "related_orders" in missing.json()["error"]["fields"]


def test_a_praise_credit_is_read_and_set_through_the_api(api, users, customer, county):
    from tests.workorders.helpers import intake

    order = intake(users, customer, business_type="praise", topic_code="communication")
    url = reverse("api-v1-praise", args=[order.number])
    client = api("agent")
    assert client.get(url).json() == {"staff": None, "unit": None}
    response = client.post(url, {"staff": "repair", "unit": "C1-E"}, format="json")
    assert response.status_code == 200 and response.json() == {"staff": "repair", "unit": "C1-E"}
    assert client.post(url, {}, format="json").status_code == 400
    complaint = intake(users, customer, business_type="complaint", topic_code="billing")
    assert client.get(reverse("api-v1-praise", args=[complaint.number])).status_code == 404


def test_a_judgment_or_a_record_change_on_an_order_changed_since_it_was_read_is_a_409(api, make_complaint):
    order = make_complaint()
    client = api("handler")
    order.refresh_from_db()
    s_version = order.version
    stale = {"answers": ALL_MET | {"company_side": "no"}, "downgrade_to": "consultation", "note": "客户产权"}
    conflict = client.post(_url(order), {**stale, "version": s_version - 1}, format="json")
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "version_conflict"
    assert not Judgment.objects.exists()
    header = client.post(_url(order), stale, format="json", HTTP_IF_MATCH=f'"{s_version - 1}"')
    assert header.status_code == 409
    disagree = client.post(
        _url(order), {**stale, "version": s_version}, format="json", HTTP_IF_MATCH=f'"{s_version - 1}"'
    )
    assert disagree.status_code == 400 and "version" in disagree.json()["error"]["fields"]
    # The version as read: judged, the order downgraded (a new version), and a retry replays it.
    ok = client.post(
        _url(order), {**stale, "version": s_version}, format="json", HTTP_IDEMPOTENCY_KEY="judge-v"
    )
    assert ok.status_code == 201, ok.json()
    again = client.post(
        _url(order), {**stale, "version": s_version}, format="json", HTTP_IDEMPOTENCY_KEY="judge-v"
    )
    assert again.status_code == 201 and again.json()["id"] == ok.json()["id"]
    record = client.post(
        reverse("api-v1-complaint", args=[order.number]), {"version": s_version}, format="json"
    )
    assert record.status_code == 409  # the downgrade moved the order on
