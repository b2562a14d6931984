"""A small reader for the gettext .po files that Django's makemessages writes.

Enough for the checks in this package (and no new dependency): message context, singular and plural
forms, flags, obsolete entries. The header entry (empty msgid) is returned like any other entry.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str
    msgstr: str = ""
    msgid_plural: str | None = None
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    msgctxt: str | None = None
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)] or [""]

    @property
    def translated(self) -> bool:
        return all(text.strip() for text in self.translations)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def _unquote(text: str) -> str:
    text = text.strip()
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        raise ValueError(f"not a quoted PO string: {text!r}")
    return ast.literal_eval(text)


def parse(path: Path | str) -> list[Entry]:
    """Entries in file order. Raises ValueError on a line it does not understand."""
    entries: list[Entry] = []
    current: Entry | None = None
    field_name: str | None = None  # which keyword the continuation lines extend
    flags: set[str] = set()
    obsolete = False

    def finish() -> None:
        nonlocal current, field_name, flags, obsolete
        if current is not None:
            entries.append(current)
        current, field_name, flags, obsolete = None, None, set(), False

    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        is_obsolete = line.startswith("#~")
        if is_obsolete:
            line = line[2:].strip()
            if line.startswith("|"):  # previous msgid of an obsolete fuzzy entry
                continue
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if current is not None and field_name and field_name.startswith("msgstr"):
                finish()
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        keyword, _sep, rest = line.partition(" ")
        try:
            if line.startswith('"'):
                value = _unquote(line)
                if current is None or field_name is None:
                    raise ValueError("continuation line outside an entry")
                _extend(current, field_name, value)
                continue
            value = _unquote(rest)
        except (ValueError, SyntaxError) as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
        if (
            keyword in ("msgctxt", "msgid")
            and current is not None
            and field_name
            and field_name.startswith("msgstr")
        ):
            finish()
        if current is None:
            current = Entry(msgid="", flags=flags, obsolete=is_obsolete or obsolete)
            obsolete = current.obsolete
        if keyword == "msgctxt":
            current.msgctxt = value
        elif keyword == "msgid":
            current.msgid = value
        elif keyword == "msgid_plural":
            current.msgid_plural = value
        elif keyword == "msgstr":
            current.msgstr = value
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            current.msgstr_plural[int(keyword[7:-1])] = value
        else:
            raise ValueError(f"{path}:{number}: unknown keyword {keyword!r}")
        field_name = keyword
    finish()
    return entries


def _extend(entry: Entry, field_name: str, value: str) -> None:
    if field_name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + value
    elif field_name == "msgid":
        entry.msgid += value
    elif field_name == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + value
    elif field_name == "msgstr":
        entry.msgstr += value
    else:
        index = int(field_name[7:-1])
        entry.msgstr_plural[index] += value


def messages(path: Path | str) -> list[Entry]:
    """The live translatable messages: no header, no obsolete entries."""
    return [e for e in parse(path) if e.msgid and not e.obsolete]
