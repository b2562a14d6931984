"""The console page and GET /api/v1/reliability/ over the scenario of conftest.py (figures checked by
hand in test_indices.py): who may see them, the filters in the URL, the formulas, the months, errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

JUNE = {"date_from": "2026-06-01", "date_to": "2026-06-30"}


def test_the_page_shows_both_standards_with_formulas_and_a_row_per_month(scenario, users, county, client):
    client.force_login(users["manager"])
    page = client.get(
        reverse("reliability:report"), {**JUNE, "unit": county.east.pk, "date_from": "2026-05-01"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "DL/T 836" in html and "IEEE 1366" in html
    assert "供电可靠率 RS-1" in html and "SAIDI" in html
    assert "(1 − AIHC-1 ÷ 统计期小时数) × 100%" in html
    # May's row: 28 user-hours over 6 users.
    assert "28.0000 ÷ 6 = 4.6667" in html
    assert 'data-month="2026-05"' in html and 'data-month="2026-06"' in html
    assert "低压用户：每个电能表（客户）计为一户" in html


def test_the_page_keeps_the_filters_and_states_the_10kv_user(scenario, users, county, client):
    client.force_login(users["manager"])
    page = client.get(reverse("reliability:report"), {**JUNE, "unit": county.east.pk, "user_unit": "10kv"})
    html = page.content.decode()
    assert page.context["report"].dlt.users == 3
    assert "10 kV 用户：每台公用配变、每个专变用户计为一户" in html
    assert f'<option value="{county.east.pk}" selected>' in html
    # 20 June is a Major Event Day of the east in June (see test_indices.py).
    assert "2026-06-20" in html


def test_the_page_reports_bad_filters_and_computes_without_them(scenario, users, client):
    client.force_login(users["manager"])
    page = client.get(reverse("reliability:report"), {**JUNE, "user_unit": "mw", "feeder": "999999"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "用户统计单位无效。" in html and "请选择有效的线路。" in html
    assert page.context["report"].user_unit == "lv"
    page = client.get(reverse("reliability:report"), {"date_from": "2026-06-30", "date_to": "2026-06-01"})
    assert "结束日期不能早于开始日期。" in page.content.decode()


def test_the_page_and_the_nav_are_for_managers_and_dispatchers(users, client):
    for name, status in (("manager", 200), ("dispatcher", 200), ("agent", 403), ("repair", 403)):
        client.force_login(users[name])
        assert client.get(reverse("reliability:report")).status_code == status, name
        linked = reverse("reliability:report") in client.get(reverse("home")).content.decode()
        assert linked == (status == 200), name


def test_a_dispatcher_cannot_choose_a_unit_outside_their_own(scenario, users, county, client):
    other = type(county.county).objects.create(code="C2", name="远山县供电公司", kind="county")
    client.force_login(users["dispatcher"])
    page = client.get(reverse("reliability:report"), {**JUNE, "unit": other.pk})
    assert "请选择有效的单位。" in page.content.decode()
    assert page.context["report"].scope.unit == county.county


def test_api_answers_both_standards_and_the_months(scenario, users, county):
    answer = client_for(users["manager"]).get(
        reverse("api-v1-reliability"), {**JUNE, "unit": county.east.pk, "user_unit": "10kv"}
    )
    assert answer.status_code == 200
    data = answer.json()
    assert data["unit"] == county.east.pk and data["feeder"] is None
    dlt = {f["code"]: f for f in data["dlt836"]["figures"]}
    assert data["dlt836"]["user_unit"] == "10kv" and data["dlt836"]["users"] == 3
    assert round(dlt["rs1"]["value"], 6) == 98.839506
    assert dlt["aitc1"]["worked"] == "8 ÷ 3 = 2.6667"
    ieee = {f["code"]: f for f in data["ieee1366"]["figures"]}
    assert ieee["saidi"]["value"] == pytest.approx(70)
    assert ieee["caidi"]["value"] == pytest.approx(105)
    assert data["ieee1366"]["major_event_days"] == ["2026-06-20"]
    assert round(data["med"]["threshold"], 2) == 120.78
    assert data["med"]["history_to"] == "2026-05-31"
    assert [m["date_from"] for m in data["months"]] == ["2026-06-01"]


def test_api_filters_by_feeder(scenario, users):
    answer = client_for(users["manager"]).get(
        reverse("api-v1-reliability"), {**JUNE, "feeder": scenario.devices["F"].pk}
    )
    assert answer.json()["feeder"] == "F"
    assert answer.json()["dlt836"]["users"] == 7


def test_api_errors_have_the_one_shape(users):
    bad = client_for(users["manager"]).get(reverse("api-v1-reliability"), {"user_unit": "mw"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "validation_error"
    assert "user_unit" in bad.json()["error"]["fields"]
    refused = client_for(users["agent"]).get(reverse("api-v1-reliability"))
    assert refused.status_code == 403 and "error" in refused.json()
    assert client_for(None).get(reverse("api-v1-reliability")).status_code in (401, 403)
