"""Serving: the active model, loaded lazily once per process and kept while it stays the active version,
and the suggestion for one text (the model's targets combined with the lexicon by :mod:`.rules`).

No database write happens here; :func:`powerdesk.triage.services.suggestion_record` records it."""

from __future__ import annotations

import threading
from typing import Any

from powerdesk.triage import learn, reference, rules
from powerdesk.triage.models import ModelVersion
from powerdesk.workorders import reference as wo_reference
from powerdesk.workorders.choices import BusinessType

_lock = threading.Lock()
_loaded: dict[int, learn.TriageModel] = {}


def active_model() -> tuple[int | None, learn.TriageModel | None]:
    """The active version's id and model; the artefact is read and unpickled once per process and version."""
    version_id = reference.active_version_id()
    if version_id is None:
        return None, None
    model = _loaded.get(version_id)
    if model is None:
        with _lock:
            model = _loaded.get(version_id)
            if model is None:
                data = ModelVersion.objects.filter(pk=version_id).values_list("artefact", flat=True).first()
                if data is None:
                    return None, None
                model = learn.loads(bytes(data))
                _loaded.clear()  # one model per process: the previous version is let go
                _loaded[version_id] = model
    return version_id, model


def forget() -> None:
    """Drop the loaded model (tests; a process that wants the memory back)."""
    with _lock:
        _loaded.clear()


def _name(target: str, code: str) -> str:
    if target == "business_type":
        return str(BusinessType(code).label) if code in BusinessType.values else code
    if target == "topic":
        topic = wo_reference.topic_any(code)
        return topic.name if topic is not None else code
    if target == "sub_type":
        sub_type = wo_reference.sub_type_by_code(code)
        return sub_type.name if sub_type is not None else code
    return code


def suggestion_for(text: str) -> dict[str, Any]:
    """What the words suggest: ``{"model_version", "business_type", "topic", "sub_type", "emotion",
    "urgent", "lexicon"}``; each target a ``{"label", "name", "confidence", "words"}`` (None when the model
    has no answer). A text without letters (digits, emoji alone) gets no classification, only the lexicon."""
    found = rules.hits(text, reference.terms())
    version_id, model = active_model()
    predicted = model.predict(text) if model is not None and rules.has_words(text) else {}
    answer: dict[str, Any] = {"model_version": version_id, "classified": bool(predicted)}
    for target in ("business_type", "topic", "sub_type"):
        p = predicted.get(target)
        answer[target] = (
            None
            if p is None
            else {
                "label": p.label,
                "name": _name(target, p.label),
                "confidence": round(p.confidence, 3),
                "words": p.words,
            }
        )
    emotion_p = predicted.get("emotion")
    emotion = rules.emotion(model_label=emotion_p.label if emotion_p else "calm", found=found)
    emotion_words = [h.term for h in found if h.kind in {"angry", "unhappy"}]
    answer["emotion"] = {
        "label": emotion,
        "confidence": round(emotion_p.confidence, 3) if emotion_p and emotion_p.label == emotion else None,
        "words": emotion_words or (emotion_p.words if emotion_p else []),
    }
    urgent_p = predicted.get("urgent")
    model_urgent = urgent_p is not None and urgent_p.label == "1"
    hazard = [h.term for h in found if h.kind == "hazard"]
    is_urgent = rules.urgent(model_urgent=model_urgent, found=found)
    answer["urgent"] = {
        "value": is_urgent,
        # a hazard word is certain; otherwise the model's probability of its own answer
        "confidence": 1.0 if hazard else (round(urgent_p.confidence, 3) if urgent_p else None),
        "words": hazard or (urgent_p.words if urgent_p and model_urgent else []),
    }
    answer["lexicon"] = [{"term": h.term, "kind": h.kind, "weight": h.weight} for h in found]
    return answer
