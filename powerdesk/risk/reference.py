"""The early warning's reference rows, cached per process (:mod:`powerdesk.core.refcache`): read on every
contact and transition."""

from __future__ import annotations

from powerdesk.core import refcache
from powerdesk.risk.models import RiskFactor, RiskPolicy
from powerdesk.triage import selectors as triage_selectors
from powerdesk.triage.models import LexiconTerm


def factors() -> list[RiskFactor]:
    return refcache.get("risk.factors", lambda: list(RiskFactor.objects.filter(is_active=True)))


def terms() -> list[LexiconTerm]:
    """The angry words of triage's lexicon (one lexicon for the suggestion and the early warning)."""
    return triage_selectors.angry_terms()


def policy() -> RiskPolicy | None:
    """The active policy row; None switches the alert and the evidence rule off (scores are still kept)."""
    return refcache.get(
        "risk.policy", lambda: RiskPolicy.objects.filter(is_active=True).order_by("id").first()
    )
