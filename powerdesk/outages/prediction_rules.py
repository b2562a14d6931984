"""The prediction from calls as pure functions (no database): which figures apply, whether the callers
under one transformer make a predicted outage, whether predictions under a device's children roll up
into one at that device, and which device may be blamed given the energised proofs.

The services read the rows (``PredictionRule``, ``StormMode``, ``FaultCallMark``, ``EnergisedProof``)
and pass plain values in, so the intake hook, the periodic sweep and the tests ask the same questions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figures:
    """N, P, T, K and the timers of one ``PredictionRule`` row."""

    min_calls: int  # N
    min_percent: int  # P
    window: dt.timedelta  # T
    rollup_children: int  # K
    probable_after: dt.timedelta
    percent_min_calls: int = 2
    proof_valid: dt.timedelta = dt.timedelta(hours=1)
    storm: bool = False

    def as_data(self) -> dict[str, int | bool]:
        return {
            "n": self.min_calls,
            "p": self.min_percent,
            "t": int(self.window.total_seconds() // 60),
            "k": self.rollup_children,
            "storm": self.storm,
        }


@dataclass(frozen=True)
class RuleRow:
    unit_id: int | None  # None: everywhere
    storm: bool
    figures: Figures


def storm_on(storm_units: Iterable[int | None], unit_chain: Sequence[int]) -> bool:
    """Is a storm mode on for a place whose unit and the units above it are ``unit_chain``? A storm
    switched on without a unit is on everywhere."""
    chain = set(unit_chain)
    return any(unit is None or unit in chain for unit in storm_units)


def figures_for(rows: Sequence[RuleRow], unit_chain: Sequence[int], *, storm: bool) -> Figures | None:
    """The figures for a place (``unit_chain``: its unit and the units above it, nearest first): the
    row of the nearest unit that has one, else the row for everywhere, of the mode in force; in storm
    mode without storm rows, the normal ones. None when no row applies (prediction off)."""
    for mode in (storm, False) if storm else (False,):
        candidates = {r.unit_id: r for r in rows if r.storm == mode}
        for unit in (*unit_chain, None):
            if unit in candidates:
                return candidates[unit].figures
    return None


def may_predict(callers: int, figures: Figures) -> bool:
    """Enough callers that either test could pass (the intake's cheap gate before counting the
    transformer's customers)."""
    return callers >= min(figures.min_calls, figures.percent_min_calls)


def transformer_predicted(*, callers: int, customers: int, figures: Figures) -> bool:
    """The calling customers under one transformer within the window reach N, or P % of its customers
    (counted from ``percent_min_calls`` callers: one call from a one-customer transformer is 100 % and
    is a single customer's fault, not an outage)."""
    if callers >= figures.min_calls:
        return True
    if callers < figures.percent_min_calls or customers <= 0:
        return False
    return callers * 100 >= figures.min_percent * customers


def window_start(now: dt.datetime, figures: Figures) -> dt.datetime:
    """Calls at or after this time count (older ones have expired)."""
    return now - figures.window


def energised_by_customer(supply_chains: Sequence[Sequence[int]]) -> set[int]:
    """The devices a customer who has power proves energised: those on every one of their supplies'
    chains (a dual-supply customer with power proves only that one of the supplies is up, so only the
    devices the supplies share)."""
    if not supply_chains:
        return set()
    common = set(supply_chains[0])
    for chain in supply_chains[1:]:
        common &= set(chain)
    return common


def blame(chain: Sequence[int], *, energised: set[int], closed: set[int]) -> int | None:
    """The device to place a prediction on, given ``chain`` (root first, the candidate last): the
    candidate, or — when it was confirmed closed (not the tripped device) — the nearest device above it
    that was not. None when that device is proven energised: the calls cannot be blamed on it nor on
    anything above it (everything upstream of an energised device is energised)."""
    for device in reversed(chain):
        if device in energised:
            return None
        if device not in closed:
            return device
    return None


def children_with_predictions(
    parent_chain: Sequence[int], predicted_chains: Iterable[Sequence[int]]
) -> set[int]:
    """The children of the device whose chain (root first, itself last) is ``parent_chain`` with a
    prediction at or below them, given each prediction's device chain (root first, the device last)."""
    depth = len(parent_chain)
    children: set[int] = set()
    for chain in predicted_chains:
        if len(chain) > depth and list(chain[:depth]) == list(parent_chain):
            children.add(chain[depth])
    return children


def rolls_up(children: int, figures: Figures) -> bool:
    """Predictions under K or more children of one device roll up into one at that device."""
    return children >= figures.rollup_children


def probable_at(created_at: dt.datetime, figures: Figures) -> dt.datetime:
    return created_at + figures.probable_after
