"""Every write of triage: training a model version (with its progress), activating one, recording a
suggestion and what the agent finally chose."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from powerdesk.core import clock
from powerdesk.core.errors import ValidationFailed
from powerdesk.core.jobs import defer_in_transaction
from powerdesk.org.models import User
from powerdesk.triage import learn, reference, rules, training
from powerdesk.triage.models import ModelVersion, TrainingRun, TriageRecord
from powerdesk.workorders.models import Contact, WorkOrder

log = logging.getLogger(__name__)


# --- training ------------------------------------------------------------------------------------


@transaction.atomic
def training_request(*, actor: User | None, activate_if_none: bool = False) -> TrainingRun:
    """A training run, queued: the job (queue ``triage``, never in the SLA sweep's way) trains it.
    ``activate_if_none``: the version it trains serves at once when no version is active yet (a new
    installation's first model, e.g. the demo's)."""
    from powerdesk.triage.tasks import train_model

    run = TrainingRun.objects.create(requested_at=clock.now(), requested_by=actor)
    job: dict[str, Any] = {"run_id": run.pk}
    if activate_if_none:
        job["activate_if_none"] = True
    defer_in_transaction(train_model, job)
    return run


def _progress(run: TrainingRun | None, stage: str, pct: int, **extra: Any) -> None:
    if run is None:
        return
    run.stage, run.progress = stage[:60], max(0, min(100, pct))
    for name, value in extra.items():
        setattr(run, name, value)
    # each step committed on its own, so a reader sees how far the job got
    run.save(update_fields=["stage", "progress", *extra])


def _urgent(text: str, model_said: bool) -> bool:
    return rules.urgent(model_urgent=model_said, found=rules.hits(text, reference.terms()))


def model_train(
    *,
    run: TrainingRun | None = None,
    seed: int = 0,
    include_archive: bool = True,
    corpus: Path | None = None,
    activate_if_none: bool = False,
) -> ModelVersion:
    """Train a model version and store it: read the rows, hold 20 % out, fit, measure on the evaluation
    set (or, missing, on the held-out share, and say so), refit on all rows, store. It is not active
    unless ``activate_if_none`` and no version is."""
    try:
        _progress(run, "rows", 2, state=TrainingRun.State.RUNNING)
        rows = training.training_rows(include_archive=include_archive, corpus=corpus or training.TRAIN_DIR)
        if len(rows) < 20:
            raise ValidationFailed(_("训练数据太少，无法训练模型。"))
        evaluation = training.eval_rows()
        fit_rows, held = learn.split(rows, seed=seed)
        if evaluation:
            fit_rows, held, source = rows, evaluation, "eval"
        else:
            source = "holdout"

        def tell(stage: str, pct: int) -> None:
            _progress(run, stage, 5 + pct * 8 // 10)

        model = learn.fit(fit_rows, seed=seed, progress=tell)
        _progress(run, "evaluate", 88)
        metrics = learn.evaluate(model, held, urgent=_urgent)
        if source == "holdout":
            # measured on the held-out share; the stored model is then fitted on every row
            _progress(run, "refit", 90)
            model = learn.fit(rows, seed=seed)
        metrics["eval_source"] = source  # type: ignore[assignment]
        version = ModelVersion.objects.create(
            created_at=clock.now(),
            data_hash=learn.corpus_hash(rows),
            samples=len(rows),
            seed=seed,
            artefact=model.dumps(),
            metrics=metrics,
            eval_source=source,
            score=float(metrics.get("score", 0.0)),
        )
        if activate_if_none and not ModelVersion.objects.filter(is_active=True).exists():
            model_version_activate(version=version, actor=None)
        _progress(run, "done", 100, state=TrainingRun.State.DONE, version=version, finished_at=clock.now())
        return version
    except Exception as failure:
        log.exception("triage training failed")
        _progress(
            run,
            "failed",
            100,
            state=TrainingRun.State.FAILED,
            error=str(failure)[:2000],
            finished_at=clock.now(),
        )
        raise


def _eval_score(version: ModelVersion) -> float:
    evaluation = training.eval_rows()
    if not evaluation:
        return version.score
    model = learn.loads(bytes(version.artefact))
    return float(learn.evaluate(model, evaluation, urgent=_urgent)["score"])


@transaction.atomic
def model_version_activate(*, version: ModelVersion, actor: User | None, force: bool = False) -> ModelVersion:
    """Make ``version`` the one that serves. Refused when it scores worse than the active one on the
    evaluation set (both measured on it now; without ``corpus/eval.jsonl``, their stored held-out scores)."""
    active = ModelVersion.objects.select_for_update().filter(is_active=True).first()
    if active is not None and active.pk == version.pk:
        return version
    if active is not None and not force:
        new_score, old_score = _eval_score(version), _eval_score(active)
        if new_score < old_score:
            message = _("该版本在评估集上的得分（%(new).3f）低于当前版本（%(old).3f），不能启用。") % {
                "new": new_score,
                "old": old_score,
            }
            raise ValidationFailed(message, fields={"version": [message]})
    ModelVersion.objects.filter(is_active=True).update(is_active=False)
    version.is_active = True
    version.activated_at = clock.now()
    version.activated_by = actor
    version.save(update_fields=["is_active", "activated_at", "activated_by"])
    return version


# --- suggestions and choices ---------------------------------------------------------------------


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def suggestion_record(*, user: User, text: str, suggestion: Mapping[str, Any]) -> TriageRecord:
    """Keep a suggestion that was shown (its words are not stored: the text's hash ties it to the order)."""
    return TriageRecord.objects.create(
        at=clock.now(),
        user=user,
        model_version_id=suggestion.get("model_version"),
        text_hash=text_hash(text),
        suggestion=dict(suggestion),
    )


def _accepted(suggestion: Mapping[str, Any], chosen: Mapping[str, Any]) -> bool:
    for target in ("business_type", "topic", "sub_type"):
        said = suggestion.get(target) or {}
        if said.get("label") and said.get("label") != chosen.get(target):
            return False
    return True


def choice_record(
    *, record_id: int, user: User, order: WorkOrder, contact: Contact | None, chosen: Mapping[str, Any]
) -> TriageRecord | None:
    """Tie the suggestion the agent saw to the order it became, with what the agent chose (accepted when
    every suggested classification was kept). Only the user's own, not yet tied record is taken."""
    with transaction.atomic(savepoint=False):
        record = (
            TriageRecord.objects.select_for_update()
            .filter(pk=record_id, user=user, order__isnull=True)
            .first()
        )
        if record is None:
            return None
        record.order = order
        record.contact = contact
        record.chosen = dict(chosen)
        record.accepted = _accepted(record.suggestion, chosen)
        record.save(update_fields=["order", "contact", "chosen", "accepted"])
    return record
