"""Every translatable string in the code is in the English catalogue, translated.

makemessages runs over a copy of the package in a temporary directory (so the real catalogue is never
touched), and each msgid it finds must have an English msgstr in our django.po.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

import powerdesk
from tests.i18n import pofile


def extract(tmp_path: Path, monkeypatch, settings) -> list[pofile.Entry]:
    copy = tmp_path / "powerdesk"
    shutil.copytree(
        Path(powerdesk.__file__).parent,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "*.pyc"),
    )
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages",
        locale=["en"],
        ignore_patterns=["migrations"],
        no_location=True,
        verbosity=0,
    )
    return pofile.messages(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")


@pytest.fixture
def code_messages(tmp_path, monkeypatch, settings):
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed")
    return extract(tmp_path, monkeypatch, settings)


def test_the_extraction_finds_the_strings_of_code_and_templates(code_messages):
    found = {e.msgid for e in code_messages}
    assert "故障报修" in found  # Python: workorders/choices.py
    assert "工单列表" in found  # template: base.html


def test_every_msgid_in_the_code_has_an_english_translation(code_messages, po_entries):
    ours = {e.key: e for e in po_entries}
    untranslated = []
    for entry in code_messages:
        mine = ours.get(entry.key)
        if mine is None or not mine.translated or mine.fuzzy or mine.msgid_plural != entry.msgid_plural:
            untranslated.append(entry.msgid)
    assert not untranslated, (
        f"{len(untranslated)} strings of the code are not translated in powerdesk/locale/en "
        f"(run `make messages` and translate them): {untranslated}"
    )
