"""Chinese full-text search without a parser extension: jieba cuts the text into words, PostgreSQL's
``simple`` configuration indexes them as they are (``CaseVersion.search_vector``), and a query is cut
the same way and matched as "any of these words", ranked by ``ts_rank`` (title and tags weigh most)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, QuerySet

from powerdesk.knowledge import rules
from powerdesk.knowledge.models import CaseVersion

_lock = threading.Lock()
_ready = False


def _jieba():  # type: ignore[no-untyped-def]
    """jieba, with its dictionary loaded once per process (its first cut takes about a second)."""
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _ready = True
    return jieba


def segment(text: str) -> list[str]:
    """The words of ``text`` (search-engine mode: long words also give their shorter parts)."""
    if not text:
        return []
    return rules.words(_jieba().cut_for_search(text))


def segmented(*texts: str | Iterable[str]) -> str:
    parts: list[str] = []
    for text in texts:
        parts.extend(segment(text if isinstance(text, str) else " ".join(text)))
    return " ".join(parts)


def search_fields(
    *, title: str, tags: Iterable[str], situation: str, findings: str, should_have: str, lessons: str
) -> dict[str, str]:
    """The segmented text of a version's weighted fields, to store with it."""
    return {
        "search_a": segmented(title, tags),
        "search_b": segmented(situation, findings),
        "search_c": segmented(should_have, lessons),
    }


def query_for(text: str, *, every: bool = False) -> SearchQuery | None:
    terms = rules.query_terms(segment(text[:500]))
    if not terms:
        return None
    return SearchQuery(rules.tsquery_text(terms, every=every), config="simple", search_type="raw")


def ranked(queryset: QuerySet[CaseVersion], text: str) -> QuerySet[CaseVersion]:
    """``queryset`` narrowed to the versions with every word of ``text`` or, when none has them all,
    with any of them; best first. All words first because a common word alone (停电, 安全) matches a
    large part of the library, and ranking all of those is what a search would spend its time on."""
    every = query_for(text, every=True)
    if every is None:
        return queryset.none()
    query = every
    if not queryset.filter(search_vector=every).exists():
        query = query_for(text)  # type: ignore[assignment]  # not None: the same words
    return (
        queryset.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-published_at", "-id")
    )
