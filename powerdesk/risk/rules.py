"""The early warning's rules, free of the database: an order's risk score with its reasons, a customer's,
the angry words found in what the customer said, and whether the unit head is to be told.

The weights (``RiskFactor`` rows), the lexicon (triage's ``LexiconTerm`` rows of kind ``angry``) and
the threshold (``RiskPolicy``) come in as arguments; the services read them from the reference cache.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

REPEAT_CALL = "repeat_call"
CHASE = "chase"
CLOCK_BREACHED = "clock_breached"
CLOCK_NEAR = "clock_near"
SENSITIVE = "sensitive"
EARLIER_COMPLAINT = "earlier_complaint"
ANGRY_WORDING = "angry_wording"
RECENT_OUTAGE = "recent_outage"
CALLER_EMOTION = "caller_emotion"
# The triage suggestion's emotion of the caller, as occurrences of the factor (calm counts nothing).
EMOTION_LEVELS = {"unhappy": 1, "angry": 2}


def emotion_of(reasons: object) -> str:
    """The caller's emotion a stored score counted (its ``caller_emotion`` reason), or ""."""
    for reason in reasons if isinstance(reasons, list) else ():
        if isinstance(reason, dict) and reason.get("code") == CALLER_EMOTION:
            level = reason.get("count")
            return next((name for name, n in EMOTION_LEVELS.items() if n == level), "")
    return ""


# The order reasons are listed in when they weigh the same.
FACTORS = (
    *(REPEAT_CALL, ANGRY_WORDING, CHASE, CLOCK_BREACHED, CLOCK_NEAR, EARLIER_COMPLAINT, RECENT_OUTAGE),
    CALLER_EMOTION,
    SENSITIVE,
)


class FactorLike(Protocol):
    code: str
    weight: int
    cap: int
    is_active: bool


class TermLike(Protocol):
    term: str
    weight: int


@dataclass(frozen=True)
class RiskInputs:
    """What is known of one order (or, with ``contacts=1`` and nothing else, of one customer)."""

    contacts: int = 1  # calls about the order, the first included
    chases: int = 0
    breached: int = 0  # clocks past their deadline
    near_breach: int = 0  # running clocks past their warning point, not yet due
    sensitive: bool = False
    earlier_complaints: int = 0
    recent_outages: int = 0  # interruptions of the customer's supply in the last days
    texts: Sequence[str] = ()  # what the customer said: the order's description, each contact's summary
    emotion: str = ""  # the triage suggestion's emotion for the customer's words, when one was made


@dataclass(frozen=True)
class Reason:
    code: str
    count: int  # calls after the first, chases, clocks, complaints, or the matched terms' weight
    points: int
    terms: tuple[str, ...] = ()

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "count": self.count, "points": self.points}
        if self.terms:
            data["terms"] = list(self.terms)
        return data


@dataclass(frozen=True)
class RiskResult:
    score: int
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    def reasons_data(self) -> list[dict[str, Any]]:
        return [r.as_data() for r in self.reasons]


_SPACE = re.compile(r"\s+")


def _normal(text: str) -> str:
    # Agents type with and without spaces and in both widths of Latin letters; the lexicon is Chinese.
    return _SPACE.sub("", text).casefold()


def matched_terms(texts: Iterable[str], terms: Iterable[TermLike]) -> list[tuple[str, int]]:
    """The terms of the lexicon found in any of ``texts``, each once however often it occurs (saying a
    word three times is one angry call, not three), heaviest first."""
    joined = "\n".join(_normal(t) for t in texts if t)
    found: dict[str, int] = {}
    for term in terms:
        key = _normal(term.term)
        if key and term.weight > 0 and key in joined:
            found[key] = max(found.get(key, 0), int(term.weight))
    return sorted(found.items(), key=lambda item: (-item[1], item[0]))


def _counts(inputs: RiskInputs, angry_weight: int) -> Mapping[str, int]:
    return {
        REPEAT_CALL: max(0, inputs.contacts - 1),
        CHASE: max(0, inputs.chases),
        CLOCK_BREACHED: max(0, inputs.breached),
        CLOCK_NEAR: max(0, inputs.near_breach),
        SENSITIVE: 1 if inputs.sensitive else 0,
        EARLIER_COMPLAINT: max(0, inputs.earlier_complaints),
        ANGRY_WORDING: angry_weight,
        RECENT_OUTAGE: max(0, inputs.recent_outages),
        CALLER_EMOTION: EMOTION_LEVELS.get(inputs.emotion, 0),
    }


def risk_score(inputs: RiskInputs, *, factors: Iterable[FactorLike], terms: Iterable[TermLike]) -> RiskResult:
    """The risk score of an order and why.

    1. find the lexicon's terms in the texts (:func:`matched_terms`); their weights add up;
    2. count each factor's occurrences: calls after the first, chases, breached and nearly breached
       clocks, the sensitive flag, earlier complaints, recent interruptions of the customer's supply,
       the matched terms' weight;
    3. each active factor gives ``weight`` points per occurrence, at most its ``cap``;
    4. the score is the sum; the reasons are the factors that gave points, heaviest first."""
    matched = matched_terms(inputs.texts, terms)
    counts = _counts(inputs, sum(weight for _term, weight in matched))
    rank = {code: i for i, code in enumerate(FACTORS)}
    reasons = []
    for factor in factors:
        count = counts.get(factor.code, 0)
        if not factor.is_active or count <= 0:
            continue
        points = min(int(factor.cap), int(factor.weight) * count)
        if points <= 0:
            continue
        words = tuple(term for term, _weight in matched) if factor.code == ANGRY_WORDING else ()
        reasons.append(Reason(code=factor.code, count=count, points=points, terms=words))
    reasons.sort(key=lambda r: (-r.points, rank.get(r.code, len(rank)), r.code))
    return RiskResult(score=sum(r.points for r in reasons), reasons=tuple(reasons))


def customer_score(
    *, sensitive: bool, earlier_complaints: int, orders: Iterable[RiskResult], factors: Iterable[FactorLike]
) -> RiskResult:
    """A customer's risk: what weighs on the customer alone (the sensitive flag, earlier complaints), or
    their riskiest open order's score and reasons if that is higher (an order's score includes the
    same two factors)."""
    own = risk_score(
        RiskInputs(sensitive=sensitive, earlier_complaints=earlier_complaints), factors=factors, terms=()
    )
    riskiest = max(orders, key=lambda result: result.score, default=None)
    return riskiest if riskiest is not None and riskiest.score > own.score else own


def result_from_data(score: int, reasons: Iterable[Mapping[str, Any]]) -> RiskResult:
    """A stored score and its reasons (``RiskResult.reasons_data``) as a result again."""
    return RiskResult(
        score=score,
        reasons=tuple(
            Reason(
                code=str(r.get("code", "")),
                count=int(r.get("count", 0)),
                points=int(r.get("points", 0)),
                terms=tuple(r.get("terms") or ()),
            )
            for r in reasons
        ),
    )


def alert_due(*, score: int, threshold: int, alerted: bool) -> bool:
    """Whether the unit head is to be told now: the score reached the threshold and nobody was told of
    this order before (a threshold of 0 switches the alert off)."""
    return threshold > 0 and score >= threshold and not alerted
