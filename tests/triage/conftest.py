"""Fixtures of the triage tests: a small corpus and a model trained on it once per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powerdesk.triage import learn
from powerdesk.triage.corpus import build_train


def small_rows(per_situation: int = 6) -> list[dict]:
    return build_train.build(seed=7, per_situation=per_situation)


@pytest.fixture(scope="session")
def small_model() -> learn.TriageModel:
    return learn.fit(small_rows(), seed=1)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in small_rows()), encoding="utf-8")
    return path
