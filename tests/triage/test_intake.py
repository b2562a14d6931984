"""The intake form shows the suggestion as the agent types (its own request), and what the agent finally
chose is recorded against the suggestion: accepted or overridden."""

from __future__ import annotations

import re
import uuid

from django.urls import reverse

from powerdesk.triage.models import TriageRecord
from powerdesk.workorders.models import WorkOrder


def _suggest(client, text: str) -> tuple[str, int]:
    answer = client.post(reverse("triage:suggest"), {"description": text})
    assert answer.status_code == 200
    body = answer.content.decode()
    record = re.search(r'name="triage_record" value="(\d+)"', body)
    assert record, body
    return body, int(record.group(1))


def _intake(client, customer, record_id: int, **fields) -> WorkOrder:
    data = {
        "customer": customer.account_no,
        "idempotency_key": uuid.uuid4().hex,
        "channel": "95598",
        "caller_phone": "13812345678",
        "triage_record": str(record_id),
        **fields,
    }
    answer = client.post(reverse("workorders:new"), data)
    assert answer.status_code in {200, 302}, answer.content.decode()[:2000]
    return WorkOrder.objects.order_by("-pk").first()


def test_the_form_holds_the_suggestion_panel_that_asks_as_the_agent_types(
    client, users, customer, active_model
):
    client.force_login(users["agent"])
    page = client.get(reverse("workorders:new"), {"customer": customer.account_no}).content.decode()
    assert reverse("triage:suggest") in page and "from:#id_description" in page
    assert "hx-on" not in page and "onclick" not in page  # CSP: no inline handlers


def test_the_suggestion_carries_an_accept_button_with_the_codes(client, users, active_model):
    client.force_login(users["agent"])
    body, _record = _suggest(client, "你好，路边的电线断了掉在地上，还在冒火花")
    assert (
        "data-triage-accept" in body
        and 'data-business-type="repair"' in body
        and 'data-topic="fault_repair"' in body
    )
    assert "紧急" in body


def test_an_accepted_suggestion_is_recorded_as_accepted(client, users, customer, active_model):
    client.force_login(users["agent"])
    text = "你好，路边的电线断了掉在地上，还在冒火花"
    _body, record_id = _suggest(client, text)
    said = TriageRecord.objects.get(pk=record_id).suggestion
    order = _intake(
        client,
        customer,
        record_id,
        business_type=said["business_type"]["label"],
        topic=said["topic"]["label"],
        sub_type=said["sub_type"]["label"] if said["sub_type"] else "",
        description=text,
    )
    record = TriageRecord.objects.get(pk=record_id)
    assert record.order_id == order.pk and record.accepted is True
    assert record.chosen["business_type"] == said["business_type"]["label"]
    triage = order.events.get(kind="created").data["triage"]
    assert (triage["record"], triage["accepted"]) == (record_id, True)


def test_an_overridden_suggestion_is_recorded_with_what_the_agent_chose(
    client, users, customer, active_model
):
    client.force_login(users["agent"])
    text = "你好，路边的电线断了掉在地上，还在冒火花"
    _body, record_id = _suggest(client, text)
    _intake(client, customer, record_id, business_type="consultation", topic="outage_info", description=text)
    record = TriageRecord.objects.get(pk=record_id)
    assert record.accepted is False and record.chosen == {
        "business_type": "consultation",
        "topic": "outage_info",
        "sub_type": "",
    }


def test_without_a_posted_suggestion_nothing_is_recorded(client, users, customer, active_model):
    client.force_login(users["agent"])
    before = TriageRecord.objects.count()
    data = {
        "customer": customer.account_no,
        "idempotency_key": uuid.uuid4().hex,
        "channel": "95598",
        "business_type": "repair",
        "topic": "fault_repair",
        "description": "家里没电了",
    }
    assert client.post(reverse("workorders:new"), data).status_code in {200, 302}
    assert TriageRecord.objects.count() == before


def test_another_agents_suggestion_id_is_not_taken(client, users, customer, active_model):
    client.force_login(users["agent"])
    _body, record_id = _suggest(client, "家里没电了")
    client.force_login(users["dispatcher"])
    _intake(
        client, customer, record_id, business_type="repair", topic="fault_repair", description="家里没电了"
    )
    assert TriageRecord.objects.get(pk=record_id).order_id is None


def test_empty_or_wordless_text_gets_a_hint_not_a_suggestion(client, users, active_model):
    client.force_login(users["agent"])
    for text in ("", "😡😡", "x" * 5000):
        answer = client.post(reverse("triage:suggest"), {"description": text})
        assert answer.status_code == 200 and "triage_record" not in answer.content.decode()


def test_the_early_warning_counts_the_suggested_emotion_of_the_caller(client, users, customer, active_model):
    from powerdesk.risk.models import OrderRisk

    client.force_login(users["agent"])
    text = "你们到底管不管！家里没电了"
    _body, record_id = _suggest(client, text)
    record = TriageRecord.objects.get(pk=record_id)
    record.suggestion = {**record.suggestion, "emotion": {"label": "angry", "confidence": 0.9, "words": []}}
    record.save(update_fields=["suggestion"])
    order = _intake(
        client, customer, record_id, business_type="repair", topic="fault_repair", description=text
    )
    reasons = {r["code"]: r for r in OrderRisk.objects.get(order=order).reasons}
    assert reasons["caller_emotion"]["count"] == 2 and reasons["caller_emotion"]["points"] == 20
