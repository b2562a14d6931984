"""Training stores a version with its metrics and progress; activation refuses a worse version; a lexicon
edit takes effect at once (the per-process cache is cleared)."""

from __future__ import annotations

import json

import pytest

from powerdesk.core import clock, refcache
from powerdesk.core.errors import ValidationFailed
from powerdesk.risk import reference as risk_reference
from powerdesk.triage import services, suggest, training
from powerdesk.triage.models import LexiconTerm, ModelVersion, TrainingRun


@pytest.fixture
def no_eval_set(monkeypatch, tmp_path):
    monkeypatch.setattr(training, "EVAL_FILE", tmp_path / "missing.jsonl")


def test_training_stores_a_version_with_metrics_hash_and_progress(db, small_corpus, no_eval_set):
    run = TrainingRun.objects.create(requested_at=clock.now())
    version = services.model_train(run=run, seed=2, include_archive=False, corpus=small_corpus)
    run.refresh_from_db()
    assert (run.state, run.progress, run.version_id) == ("done", 100, version.pk)
    assert version.eval_source == "holdout" and version.metrics["eval_source"] == "holdout"
    assert {"business_type_macro_f1", "topic_macro_f1"} <= set(version.metrics)
    assert len(version.data_hash) == 64 and version.samples > 200 and not version.is_active


def test_activation_refuses_a_version_that_scores_worse(db, users, small_model, no_eval_set):
    def version(score: float) -> ModelVersion:
        return ModelVersion.objects.create(
            created_at=clock.now(), data_hash="h", artefact=small_model.dumps(), score=score
        )

    good, worse, better = version(0.9), version(0.8), version(0.95)
    services.model_version_activate(version=good, actor=users["manager"])
    with pytest.raises(ValidationFailed):
        services.model_version_activate(version=worse, actor=users["manager"])
    assert ModelVersion.objects.get(is_active=True) == good
    services.model_version_activate(version=better, actor=users["manager"])
    assert list(ModelVersion.objects.filter(is_active=True)) == [better]


def test_a_new_hazard_word_makes_the_call_urgent_at_once(db, active_model):
    # a sound the model does not take for a hazard: not 嗞嗞响, which the corpus's hazards use (the small
    # model of every fifth line, whose urgent cut-off keeps 99 % of its ~150 hazards, took it for one)
    text = "营业厅的叫号机吱吱叫"
    assert suggest.suggestion_for(text)["urgent"]["words"] == []
    LexiconTerm.objects.create(term="吱吱叫", kind="hazard", weight=4)  # a save clears the cache
    answer = suggest.suggestion_for(text)
    assert answer["urgent"]["value"] is True and answer["urgent"]["words"] == ["吱吱叫"]


def test_an_edited_weight_reaches_the_early_warning_after_the_cache_is_cleared(db):
    before = {t.term: t.weight for t in risk_reference.terms()}
    assert before["12398"] == 5  # moved from the early warning's own table
    LexiconTerm.objects.filter(term="12398", kind="angry").update(weight=1)
    refcache.clear()  # .update() sends no signal
    assert {t.term: t.weight for t in risk_reference.terms()}["12398"] == 1


def test_the_early_warning_reads_only_the_angry_words(db):
    kinds = {t.kind for t in risk_reference.terms()}
    assert kinds == {"angry"}
    assert LexiconTerm.objects.filter(kind="hazard", term="触电").exists()


def test_a_training_request_queues_a_job_on_the_triage_queue(db, users):
    from django.db import connection

    run = services.training_request(actor=users["manager"])
    assert run.state == "queued"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT queue_name, args FROM procrastinate_jobs WHERE task_name LIKE %s", ["%train_model"]
        )
        rows = cursor.fetchall()
    assert [(queue, json.loads(args) if isinstance(args, str) else args) for queue, args in rows] == [
        ("triage", {"run_id": run.pk})
    ]


def test_the_first_version_serves_at_once_when_asked_and_a_later_one_waits(db, small_corpus, no_eval_set):
    first = services.model_train(seed=2, include_archive=False, corpus=small_corpus, activate_if_none=True)
    second = services.model_train(seed=3, include_archive=False, corpus=small_corpus, activate_if_none=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_active and not second.is_active


def test_a_first_model_request_tells_the_job_to_activate_it(db):
    from django.db import connection

    run = services.training_request(actor=None, activate_if_none=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT args FROM procrastinate_jobs WHERE task_name LIKE %s", ["%train_model"])
        (args,) = cursor.fetchone()
    assert (json.loads(args) if isinstance(args, str) else args) == {
        "run_id": run.pk,
        "activate_if_none": True,
    }
