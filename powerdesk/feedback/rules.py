"""The feedback rules as pure functions of their inputs (no database): the services, views and API call
these with the reference rows they read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

MAX_QUESTIONS = 3
DISSATISFIED, UNRESOLVED = "dissatisfied", "unresolved"
REOPEN, FOLLOW_UP, NOTHING = "reopen", "follow_up", "nothing"


class Band(Protocol):
    code: str
    starts: dt.time
    ends: dt.time


def band_of(moment: dt.time, bands: Iterable[Band]) -> str | None:
    """The code of the band ``moment`` (a local time of day) falls in; a band whose end is not after its
    start runs past midnight. ``None``: in no band (such an attempt counts for no time of day)."""
    for band in bands:
        if band.starts < band.ends:
            if band.starts <= moment < band.ends:
                return band.code
        elif moment >= band.starts or moment < band.ends:
            return band.code
    return None


def unreachable_bands(attempts: Iterable[dt.time], bands: Sequence[Band]) -> set[str]:
    """The distinct times of day of the unreached attempts."""
    return {code for code in (band_of(moment, bands) for moment in attempts) if code is not None}


def may_close_unreachable(attempts: Iterable[dt.time], bands: Sequence[Band], required: int) -> bool:
    """Whether the unreached callback attempts (their local times of day) allow archiving the order as
    无法联系: ``required`` of them, each at a different time of day."""
    return required > 0 and len(unreachable_bands(attempts, bands)) >= required


def callback_outcome(
    *, satisfaction: str, resolved: bool | None, on_dissatisfied: str, on_unresolved: str
) -> tuple[str, str]:
    """(what follows, why) for a callback that reached the customer: ``reopen``, ``follow_up`` or
    ``nothing``; the reason is ``dissatisfied`` or ``unresolved`` (dissatisfied weighs first)."""
    if satisfaction == DISSATISFIED and on_dissatisfied != NOTHING:
        return on_dissatisfied, DISSATISFIED
    if resolved is False and on_unresolved != NOTHING:
        return on_unresolved, UNRESOLVED
    return NOTHING, ""


def script_for(scripts: Iterable[Any], business_type: str, sub_type_id: int | None) -> Any | None:
    """The script for an order: the one of its sub-type, else its business type's general one."""
    general = None
    for script in scripts:
        if script.business_type != business_type:
            continue
        if script.sub_type_id is not None and script.sub_type_id == sub_type_id:
            return script
        if script.sub_type_id is None and general is None:
            general = script
    return general


QUESTION_FLAGS = ("ask_score", "ask_resolved", "ask_restoration", "ask_comment")


def question_count(question_set: Any) -> int:
    return sum(bool(getattr(question_set, flag)) for flag in QUESTION_FLAGS)


def is_low_score(score: int | None, threshold: int) -> bool:
    return score is not None and score <= threshold


def may_survey(
    *, opted_out: bool, last_invited_at: dt.datetime | None, now: dt.datetime, gap_days: int
) -> bool:
    """Whether a customer may be sent a campaign survey: not opted out, and not surveyed within the
    frequency cap."""
    if opted_out:
        return False
    return last_invited_at is None or now - last_invited_at >= dt.timedelta(days=gap_days)


def follow_up_due(now: dt.datetime, days: int) -> dt.datetime:
    return now + dt.timedelta(days=max(days, 0))


def campaign_progress(*, targeted: int, sent: int, skipped: int) -> int:
    """Per cent of the target group handled (sent or skipped), 0–100."""
    if targeted <= 0:
        return 100
    return min(100, (sent + skipped) * 100 // targeted)


def throttled(count: int, limit: int) -> bool:
    """Whether a client past ``count`` requests in the current window is over ``limit``."""
    return count > limit
