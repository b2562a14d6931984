"""The lexicon combined with the model: a hazard word is always urgent; emotion words raise the emotion."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from powerdesk.triage import rules


@dataclass
class Term:
    term: str
    kind: str
    weight: int = 1


HAZARD = [Term("触电", "hazard", 5), Term("冒烟", "hazard", 4)]


@given(prefix=st.text(max_size=30), suffix=st.text(max_size=30), model_urgent=st.booleans())
def test_a_hazard_word_is_always_urgent_whatever_the_model_says(prefix, suffix, model_urgent):
    found = rules.hits(f"{prefix}冒烟{suffix}", HAZARD)
    assert rules.urgent(model_urgent=model_urgent, found=found)


def test_without_a_hazard_word_the_model_decides():
    assert not rules.urgent(model_urgent=False, found=rules.hits("电费太贵", HAZARD))
    assert rules.urgent(model_urgent=True, found=[])


def test_words_are_found_across_spaces_and_widths():
    assert [h.term for h in rules.hits("表箱 冒 烟了", HAZARD)] == ["冒烟"]


def test_strong_angry_words_make_the_caller_angry_and_mild_ones_unhappy():
    angry = [Term("12398", "angry", 5), Term("凭什么", "angry", 2)]
    assert rules.emotion(model_label="calm", found=rules.hits("再不来我打12398", angry)) == "angry"
    assert rules.emotion(model_label="calm", found=rules.hits("凭什么这样", angry)) == "unhappy"
    assert rules.emotion(model_label="angry", found=[]) == "angry"


def test_digits_and_emoji_alone_are_nothing_to_classify():
    assert not rules.has_words("1234567890")
    assert not rules.has_words("😡😡😡！！")
    assert rules.has_words("没电了")
