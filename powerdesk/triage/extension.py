"""How triage plugs into the order (workorders never imports it): the suggestion panel inside the intake
form, the suggestion id the form posts back, the record of what the agent chose (written in the intake's
transaction from the posted id: no model runs there), and the suggestion the API intake adds when asked
(computed after the intake's transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from powerdesk.core.extensions import Panel
from powerdesk.workorders import extensions as ext

OWNER = "triage"
HINT = "triage_record"


def _panel(request: Any, customer: Any) -> Mapping[str, Any] | None:
    return {"hint": HINT}


def _record_choice(context: ext.ContactContext) -> None:
    from powerdesk.triage.services import choice_record

    raw = (getattr(context.contact, "hints", None) or {}).get(HINT, "")
    if not raw.isdigit():
        return  # nothing suggested on this form: nothing to record
    contact = context.contact
    record = choice_record(
        record_id=int(raw),
        user=contact.actor,
        order=context.order,
        contact=None,  # the contact row is written after this hook; the order ties the record
        chosen={
            "business_type": contact.business_type,
            "topic": contact.topic.code if contact.topic is not None else "",
            "sub_type": contact.sub_type.code if contact.sub_type is not None else "",
        },
    )
    if record is not None:
        emotion = (record.suggestion.get("emotion") or {}).get("label", "")
        context.event_data["triage"] = {"record": record.pk, "accepted": record.accepted, "emotion": emotion}


def _answer(request: Any, result: Any) -> Mapping[str, Any] | None:
    """``?triage=1`` or ``"triage": true`` in the body: the suggestion for the contact's words, computed
    now (the intake has committed) and recorded against the order."""
    from powerdesk.triage import services, suggest

    asked = str(request.query_params.get("triage", "")).lower() in {"1", "true", "yes"}
    body = request.data if isinstance(request.data, dict) else {}
    if not (asked or body.get("triage") is True) or result.replayed:
        return None
    text = str(body.get("description") or "")
    suggestion = suggest.suggestion_for(text)
    record = services.suggestion_record(user=request.user, text=text, suggestion=suggestion)
    services.choice_record(
        record_id=record.pk,
        user=request.user,
        order=result.order,
        contact=result.contact,
        chosen={
            "business_type": result.order.business_type,
            "topic": body.get("topic", ""),
            "sub_type": body.get("sub_type") or "",
        },
    )
    return {"triage": {"record": record.pk, **suggestion}}


def register() -> None:
    ext.intake_panels.register(OWNER, "triage.suggestion", Panel("form", "triage/_intake_panel.html", _panel))
    ext.intake_hints.register(OWNER, HINT, HINT)
    # before the early warning's re-scoring (position 100), which reads the emotion recorded here
    ext.contact_counted.register(OWNER, "triage.choice", _record_choice, position=50)
    ext.intake_answered.register(OWNER, "triage.suggestion", _answer)
