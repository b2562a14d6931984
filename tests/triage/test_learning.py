"""Training is deterministic for a seed, and the model answers each target with the words behind it."""

from __future__ import annotations

import numpy as np
import pytest

from powerdesk.triage import learn
from tests.triage.conftest import fit, small_rows


@pytest.fixture(scope="module")
def trained_again(small_model) -> learn.TriageModel:
    """The session's small model trained a second time, from the same rows and seed (one fit shared by
    the tests of determinism)."""
    return fit(small_rows(), seed=1)


def test_training_on_a_small_corpus_is_deterministic_with_a_seed(small_model, trained_again):
    first, second = small_model, trained_again
    for target, clf in first.classifiers.items():
        assert np.array_equal(clf.coef_, second.classifiers[target].coef_), target
    text = "我家门口的电线掉在地上了"
    assert {k: (v.label, v.confidence) for k, v in first.predict(text).items()} == {
        k: (v.label, v.confidence) for k, v in second.predict(text).items()
    }


def test_it_suggests_each_target_with_a_confidence_and_the_words_that_drove_it(small_model):
    answer = small_model.predict("你好，路边的电线断了掉在地上，还在冒火花")
    assert answer["business_type"].label == "repair"
    assert answer["topic"].label == "fault_repair"
    assert 0 < answer["topic"].confidence <= 1
    assert answer["topic"].words and all(isinstance(w, str) for w in answer["topic"].words)


def test_a_sub_type_is_one_of_the_suggested_business_type(small_model):
    answer = small_model.predict("申请新装一户居民用电")
    assert small_model.sub_type_parent[answer["sub_type"].label] == answer["business_type"].label


def test_the_served_row_equals_the_vectorisers_features(small_model):
    # row() recomputes what the fitted vectorisers give, without their per-call overhead
    for text in ("钱交了还没来电，帮我复电", "不是投诉，就是提个建议", "停电了"):
        assert np.allclose(small_model.row(text).toarray(), small_model.features([text]).toarray(), atol=1e-6)


def test_numbers_and_phone_numbers_become_placeholders():
    assert learn.normalise("电话13812345678，户号1234567890") == "电话〔电话〕，户号〔号码〕"


def test_a_stored_model_loads_back_the_same(small_model):
    again = learn.loads(small_model.dumps())
    assert (
        again.predict("家里没电了")["business_type"].label
        == small_model.predict("家里没电了")["business_type"].label
    )


def test_evaluation_reports_macro_f1_and_urgent_recall(small_model):
    metrics = learn.evaluate(small_model, small_rows(every=11))
    assert {"business_type_macro_f1", "topic_macro_f1", "urgent_recall", "score"} <= set(metrics)


def test_archived_words_lose_phones_ids_names_and_addresses_before_training():
    from powerdesk.triage.training import scrub

    text = "我是张三，电话13812345678，身份证110101199001011234，住和平路12号3栋201室，家里没电"
    clean = scrub(text, names=("张三",), address="")
    for secret in ("张三", "13812345678", "110101199001011234", "和平路12号"):
        assert secret not in clean
    assert "家里没电" in clean and "〔姓名〕" in clean and "〔电话〕" in clean


def test_the_urgent_threshold_is_chosen_on_held_out_training_rows_and_never_above_a_half(
    small_model, trained_again
):
    first, second = small_model, trained_again
    assert 0 < first.urgent_threshold <= 0.5
    assert first.urgent_threshold == second.urgent_threshold


def test_the_urgent_confidence_is_the_calibrated_probability_of_the_label_said(small_model):
    slope, intercept = small_model.urgent_calibration
    assert slope > 0  # calibration keeps the order of the raw probabilities
    clf = small_model.classifiers["urgent"]
    for text in ("小区门口的电线断了掉在地上", "请问电费怎么交"):
        raw = learn._proba(clf, small_model.row(text))[list(clf.classes_).index("1")]
        hazard = 1 / (1 + np.exp(-(slope * np.log(raw / (1 - raw)) + intercept)))
        said = small_model.predict(text)["urgent"]
        expected = hazard if said.label == "1" else 1 - hazard
        assert abs(said.confidence - expected) < 1e-9


def test_an_urgent_probability_at_the_threshold_says_urgent(small_model):
    clf = small_model.classifiers["urgent"]
    proba = learn._proba(clf, small_model.row("小区门口的电线断了掉在地上"))
    said = small_model.predict("小区门口的电线断了掉在地上")["urgent"].label
    assert said == ("1" if proba[list(clf.classes_).index("1")] >= small_model.urgent_threshold else "0")
