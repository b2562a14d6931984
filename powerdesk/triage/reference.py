"""The lexicon and the active model version's id, cached per process (:mod:`powerdesk.core.refcache`):
read on every suggestion and every risk score."""

from __future__ import annotations

from powerdesk.core import refcache
from powerdesk.triage.models import LexiconTerm, ModelVersion


def terms() -> list[LexiconTerm]:
    return refcache.get("triage.terms", lambda: list(LexiconTerm.objects.filter(is_active=True)))


def active_version_id() -> int | None:
    return refcache.get(
        "triage.active",
        lambda: ModelVersion.objects.filter(is_active=True).values_list("pk", flat=True).first(),
    )
