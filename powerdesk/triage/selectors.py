"""Reads of triage for the apps above it (the early warning) and for its pages."""

from __future__ import annotations

from django.db.models import QuerySet

from powerdesk.triage import reference
from powerdesk.triage.models import LexiconTerm, ModelVersion, TermKind, TrainingRun


def angry_terms() -> list[LexiconTerm]:
    """The lexicon's angry words (激烈言辞), active, from the per-process cache: the early warning's
    angry-wording factor sums their weights."""
    return [t for t in reference.terms() if t.kind == TermKind.ANGRY]


def model_versions() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.defer("artefact").order_by("-created_at")


def training_runs(limit: int = 20) -> QuerySet[TrainingRun]:
    return TrainingRun.objects.select_related("version").order_by("-requested_at")[:limit]
