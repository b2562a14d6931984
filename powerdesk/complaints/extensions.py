"""What the complaint app offers the apps above it (they register in their ``AppConfig.ready()``;
complaints never imports them).

``rectification_notes``: for a page of rectifications and the person reading them, each app answers
notes by rectification id — a line shown beside the rectification, optionally a link, and whether the
note *blocks* closing it. :func:`services.rectification_close` asks again under the row lock and
refuses while a blocking note remains. The case library uses it for a rectification that requires
以案普法: "布置学习" until an assignment names it, then how many have confirmed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from powerdesk.core.extensions import Registry


@dataclass(frozen=True)
class RectificationNote:
    text: str
    url: str = ""
    link_text: str = ""
    blocks_close: bool = False


# (rectifications, viewer or None when the service checks) → {rectification id: [notes]}
NotesFor = Callable[[Sequence[Any], Any], dict[int, list[RectificationNote]]]

rectification_notes: Registry[NotesFor] = Registry("rectification_notes")


def notes_for(rectifications: Sequence[Any], viewer: Any) -> dict[int, list[RectificationNote]]:
    merged: dict[int, list[RectificationNote]] = {}
    if not rectifications:
        return merged
    for notes in rectification_notes:
        for pk, items in notes(rectifications, viewer).items():
            merged.setdefault(pk, []).extend(items)
    return merged
