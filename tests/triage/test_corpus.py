"""The shipped training corpus: the schema the loader reads, labels in the reference data's language,
enough lines of every business type, topic and sub-type, hazards in many kinds of call, no line twice and
none that is (or nearly is) a line of the evaluation set it is measured on."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest

from powerdesk.triage.training import EVAL_FILE, TRAIN_DIR, read_corpus, read_jsonl
from powerdesk.workorders.choices import BusinessType
from powerdesk.workorders.models import SubType, Topic

KEYS = {"text", "business_type", "topic", "sub_type", "emotion", "urgent"}
# The issue asks for 2,000 utterances; the smallest type (praise, report) still needs enough lines for
# its own words to be learnt, and every seeded sub-type a few.
MIN_LINES, MIN_PER_TYPE, MIN_PER_TOPIC, MIN_PER_SUB_TYPE, MIN_HAZARDS = 2000, 120, 80, 3, 200
# character-bigram Jaccard similarity at which a training line counts as a copy of an evaluation line
NEAR = 0.8


def _rows() -> list[dict]:
    return read_corpus(TRAIN_DIR)


def _normal(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def test_every_line_has_the_schema_the_loader_reads():
    for path in sorted(TRAIN_DIR.glob("*.jsonl")):
        for n, row in enumerate(read_jsonl(path), 1):
            assert set(row) == KEYS, f"{path.name}:{n}: {sorted(row)}"
            assert isinstance(row["urgent"], bool) and row["emotion"] in {"calm", "unhappy", "angry"}
            assert row["text"].strip() == row["text"] and row["text"]


@pytest.mark.django_db
def test_every_label_is_a_seeded_code_that_goes_with_its_business_type():
    topics = {t.code: set(t.business_types) for t in Topic.objects.all()}
    sub_types = dict(SubType.objects.values_list("code", "business_type"))
    problems = []
    for row in _rows():
        btype, topic, sub = row["business_type"], row["topic"], row["sub_type"]
        if btype not in BusinessType.values:
            problems.append(f"{row['text']}: business type {btype}")
        if topic not in topics:
            problems.append(f"{row['text']}: topic {topic}")
        elif topics[topic] and btype not in topics[topic]:
            problems.append(f"{row['text']}: topic {topic} does not go with {btype}")
        if sub and sub_types.get(sub) != btype:
            problems.append(f"{row['text']}: sub-type {sub} is not a {btype} sub-type")
    assert problems == []


@pytest.mark.django_db
def test_every_type_topic_and_sub_type_has_enough_lines_in_every_voice():
    rows = _rows()
    assert len(rows) >= MIN_LINES
    types = Counter(r["business_type"] for r in rows)
    topics = Counter(r["topic"] for r in rows)
    subs = Counter(r["sub_type"] for r in rows)
    assert {t: types[t] for t in BusinessType.values if types[t] < MIN_PER_TYPE} == {}
    assert {
        t: topics[t] for t in Topic.objects.values_list("code", flat=True) if topics[t] < MIN_PER_TOPIC
    } == {}
    seeded_subs = SubType.objects.values_list("code", flat=True)
    assert {s: subs[s] for s in seeded_subs if subs[s] < MIN_PER_SUB_TYPE} == {}
    hazards = [r for r in rows if r["urgent"]]
    assert len(hazards) >= MIN_HAZARDS
    # a hazard is urgent whoever takes the call
    assert {r["business_type"] for r in hazards} == set(BusinessType.values)
    lengths = [len(r["text"]) for r in rows]
    assert sum(n <= 6 for n in lengths) >= 100 and sum(n >= 150 for n in lengths) >= 10
    assert min(Counter(r["emotion"] for r in rows).values()) >= 120


def test_no_line_is_repeated():
    texts = Counter(_normal(r["text"]) for r in _rows())
    assert [t for t, c in texts.items() if c > 1] == []


def test_no_line_equals_or_nearly_equals_an_evaluation_line():
    evaluation = read_jsonl(EVAL_FILE)
    exact = {_normal(r["text"]) for r in evaluation}
    grams = [_bigrams(_normal(r["text"])) for r in evaluation]
    copies = []
    for row in _rows():
        text = _normal(row["text"])
        if text in exact:
            copies.append(row["text"])
            continue
        mine = _bigrams(text)
        if any(len(mine & theirs) >= NEAR * len(mine | theirs) for theirs in grams):
            copies.append(row["text"])
    assert copies == []
