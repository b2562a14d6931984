"""The prediction rules as pure functions: figures by scope and mode, the transformer threshold, roll-up
children, and which device may be blamed."""

from __future__ import annotations

import datetime as dt

from powerdesk.outages import prediction_rules as r

NORMAL = r.Figures(
    min_calls=3,
    min_percent=30,
    window=dt.timedelta(minutes=30),
    rollup_children=2,
    probable_after=dt.timedelta(minutes=15),
)
STORM = r.Figures(
    min_calls=5,
    min_percent=40,
    window=dt.timedelta(minutes=60),
    rollup_children=3,
    probable_after=dt.timedelta(minutes=10),
    percent_min_calls=3,
    storm=True,
)
EAST = r.Figures(
    min_calls=4,
    min_percent=50,
    window=dt.timedelta(minutes=20),
    rollup_children=2,
    probable_after=dt.timedelta(minutes=5),
)
ROWS = [r.RuleRow(None, False, NORMAL), r.RuleRow(None, True, STORM), r.RuleRow(7, False, EAST)]


def test_the_nearest_units_row_of_the_mode_in_force_applies():
    assert r.figures_for(ROWS, [12, 7, 1], storm=False) is EAST
    assert r.figures_for(ROWS, [12, 3, 1], storm=False) is NORMAL
    assert r.figures_for(ROWS, [12, 7, 1], storm=True) is STORM
    assert r.figures_for([r.RuleRow(None, False, NORMAL)], [12], storm=True) is NORMAL
    assert r.figures_for([], [12], storm=False) is None


def test_storm_mode_is_on_for_its_unit_subtree_or_everywhere():
    assert r.storm_on([7], [12, 7, 1])
    assert not r.storm_on([8], [12, 7, 1])
    assert r.storm_on([None], [])


def test_a_transformer_is_predicted_by_n_callers_or_by_p_percent_of_its_customers():
    assert r.transformer_predicted(callers=3, customers=100, figures=NORMAL)
    assert not r.transformer_predicted(callers=2, customers=100, figures=NORMAL)
    assert r.transformer_predicted(callers=2, customers=6, figures=NORMAL)  # 33 % ≥ 30 %
    assert not r.transformer_predicted(callers=2, customers=7, figures=NORMAL)  # 28 %
    # one caller is never an outage, even alone on a one-customer transformer
    assert not r.transformer_predicted(callers=1, customers=1, figures=NORMAL)
    assert not r.transformer_predicted(callers=2, customers=2, figures=STORM)  # P counts from 3 in a storm


def test_the_cheap_gate_lets_through_whatever_could_pass():
    assert not r.may_predict(1, NORMAL) and r.may_predict(2, NORMAL)
    assert not r.may_predict(2, STORM) and r.may_predict(3, STORM)


def test_a_customer_with_power_proves_only_what_all_their_supplies_share():
    assert r.energised_by_customer([[1, 2, 5, 9]]) == {1, 2, 5, 9}
    assert r.energised_by_customer([[1, 2, 5, 9], [1, 3, 6, 10]]) == {1}
    assert r.energised_by_customer([]) == set()


def test_blame_skips_closed_devices_and_stops_at_energised_ones():
    chain = [1, 2, 3, 4]  # substation, feeder, fuse, transformer
    assert r.blame(chain, energised=set(), closed=set()) == 4
    assert r.blame(chain, energised=set(), closed={4}) == 3
    assert r.blame(chain, energised=set(), closed={4, 3}) == 2
    assert r.blame(chain, energised={4}, closed=set()) is None
    assert r.blame(chain, energised={2}, closed={4, 3}) is None


def test_roll_up_counts_children_with_a_prediction_at_or_below_them():
    fuse = [1, 2, 3]
    predictions = [[1, 2, 3, 4], [1, 2, 3, 5, 8], [1, 2, 3, 4], [1, 2, 6], [1, 2, 3]]
    assert r.children_with_predictions(fuse, predictions) == {4, 5}
    assert r.rolls_up(2, NORMAL) and not r.rolls_up(2, STORM)


def test_window_and_probable_times():
    now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    assert r.window_start(now, NORMAL) == now - dt.timedelta(minutes=30)
    assert r.probable_at(now, STORM) == now + dt.timedelta(minutes=10)
