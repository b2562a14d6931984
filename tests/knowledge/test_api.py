"""``GET /api/v1/cases/`` and ``/api/v1/cases/{id}/``: the search page's filters, clear 4xx answers
for bad input (the stable JSON error body), never a 500; citing a case through the transition API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from powerdesk.knowledge.models import CaseCitation
from tests.api.conftest import client_for


@pytest.fixture
def agent_api(users):
    return client_for(users["agent"])


def test_the_list_searches_and_filters(agent_api, published):
    version = published("测：表箱起火后推迟复电", tags=["起火"])
    answer = agent_api.get(reverse("api-v1-cases"), {"q": "起火", "area": "fault_repair"})
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert version.pk in [r["id"] for r in rows] and {r["area"] for r in rows} == {"fault_repair"}
    assert all("起火" in r["title"] or "起火" in r["tags"] for r in rows[:2])


@pytest.mark.parametrize(
    "params, field",
    [
        ({"area": "nope"}, "area"),
        ({"sub_type": "nope"}, "sub_type"),
        ({"business_type": "nope"}, "business_type"),
        ({"state": "nope"}, "state"),
        ({"q": "字" * 201}, "q"),
        ({"tag": "x" * 31}, "tag"),
    ],
)
def test_bad_filters_answer_400_with_the_field(agent_api, params, field):
    answer = agent_api.get(reverse("api-v1-cases"), params)
    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]


@pytest.mark.parametrize("q", ["😀😀", "123456", "'; DROP TABLE x; --", "&|!:*()"])
def test_odd_words_never_fail(agent_api, q):
    assert agent_api.get(reverse("api-v1-cases"), {"q": q}).status_code == 200


def test_the_detail_renders_safe_html(agent_api, published):
    version = published(situation="经过<script>x()</script>")
    answer = agent_api.get(reverse("api-v1-case-detail", args=[version.case_id]))
    assert answer.status_code == 200
    body = answer.json()
    assert body["version"] == 1 and "<script" not in body["html"]["situation"]


def test_a_draft_or_missing_case_is_404_and_a_bad_version_400(agent_api, make_case):
    draft = make_case()
    assert agent_api.get(reverse("api-v1-case-detail", args=[draft.case_id])).status_code == 404
    assert agent_api.get(reverse("api-v1-case-detail", args=[999999])).status_code == 404
    answer = agent_api.get(reverse("api-v1-case-detail", args=[draft.case_id]), {"version": "x"})
    assert answer.status_code == 400 and "version" in answer.json()["error"]["fields"]


def test_the_resolve_api_cites_a_case_and_refuses_a_draft(users, order_on_site, published, make_case):
    version, draft = published(), make_case("草稿")
    order = order_on_site("停电")
    api = client_for(users["repair"])
    url = reverse("api-v1-workorder-resolve", args=[order.number])
    refused = api.post(url, {"result": "已处理", "case": draft.pk, "version": order.version}, format="json")
    assert refused.status_code == 400 and "case" in refused.json()["error"]["fields"]
    wrong = api.post(url, {"result": "已处理", "case": "abc", "version": order.version}, format="json")
    assert wrong.status_code == 400
    done = api.post(url, {"result": "已处理", "case": version.pk, "version": order.version}, format="json")
    assert done.status_code == 200
    assert CaseCitation.objects.get(order=order).version_id == version.pk
