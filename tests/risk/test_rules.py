"""The risk score as a pure function: points per factor within their caps, reasons that add up, the
lexicon matched once per term, the alert's rule."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from powerdesk.risk import rules


@dataclass(frozen=True)
class Factor:
    code: str
    weight: int
    cap: int
    is_active: bool = True


@dataclass(frozen=True)
class Term:
    term: str
    weight: int


# The seeded weights (risk migration 0002).
SEEDED = [
    Factor(rules.REPEAT_CALL, 25, 50),
    Factor(rules.ANGRY_WORDING, 5, 40),
    Factor(rules.CHASE, 15, 45),
    Factor(rules.CLOCK_BREACHED, 20, 40),
    Factor(rules.CLOCK_NEAR, 10, 20),
    Factor(rules.SENSITIVE, 20, 20),
    Factor(rules.EARLIER_COMPLAINT, 15, 30),
]
TERMS = [Term("今晚必须", 3), Term("态度恶劣", 4), Term("投诉", 3), Term("凭什么", 2)]

counts = st.integers(min_value=0, max_value=50)
inputs = st.builds(
    rules.RiskInputs,
    contacts=st.integers(min_value=1, max_value=50),
    chases=counts,
    breached=counts,
    near_breach=counts,
    sensitive=st.booleans(),
    earlier_complaints=counts,
    texts=st.lists(st.text(alphabet="今晚必须态度恶劣投诉凭什么停电了 ", max_size=30), max_size=4),
)
factors = st.lists(
    st.builds(
        Factor,
        code=st.sampled_from(rules.FACTORS),
        weight=st.integers(min_value=0, max_value=100),
        cap=st.integers(min_value=0, max_value=100),
        is_active=st.booleans(),
    ),
    unique_by=lambda f: f.code,
)


@given(inputs, factors)
def test_the_score_is_the_sum_of_its_reasons_each_within_its_cap(given_inputs, given_factors):
    result = rules.risk_score(given_inputs, factors=given_factors, terms=TERMS)
    by_code = {f.code: f for f in given_factors}
    assert result.score == sum(r.points for r in result.reasons)
    for reason in result.reasons:
        factor = by_code[reason.code]
        assert factor.is_active and 0 < reason.points <= factor.cap
        assert reason.points == min(factor.cap, factor.weight * reason.count)
    assert [r.points for r in result.reasons] == sorted((r.points for r in result.reasons), reverse=True)


@given(inputs, st.sampled_from(["contacts", "chases", "breached", "near_breach", "earlier_complaints"]))
def test_more_of_anything_never_lowers_the_score(given_inputs, field):
    more = rules.RiskInputs(**{**given_inputs.__dict__, field: getattr(given_inputs, field) + 1})
    assert (
        rules.risk_score(more, factors=SEEDED, terms=TERMS).score
        >= rules.risk_score(given_inputs, factors=SEEDED, terms=TERMS).score
    )


@given(inputs)
def test_without_weights_nothing_scores(given_inputs):
    assert rules.risk_score(given_inputs, factors=[], terms=TERMS) == rules.RiskResult(score=0)


def test_a_first_call_in_calm_words_scores_nothing():
    result = rules.risk_score(
        rules.RiskInputs(texts=["家里停电了，请派人来看看"]), factors=SEEDED, terms=TERMS
    )
    assert result.score == 0 and result.reasons == ()


def test_the_case_books_second_call_scores_the_repeat_and_its_words():
    texts = ["表箱着火冒烟，家里没电", "第二次来电：今晚必须来电！抢修人员态度恶劣，说话难听"]
    result = rules.risk_score(rules.RiskInputs(contacts=2, texts=texts), factors=SEEDED, terms=TERMS)
    assert [(r.code, r.points) for r in result.reasons] == [
        (rules.ANGRY_WORDING, 35),
        (rules.REPEAT_CALL, 25),
    ]
    assert result.reasons[0].terms == ("态度恶劣", "今晚必须")
    assert result.score == 60


def test_a_term_counts_once_however_often_and_however_spaced():
    once = rules.matched_terms(["投诉"], TERMS)
    assert rules.matched_terms(["我要投诉，投 诉，投诉！"], TERMS) == once == [("投诉", 3)]


def test_an_inactive_factor_or_a_zero_weight_term_gives_nothing():
    factors = [Factor(rules.REPEAT_CALL, 25, 50, is_active=False), Factor(rules.ANGRY_WORDING, 5, 40)]
    result = rules.risk_score(
        rules.RiskInputs(contacts=3, texts=["投诉"]), factors=factors, terms=[Term("投诉", 0)]
    )
    assert result.score == 0


def test_a_customers_score_is_their_riskiest_order_or_their_own():
    own = rules.customer_score(
        sensitive=True, earlier_complaints=1, orders=[rules.RiskResult(score=10)], factors=SEEDED
    )
    assert own.score == 35 and {r.code for r in own.reasons} == {rules.SENSITIVE, rules.EARLIER_COMPLAINT}
    riskiest = rules.RiskResult(score=80, reasons=(rules.Reason(rules.REPEAT_CALL, 2, 50),))
    calm = rules.RiskResult(score=40)
    assert (
        rules.customer_score(sensitive=True, earlier_complaints=1, orders=[calm, riskiest], factors=SEEDED)
        == riskiest
    )
    assert rules.customer_score(sensitive=False, earlier_complaints=0, orders=[], factors=SEEDED).score == 0


def test_a_stored_result_reads_back_as_it_was():
    result = rules.risk_score(
        rules.RiskInputs(contacts=2, texts=["今晚必须来电"]), factors=SEEDED, terms=TERMS
    )
    assert rules.result_from_data(result.score, result.reasons_data()) == result


def test_the_alert_is_due_once_at_or_above_the_threshold_and_never_with_the_alert_off():
    assert rules.alert_due(score=50, threshold=50, alerted=False)
    assert not rules.alert_due(score=49, threshold=50, alerted=False)
    assert not rules.alert_due(score=90, threshold=50, alerted=True)  # told once per order
    assert not rules.alert_due(score=90, threshold=0, alerted=False)  # threshold 0: alert off
