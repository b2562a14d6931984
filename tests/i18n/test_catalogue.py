"""The English catalogue itself: every entry translated, nothing fuzzy, and the committed .mo compiled from
the current .po (a fresh clone runs without gettext tools, so a stale .mo would silently show Chinese)."""

from __future__ import annotations

import re

from django.utils import translation

from tests.i18n import pofile

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{\{\s*[a-z_]+\s*\}\}")


def test_the_catalogue_has_entries_and_a_usable_header(catalogue_dir):
    entries = pofile.parse(catalogue_dir / "django.po")
    header = next(e for e in entries if e.msgid == "")
    assert "charset=UTF-8" in header.msgstr
    assert "Language: en" in header.msgstr
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr
    assert not header.fuzzy, "a fuzzy header is ignored by msgfmt"
    assert len([e for e in entries if e.msgid]) > 100


def test_no_msgid_is_left_untranslated_or_fuzzy(po_entries):
    untranslated = [e.msgid for e in po_entries if not e.translated]
    fuzzy = [e.msgid for e in po_entries if e.fuzzy]
    assert not untranslated, f"entries without an English msgstr: {untranslated}"
    assert not fuzzy, f"fuzzy entries (msgfmt drops them): {fuzzy}"


def test_translations_keep_every_placeholder_of_their_msgid(po_entries):
    wrong = []
    for entry in po_entries:
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in entry.translations:
            if sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append((entry.msgid, text))
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def test_translations_contain_no_chinese_except_quoted_examples(po_entries):
    # Address examples such as “和平路12号” stay Chinese: the addresses being searched are Chinese.
    cjk = re.compile(r"[\u4e00-\u9fff]")
    allowed = re.compile(r"“[^”]*”|\(台区\)")
    leftovers = [
        (e.msgid, text) for e in po_entries for text in e.translations if cjk.search(allowed.sub("", text))
    ]
    assert not leftovers, f"Chinese left in English translations: {leftovers}"


def test_the_compiled_catalogue_matches_the_po_file(po_entries):
    stale = []
    with translation.override("en"):
        for entry in po_entries:
            if entry.msgid_plural is None:
                expected = [entry.msgstr]
                if entry.msgctxt is None:
                    got = [translation.gettext(entry.msgid)]
                else:
                    got = [translation.pgettext(entry.msgctxt, entry.msgid)]
            else:
                expected = [entry.msgstr_plural[0], entry.msgstr_plural[1]]
                if entry.msgctxt is None:
                    got = [translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
                else:
                    got = [
                        translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                        for n in (1, 2)
                    ]
            if any(expected) and got != expected:
                stale.append((entry.msgid, expected, got))
    assert not stale, f"django.mo is out of date with django.po (run `make messages`): {stale[:20]}"
