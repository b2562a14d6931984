"""The case library's rules as pure functions: which step leads from which state, who may take it, and
how the text is cut into words for the search."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from powerdesk.knowledge.models import CaseState


@dataclass(frozen=True)
class Step:
    code: str
    from_states: frozenset[str]
    to_state: str
    right: str  # "author" or "review"


STEPS: dict[str, Step] = {
    "submit": Step("submit", frozenset({CaseState.DRAFT}), CaseState.REVIEW, "author"),
    "publish": Step("publish", frozenset({CaseState.REVIEW}), CaseState.PUBLISHED, "review"),
    "reject": Step("reject", frozenset({CaseState.REVIEW}), CaseState.DRAFT, "review"),
    "retire": Step("retire", frozenset({CaseState.PUBLISHED}), CaseState.RETIRED, "review"),
}


def step_allowed(step: Step, *, state: str, may_author: bool, may_review: bool) -> bool:
    if state not in step.from_states:
        return False
    return may_review if step.right == "review" else may_author or may_review


def reviewer_is_not_author(*, author_id: int, reviewer_id: int, reviewer_is_superuser: bool) -> bool:
    """Four eyes: a version is published by someone other than its author (a superuser may, for an
    installation with one administrator)."""
    return reviewer_is_superuser or author_id != reviewer_id


# A token worth indexing: letters, digits or CJK, at least one of them (punctuation and spaces dropped).
_WORD = re.compile(r"\w", re.UNICODE)
MAX_QUERY_TERMS = 32


def words(tokens: Iterable[str]) -> list[str]:
    """The tokens that carry meaning, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for token in tokens:
        t = token.strip().lower()
        if t and _WORD.search(t) and "'" not in t and "\\" not in t:
            seen.setdefault(t, None)
    return list(seen)


def query_terms(terms: Iterable[str]) -> list[str]:
    """The words a query searches for: single characters (了, 没, 的 …) match most cases and say
    little, so they count only when the query has nothing longer."""
    terms = list(terms)
    longer = [t for t in terms if len(t) > 1]
    return longer or terms


def tsquery_text(terms: Iterable[str], *, every: bool = False) -> str:
    """A ``to_tsquery('simple', …)`` text matching any of ``terms`` (each quoted as a lexeme), or with
    ``every`` all of them."""
    quoted = [f"'{t}'" for t in list(terms)[:MAX_QUERY_TERMS]]
    return (" & " if every else " | ").join(quoted)


# --- scripts: placeholders ---------------------------------------------------------------------------

# The placeholders a script may use, written ``{code}`` in its text, with the label an author reads in
# the form and an agent reads when the value is not known. Which values exist is the code's (each is
# read by ``selectors.script_context``), so the list lives here and not in a table.
PLACEHOLDERS: dict[str, Any] = {
    "customer_name": _("客户姓名"),
    "area_manager": _("台区经理"),
    "area_manager_phone": _("台区经理电话"),
    "arrival_due": _("承诺到达时间"),
    "outage_etr": _("预计恢复时间"),
    "order_number": _("工单编号"),
    "agent_name": _("坐席姓名"),
}

# ``{code}``: ASCII letters, digits and underscores between single braces. ``{{`` and ``}}`` stand for a
# literal brace, so an author can write one.
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}\s]{0,40})\}")


def placeholders_in(text: str) -> list[str]:
    """The placeholder names ``text`` uses, in order, without repeats (unknown ones included)."""
    found: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(text or ""):
        if match.group(0) not in ("{{", "}}"):
            found.setdefault(match.group(1), None)
    return list(found)


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in placeholders_in(text) if name not in PLACEHOLDERS]


@dataclass(frozen=True)
class Part:
    """A piece of a filled script: text as it is, a value put in (``code`` names the placeholder), or a
    value that is not known (``missing``: ``text`` is the visible 【未知：…】 mark)."""

    text: str
    code: str = ""
    missing: bool = False


def missing_mark(code: str) -> str:
    return str(_("【未知：%(label)s】") % {"label": PLACEHOLDERS.get(code, code)})


def fill(template: str, values: Mapping[str, str | None]) -> list[Part]:
    """The script ``template`` with each ``{code}`` replaced by ``values[code]``. A value that is
    missing, ``None`` or blank is never left out silently: it becomes a visible 【未知：label】 part
    (the label in the reader's language). ``{{`` and ``}}`` are literal braces."""
    parts: list[Part] = []
    at = 0
    for match in _PLACEHOLDER.finditer(template or ""):
        if match.start() > at:
            parts.append(Part(template[at : match.start()]))
        at = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(Part(token[0]))
            continue
        code = match.group(1)
        value = values.get(code)
        if value is None or not str(value).strip():
            parts.append(Part(missing_mark(code), code=code, missing=True))
        else:
            parts.append(Part(str(value), code=code))
    if at < len(template or ""):
        parts.append(Part(template[at:]))
    return parts


def filled_text(parts: Iterable[Part]) -> str:
    return "".join(p.text for p in parts)


# --- learning (以案普法) ----------------------------------------------------------------------------------

CONFIRMED, OVERDUE, OPEN = "confirmed", "overdue", "open"


def learning_status(*, confirmed: bool, due_date: dt.date, today: dt.date) -> str:
    """A person's standing on an assignment: confirmed (whenever), overdue (not confirmed after the due
    day has passed: the due day itself is still in time), or open."""
    if confirmed:
        return CONFIRMED
    return OVERDUE if today > due_date else OPEN


def due_date_allowed(*, due_date: dt.date, today: dt.date) -> bool:
    return due_date >= today


def rectification_learning_missing(*, requires_learning: bool, assignments: int) -> bool:
    """A rectification that asked for 以案普法 waits for an assignment to exist, not for everyone to
    confirm: the manager's measure is to arrange the learning; how far the staff have got is followed
    on the learning pages and may take until the assignment's own due date."""
    return requires_learning and assignments == 0
