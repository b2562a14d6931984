"""The dashboard pages: filters in the URL (bad ones reported in Chinese, never a 500), a unit head sees
only their subtree, charts come with tables and json data, and the malicious-demand flag from the order
page writes one event and leaves the order out of the index after the upkeep."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from powerdesk.analytics import aggregates
from powerdesk.analytics.models import MaliciousFlag, OrderFact
from powerdesk.workorders.models import WorkOrderEvent

pytestmark = pytest.mark.django_db

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def data_block(html: str) -> dict:
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def test_the_manager_dashboard(month, users, client):
    aggregates.rebuild()
    client.force_login(users["manager"])
    page = client.get(reverse("analytics:dashboard"), MARCH)
    html = page.content.decode()
    assert page.status_code == 200
    assert "优质服务评价指数" in html and "千户投诉率" in html and "重复致电率" in html
    assert "vendor/echarts.min.js" in html and "analytics/dashboard.js" in html
    data = data_block(html)
    units = next(c for c in data["charts"] if c["id"] == "unit_id")
    assert sorted(units["labels"]) == sorted(["东桥供电所", "西岭供电所"])
    assert sum(units["values"]) == 5
    # Every chart is also a table, and its numbers link to the order list.
    assert html.count('class="chart"') == len(data["charts"]) + 1
    assert "queue=all" in html and "date_from=2026-03-01" in html
    assert "<script>" not in html  # CSP: data in json_script, code in static files


def test_bad_filters_are_reported_in_chinese(month, users, client):
    client.force_login(users["manager"])
    page = client.get(reverse("analytics:dashboard"), {**MARCH, "channel": "fax", "date_to": "2026-02-01"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "受理渠道无效" in html and "结束日期不能早于开始日期" in html


def test_a_unit_head_sees_only_their_subtree(month, users, west_head, client, county):
    aggregates.rebuild()
    client.force_login(west_head)
    page = client.get(reverse("analytics:unit_dashboard"), MARCH)
    data = data_block(page.content.decode())
    days = next(c for c in data["charts"] if c["id"] == "day")
    assert sum(days["values"]) == 3  # the west's repair, complaint and praise
    # Another unit's subtree is not a choice: reported, and the figures stay the head's own.
    other = client.get(reverse("analytics:dashboard"), {**MARCH, "unit": county.east.pk})
    html = other.content.decode()
    assert "请选择有效的单位" in html
    days = next(c for c in data_block(html)["charts"] if c["id"] == "day")
    assert sum(days["values"]) == 3
    client.force_login(users["agent"])
    assert client.get(reverse("analytics:dashboard")).status_code == 403


def test_a_handler_flags_a_malicious_demand(month, users, client):
    aggregates.rebuild()
    order = month.repair_a
    client.force_login(users["repair"])
    detail = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    assert reverse("analytics:malicious", args=[order.number]) in detail
    url = reverse("analytics:malicious", args=[order.number])
    assert client.post(url, {"action": "set", "reason": ""}).status_code == 302
    assert not MaliciousFlag.objects.exists()  # a reason is required
    assert client.post(url, {"action": "set", "reason": "多次索要超标准赔偿"}).status_code == 302
    flag = MaliciousFlag.objects.get(order=order)
    assert flag.reason == "多次索要超标准赔偿" and flag.set_by == users["repair"]
    event = WorkOrderEvent.objects.filter(order=order).latest("id")
    assert (event.kind, event.data) == ("malicious_flagged", {"reason": "多次索要超标准赔偿"})
    timeline = client.get(reverse("workorders:detail", args=[order.number])).content.decode()
    assert "标记恶意诉求" in timeline and "多次索要超标准赔偿" in timeline
    aggregates.refresh()
    assert OrderFact.objects.get(order=order).malicious is True
    # An agent may not; clearing writes its own event.
    client.force_login(users["agent"])
    assert client.post(url, {"action": "clear"}).status_code == 403
    client.force_login(users["repair"])
    client.post(url, {"action": "clear"})
    assert not MaliciousFlag.objects.exists()
    assert WorkOrderEvent.objects.filter(order=order).latest("id").kind == "malicious_cleared"


def test_the_hot_spot_groups_and_rule_are_admin_data(client, db):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="x-pass-2026")
    client.force_login(admin)
    groups = client.get(reverse("admin:analytics_hotspotgroup_changelist"))
    assert groups.status_code == 200 and "缴费难" in groups.content.decode()
    assert client.get(reverse("admin:analytics_hotspotrule_changelist")).status_code == 200
    # One rule row (seeded): no second one.
    assert client.get(reverse("admin:analytics_hotspotrule_add")).status_code == 403
