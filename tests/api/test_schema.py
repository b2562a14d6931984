"""The OpenAPI schema is valid OpenAPI 3 without generator warnings, and the docs render offline."""

from __future__ import annotations

import yaml
from django.core.management import call_command
from django.test import Client

from powerdesk.workorders.transitions import TRANSITIONS


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert schema["openapi"].startswith("3.")
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {
        "workorders_intake",
        "workorders_list",
        "workorders_retrieve",
        "workorders_attachments_add",
        "customers_search",
        "customers_retrieve",
    } <= operations
    assert {f"workorders_{code}" for code in TRANSITIONS} <= operations


def test_each_transition_documents_its_own_body(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))
    schema = yaml.safe_load(out.read_text(encoding="utf-8"))
    dispatch = schema["components"]["schemas"]["WorkOrderDispatchInputRequest"]
    assert dispatch["required"] == ["unit"] and dispatch["properties"]["unit"]["type"] == "integer"
    callback = schema["components"]["schemas"]["WorkOrderCallbackInputRequest"]
    [ref] = callback["properties"]["satisfaction"]["allOf"]
    enum = schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]["enum"]
    assert enum == ["satisfied", "basic", "dissatisfied", "unreachable"]
    post = schema["paths"]["/api/v1/workorders/{number}/take/"]["post"]
    assert {p["name"] for p in post["parameters"]} == {"number", "Idempotency-Key", "If-Match"}
    assert set(post["responses"]) == {"200", "400", "401", "403", "404", "409", "411", "415"}


def test_the_schema_and_the_docs_are_served_without_a_login():
    client = Client()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "PowerDesk API"
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui" in page and "drf_spectacular_sidecar" in page and "cdn" not in page.lower()


def test_the_complaint_callback_survey_and_risk_endpoints_are_in_the_schema(tmp_path):
    """Issue 13's API: the judgment, the callback (a transition), survey results, the risk list and the
    quality view; the order-changing complaint POSTs take the order's version as If-Match."""
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))
    schema = yaml.safe_load(out.read_text(encoding="utf-8"))
    operations = {op["operationId"]: op for path in schema["paths"].values() for op in path.values()}
    assert {
        "complaints_record_retrieve",
        "complaints_record_update",
        "complaints_judgment_retrieve",
        "complaints_judgment_create",
        "praise_retrieve",
        "praise_update",
        "rectifications_list",
        "rectifications_close",
        "workorders_callback",
        "follow_ups_list",
        "follow_ups_close",
        "surveys_list",
        "risk_orders_list",
        "quality_retrieve",
        "analytics_dashboard_retrieve",
    } <= set(operations)
    for code in ("complaints_judgment_create", "complaints_record_update"):
        headers = {p["name"] for p in operations[code]["parameters"] if p["in"] == "header"}
        assert "If-Match" in headers, code
        assert "409" in operations[code]["responses"], code
    assert "Idempotency-Key" in {p["name"] for p in operations["complaints_judgment_create"]["parameters"]}
