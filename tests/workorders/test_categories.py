"""Each business type goes with its own sub-types and with the topics allowed for it (data on the topic);
a combination that does not fit is refused with a field error, and the forms offer only what fits."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from powerdesk.core.errors import ValidationFailed
from powerdesk.demo import texts
from powerdesk.workorders.models import Topic
from powerdesk.workorders.rules import topic_fits
from tests.workorders.helpers import intake

pytestmark = pytest.mark.django_db


def test_a_fault_repair_about_tariffs_is_refused_with_a_field_error(users, customer):
    with pytest.raises(ValidationFailed) as exc:
        intake(users, customer, business_type="repair", topic_code="billing")
    assert list(exc.value.fields) == ["topic"]


def test_a_complaint_may_be_about_any_topic(users, customer):
    for code in Topic.objects.values_list("code", flat=True):
        intake(users, customer, business_type="complaint", topic_code=code, description=f"投诉{code}")


def test_the_api_answers_an_inconsistent_category_with_400_and_the_field(users, customer):
    api = APIClient()
    api.force_authenticate(users["agent"])
    body = {
        "business_type": "application",
        "topic": "fault_repair",
        "customer": customer.account_no,
        "description": "申请新装",
    }
    response = api.post("/api/v1/workorders/", body, format="json")
    assert response.status_code == 400
    assert "topic" in response.json()["error"]["fields"]


def test_the_intake_form_marks_each_topic_with_its_types_and_each_sub_type_with_its_type(client, users):
    client.force_login(users["agent"])
    body = client.get(reverse("workorders:new")).content.decode()
    assert 'data-topic-filter="id_topic"' in body and 'data-subtype-filter="id_sub_type"' in body
    billing = Topic.objects.get(code="billing")
    assert f'<option value="billing" data-types="{" ".join(billing.business_types)}">' in body
    assert "repair" not in billing.business_types
    assert 'data-type="repair"' in body  # the repair sub-types


def test_the_demos_and_the_benchmarks_combinations_all_fit():
    topics = dict(Topic.objects.values_list("code", "business_types"))
    pairs = {(c.business_type, c.topic) for c in texts.CASES}
    # bench/seed_data.py's MIX (business type, topic, sub-type, weight, text), read without importing it
    source = Path(__file__).resolve().parents[2] / "bench" / "seed_data.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    [mix] = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "MIX"
    ]
    pairs |= {(row.elts[0].value, row.elts[1].value) for row in mix.elts}
    misfits = sorted((t, c) for t, c in pairs if not topic_fits(topics[c], t))
    assert misfits == []
