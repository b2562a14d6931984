"""The auditor searches the trail in the console and the API, and exports it as CSV (the export itself
recorded); every other role is refused (403)."""

from __future__ import annotations

import csv
import io

import pytest

from powerdesk import audit
from powerdesk.audit.models import AuditEntry
from tests.api.conftest import client_for


@pytest.fixture
def trail(users):
    audit.record("login", users["agent"], subject="agent")
    audit.record("login_failed", None, actor_name="mallory", subject="agent", data={"path": "/login/"})
    audit.record_reveal(
        users["manager"], field="customers.customer.phone", subject="3300000001", reason="核实"
    )


def test_the_auditor_sees_the_trail_newest_first_with_labels(client, auditor, trail):
    client.force_login(auditor)
    response = client.get("/audit/")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("查看完整信息") < text.index("登录失败") < text.index("mallory")
    assert 'href="/audit/"' in text  # the navigation entry


@pytest.mark.parametrize(
    ("query", "kinds"),
    [
        ("kind=login_failed", ["login_failed"]),
        ("actor=mallory", ["login_failed"]),
        ("subject=3300000001", ["reveal"]),
        # the agent's account was also given its role and unit when the fixture made it
        ("subject=agent", ["login_failed", "login", "user_changed"]),
        ("date_from=2000-01-01&date_to=2000-01-02", []),
    ],
)
def test_the_auditor_filters_by_kind_actor_subject_and_days(client, auditor, trail, query, kinds):
    client.force_login(auditor)
    response = client.get(f"/audit/?{query}")
    assert [row["entry"].kind for row in response.context["rows"]] == kinds


def test_invalid_filters_are_shown_not_a_500(client, auditor, trail):
    client.force_login(auditor)
    response = client.get("/audit/?kind=nope&date_from=yesterday")
    assert response.status_code == 200
    assert len(response.context["filter_errors"]) == 2


@pytest.mark.parametrize("role", ["agent", "dispatcher", "repair", "manager", "norole"])
def test_other_roles_get_403_in_the_console_and_the_api(client, users, role, trail):
    client.force_login(users[role])
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
    assert 'href="/audit/"' not in client.get("/").content.decode()
    response = client_for(users[role]).get("/api/v1/audit/")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"


def test_anonymous_is_sent_to_login(client):
    assert client.get("/audit/").status_code == 302


def test_the_export_is_csv_and_is_recorded(client, auditor, trail):
    client.force_login(auditor)
    response = client.get("/audit/export.csv?subject=agent", REMOTE_ADDR="192.0.2.30")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "类别", "类别代码"]
    assert [r[2] for r in rows[1:]] == ["login_failed", "login", "user_changed"]
    export = AuditEntry.objects.filter(kind="export").latest("id")
    assert (export.actor, export.address) == (auditor, "192.0.2.30")
    assert export.data == {"rows": 3, "filters": {"subject": "agent"}}


def test_an_export_with_invalid_filters_is_refused_and_not_recorded(client, auditor, trail):
    client.force_login(auditor)
    response = client.get("/audit/export.csv?date_from=nope")
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(kind="export").exists()


def test_the_api_lists_the_trail_for_the_auditor_with_the_same_filters(auditor, trail):
    api = client_for(auditor)
    body = api.get("/api/v1/audit/?kind=reveal").json()
    assert body["count"] == 1
    (entry,) = body["results"]
    assert (entry["kind"], entry["kind_label"], entry["subject"], entry["reason"]) == (
        "reveal",
        "查看完整信息",
        "3300000001",
        "核实",
    )
    bad = api.get("/api/v1/audit/?date_from=nope")
    assert bad.status_code == 400 and "date_from" in bad.json()["error"]["fields"]


def test_kinds_are_shown_in_the_readers_language(client, auditor, trail):
    client.force_login(auditor)
    client.cookies["django_language"] = "en"
    text = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Failed login" in text
