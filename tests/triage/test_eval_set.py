"""The triage evaluation set speaks the reference data's language and stays apart from what is trained on.

Its scores decide whether a model version may be activated, so a label that names a retired code, a sub-type
of another business type or a topic the type does not go with would silently lower them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import SubType, Topic

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[2] / "powerdesk" / "triage" / "corpus"
EVAL = CORPUS / "eval.jsonl"
KEYS = {"text", "business_type", "topic", "sub_type", "emotion", "urgent"}
# The issue asks for 400; the brief for this set asks for 450, and 10 per class keeps macro-F1 meaningful.
MIN_LINES, MIN_PER_CLASS, MIN_HAZARDS = 450, 10, 40


def _rows() -> list[dict]:
    rows = []
    for n, line in enumerate(EVAL.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        assert set(row) == KEYS, f"line {n}: {sorted(row)}"
        rows.append(row)
    return rows


def test_every_label_is_a_seeded_code_that_goes_with_its_business_type():
    topics = {t.code: set(t.business_types) for t in Topic.objects.all()}
    sub_types = dict(SubType.objects.values_list("code", "business_type"))
    problems = []
    for n, row in enumerate(_rows(), 1):
        btype, topic, sub = row["business_type"], row["topic"], row["sub_type"]
        if not row["text"].strip():
            problems.append(f"{n}: empty text")
        if btype not in BusinessType.values:
            problems.append(f"{n}: business type {btype}")
        if topic not in topics:
            problems.append(f"{n}: topic {topic}")
        elif topics[topic] and btype not in topics[topic]:
            problems.append(f"{n}: topic {topic} does not go with {btype}")
        if sub and sub_types.get(sub) != btype:
            problems.append(f"{n}: sub-type {sub} is not a {btype} sub-type")
        if row["emotion"] not in {"calm", "unhappy", "angry"}:
            problems.append(f"{n}: emotion {row['emotion']}")
        if not isinstance(row["urgent"], bool):
            problems.append(f"{n}: urgent {row['urgent']!r}")
    assert problems == []


def test_every_business_type_and_topic_is_measured_on_enough_utterances():
    rows = _rows()
    assert len(rows) >= MIN_LINES
    types = Counter(r["business_type"] for r in rows)
    topics = Counter(r["topic"] for r in rows)
    assert {t: types[t] for t in BusinessType.values if types[t] < MIN_PER_CLASS} == {}
    seeded = Topic.objects.values_list("code", flat=True)
    assert {t: topics[t] for t in seeded if topics[t] < MIN_PER_CLASS} == {}
    assert sum(r["urgent"] for r in rows) >= MIN_HAZARDS
    assert set(Counter(r["emotion"] for r in rows)) == {"calm", "unhappy", "angry"}


def test_no_utterance_is_repeated_or_shared_with_a_training_file():
    texts = [r["text"].strip() for r in _rows()]
    assert [t for t, c in Counter(texts).items() if c > 1] == []
    trained = set()
    for path in CORPUS.rglob("*.jsonl"):
        if path != EVAL:
            lines = path.read_text(encoding="utf-8").splitlines()
            trained |= {json.loads(line)["text"].strip() for line in lines if line.strip()}
    assert trained & set(texts) == set()
