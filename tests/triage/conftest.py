"""Fixtures of the triage tests: a small corpus and a model trained on it once per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from powerdesk.triage import learn
from powerdesk.triage.training import TRAIN_DIR, read_corpus


def small_rows(every: int = 5) -> list[dict]:
    """Every ``every``-th line of the shipped training corpus (a fixed, test-sized share of each type's
    file, so that it trains in a fraction of a second and still holds every business type)."""
    return read_corpus(TRAIN_DIR)[::every]


@pytest.fixture(scope="session")
def small_model() -> learn.TriageModel:
    return learn.fit(small_rows(), seed=1)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in small_rows()), encoding="utf-8")
    return path


@pytest.fixture
def active_model(db, small_model):
    """The small model stored as the active version (the serving cache forgotten around the test)."""
    from powerdesk.core import clock, refcache
    from powerdesk.triage import suggest
    from powerdesk.triage.models import ModelVersion

    version = ModelVersion.objects.create(
        created_at=clock.now(),
        data_hash="x",
        samples=1,
        artefact=small_model.dumps(),
        score=0.5,
        is_active=True,
    )
    refcache.clear()
    suggest.forget()
    yield version
    suggest.forget()
