"""``POST /api/v1/triage/``: a suggestion for good words, a clear answer for bad input, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.conftest import client_for

URL = "/api/v1/triage/"


@pytest.fixture
def api(users, active_model):
    return client_for(users["agent"])


def test_it_suggests_type_topic_urgency_and_emotion_with_words(api):
    answer = api.post(URL, {"text": "你好，路边的电线断了掉在地上，还在冒火花"}, format="json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["business_type"]["label"] == "repair" and body["classified"] is True
    assert body["urgent"]["value"] is True and "火花" in body["urgent"]["words"]
    assert body["emotion"]["label"] in {"calm", "unhappy", "angry"}


@pytest.mark.parametrize("text", ["", "   ", None, 42, ["没电"]])
def test_empty_or_not_a_text_is_a_400_naming_the_field(api, text):
    answer = api.post(URL, {"text": text}, format="json")
    assert answer.status_code == 400
    assert "text" in answer.json()["error"]["fields"]


def test_a_hundred_thousand_characters_is_a_400(api):
    answer = api.post(URL, {"text": "停电" * 50_000}, format="json")
    assert answer.status_code == 400
    assert "text" in answer.json()["error"]["fields"]


@pytest.mark.parametrize("text", ["13812345678", "1234567890123", "😡😡😡", "🔥⚡️🔥！！"])
def test_digits_or_emoji_alone_answer_200_without_a_classification(api, text):
    answer = api.post(URL, {"text": text}, format="json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["classified"] is False and body["business_type"] is None
    assert body["urgent"]["value"] is False


def test_a_body_that_is_not_json_is_a_400(api):
    answer = api.generic("POST", URL, "{not json", content_type="application/json")
    assert answer.status_code == 400


def test_without_a_model_the_hazard_lexicon_still_answers(users, db):
    answer = client_for(users["agent"]).post(URL, {"text": "我家表箱冒烟了"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["urgent"]["value"] is True and answer.json()["classified"] is False


def test_a_role_that_cannot_take_calls_is_refused(users, active_model):
    assert client_for(users["repair"]).post(URL, {"text": "没电了"}, format="json").status_code == 403


def test_the_api_intake_adds_the_suggestion_only_when_asked(users, customer, active_model):
    from powerdesk.triage.models import TriageRecord

    api = client_for(users["agent"])
    body = {
        "business_type": "repair",
        "topic": "fault_repair",
        "customer": customer.account_no,
        "description": "家里突然没电了，电线还在冒火花",
    }
    plain = api.post(reverse("api-v1-workorders"), body, format="json")
    assert plain.status_code == 201 and "triage" not in (plain.json()["intake"].get("extra") or {})
    asked = api.post(
        reverse("api-v1-workorders") + "?triage=1", {**body, "description": "电表在冒烟"}, format="json"
    )
    assert asked.status_code in {200, 201}
    triage = asked.json()["intake"]["extra"]["triage"]
    assert triage["urgent"]["value"] is True
    record = TriageRecord.objects.get(pk=triage["record"])
    assert record.order.number == asked.json()["number"] and record.chosen["business_type"] == "repair"
