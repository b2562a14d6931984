"""The early warning's reference rows, cached per process (:mod:`powerdesk.core.refcache`): read on every
contact and transition."""

from __future__ import annotations

from powerdesk.core import refcache
from powerdesk.risk.models import AngryTerm, RiskFactor, RiskPolicy


def factors() -> list[RiskFactor]:
    return refcache.get("risk.factors", lambda: list(RiskFactor.objects.filter(is_active=True)))


def terms() -> list[AngryTerm]:
    return refcache.get("risk.terms", lambda: list(AngryTerm.objects.filter(is_active=True)))


def policy() -> RiskPolicy | None:
    """The active policy row; None switches the alert and the evidence rule off (scores are still kept)."""
    return refcache.get(
        "risk.policy", lambda: RiskPolicy.objects.filter(is_active=True).order_by("id").first()
    )
