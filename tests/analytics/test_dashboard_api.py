"""``GET /api/v1/analytics/dashboard/``: the page's figures (same form, same rollups), the API's error
body for bad filters, a unit head limited to their subtree."""

from __future__ import annotations

import pytest
from django.urls import reverse

from powerdesk.analytics import aggregates
from tests.analytics.test_dashboard_pages import MARCH, data_block
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "api-v1-analytics-dashboard"


def test_the_api_answers_the_pages_figures(month, users, client):
    aggregates.rebuild()
    client.force_login(users["manager"])
    page = data_block(client.get(reverse("analytics:dashboard"), MARCH).content.decode())
    answer = client_for(users["manager"]).get(reverse(URL), MARCH)
    assert answer.status_code == 200
    data = answer.json()
    assert (data["date_from"], data["date_to"]) == ("2026-03-01", "2026-03-31")
    charts = {c["id"]: c for c in page["charts"]}
    breakdowns = {b["code"]: b for b in data["breakdowns"]}
    assert set(charts) <= set(breakdowns)
    for code, chart in charts.items():
        assert [c["name"] for c in breakdowns[code]["cells"]] == chart["labels"], code
        assert [c["value"] for c in breakdowns[code]["cells"]] == chart["values"], code
    kpis = {k["code"]: k for k in data["kpis"]}
    assert kpis["orders"]["value"] == 5
    assert kpis["quality_index"]["definition"] and kpis["orders"]["link"].startswith("/")
    verdicts = {c["key"]: c["value"] for c in breakdowns["verdict"]["cells"]}
    assert verdicts == {"valid": 1, "invalid": 1, "pending": 0}
    assert [g["name"] for g in data["groups"]] == [g["name"] for g in page["groups"]]
    # A filter narrows it as on the page.
    east = client_for(users["manager"]).get(reverse(URL), {**MARCH, "unit": month.east.pk}).json()
    assert {c["name"] for c in {b["code"]: b for b in east["breakdowns"]}["unit_id"]["cells"]} == {
        "东桥供电所"
    }


def test_bad_filters_answer_the_error_body_and_roles_are_checked(month, users, west_head):
    bad = client_for(users["manager"]).get(reverse(URL), {**MARCH, "channel": "fax"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "validation_error"
    assert "channel" in bad.json()["error"]["fields"]
    assert client_for(users["agent"]).get(reverse(URL)).status_code == 403
    # A unit head: their subtree only; another unit is not a valid choice.
    aggregates.rebuild()
    head = client_for(west_head)
    own = head.get(reverse(URL), MARCH).json()
    units = {c["name"] for b in own["breakdowns"] if b["code"] == "unit_id" for c in b["cells"]}
    assert units == {"西岭供电所"}
    other = head.get(reverse(URL), {**MARCH, "unit": month.east.pk})
    assert other.status_code == 400 and "unit" in other.json()["error"]["fields"]
