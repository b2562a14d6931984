"""Triage's rules, free of the database: which lexicon words a text holds, how the model and the lexicon
combine (a hazard word always makes the call urgent; emotion words can raise the emotion, never lower it),
and whether a text is something to classify at all."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

EMOTIONS = ("calm", "unhappy", "angry")
# Emotion words found weighing this much in all make the caller angry whatever the model said (the
# weights are the lexicon's; one strong word such as 12398 is enough, two mild ones are not).
ANGRY_WEIGHT = 3


class TermLike(Protocol):
    term: str
    kind: str
    weight: int


@dataclass(frozen=True)
class Hit:
    term: str
    kind: str
    weight: int


_SPACE = re.compile(r"\s+")


def normal(text: str) -> str:
    # Agents type with and without spaces and in both widths of Latin letters; the lexicon is Chinese.
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def hits(text: str, terms: Iterable[TermLike]) -> list[Hit]:
    """The lexicon's terms found in ``text``, each once, heaviest first."""
    joined = normal(text)
    found: dict[tuple[str, str], int] = {}
    for term in terms:
        key = normal(term.term)
        if key and key in joined:
            found[(key, term.kind)] = max(found.get((key, term.kind), 0), int(term.weight))
    return sorted(
        (Hit(term=k[0], kind=k[1], weight=w) for k, w in found.items()), key=lambda h: (-h.weight, h.term)
    )


def has_words(text: str) -> bool:
    """Whether ``text`` holds anything to classify: a letter of some script (digits, emoji, punctuation
    and spaces alone say nothing about the matter)."""
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def urgent(*, model_urgent: bool, found: Iterable[Hit]) -> bool:
    """Urgent when the model says so or any hazard word is present (a hazard word always is)."""
    return model_urgent or any(h.kind == "hazard" for h in found)


def emotion(*, model_label: str, found: Iterable[Hit]) -> str:
    """The model's emotion, raised by the emotion words present: angry words weighing ``ANGRY_WEIGHT`` or
    more make it angry; any angry or unhappy word makes a calm reading unhappy."""
    found = list(found)
    angry = sum(h.weight for h in found if h.kind == "angry")
    unhappy = any(h.kind in {"angry", "unhappy"} for h in found)
    label = model_label if model_label in EMOTIONS else "calm"
    if angry >= ANGRY_WEIGHT:
        return "angry"
    if unhappy and label == "calm":
        return "unhappy"
    return label
