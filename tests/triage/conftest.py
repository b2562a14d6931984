"""Fixtures of the triage tests: a small corpus and a model trained on it once per test run."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

from powerdesk.triage import learn
from powerdesk.triage.training import TRAIN_DIR, read_corpus


def small_rows(every: int = 5) -> list[dict]:
    """Every ``every``-th line of the shipped training corpus (a fixed, test-sized share of each type's
    file, so that it trains in a fraction of a second and still holds every business type)."""
    return read_corpus(TRAIN_DIR)[::every]


def fit(rows: list[dict], *, seed: int) -> learn.TriageModel:
    """``learn.fit`` on one BLAS thread (see :func:`one_blas_thread`)."""
    with threadpool_limits(limits=1):
        return learn.fit(rows, seed=seed)


@pytest.fixture(autouse=True)
def one_blas_thread() -> Iterator[None]:
    """The triage tests' training on one BLAS thread: with two pytest workers on two cores, OpenBLAS's
    threads of L-BFGS wait for each other's core and a small fit takes 6–30 s instead of 2. No test asks
    for anything a thread count could change; production training keeps its threads."""
    with threadpool_limits(limits=1):
        yield


_trained: dict[str, learn.TriageModel] = {}


def shared_small_model(tmp_path_factory: pytest.TempPathFactory) -> learn.TriageModel:
    """``learn.fit(small_rows(), seed=1)``, trained once per test run: kept by this process, and under
    xdist handed to the other workers through a file of this run's (the model is the same wherever it
    is trained, as training is deterministic for a seed)."""
    if "model" not in _trained:
        run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
        if run is None:  # one process: nothing to share with
            _trained["model"] = fit(small_rows(), seed=1)
        else:
            shared = tmp_path_factory.getbasetemp().parent / f"triage-small-model-{run}.pickle"
            with (shared.with_suffix(".lock")).open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # one worker trains, the others wait for its file
                if shared.exists():
                    _trained["model"] = learn.loads(shared.read_bytes())
                else:
                    _trained["model"] = fit(small_rows(), seed=1)
                    partial = shared.with_suffix(".partial")
                    partial.write_bytes(_trained["model"].dumps())
                    partial.rename(shared)
    return _trained["model"]


@pytest.fixture(scope="session")
def small_model(tmp_path_factory) -> learn.TriageModel:
    return shared_small_model(tmp_path_factory)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A training corpus file for the tests of the training job's bookkeeping (what it stores, which
    version it activates), not of the model's quality: every 20th line of the shipped corpus, every business
    type in its 342 rows (more than the 200 a stored version is asked to count), so that each of the
    job's two fits is quick."""
    path = tmp_path / "train.jsonl"
    rows = small_rows(every=20)
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
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
