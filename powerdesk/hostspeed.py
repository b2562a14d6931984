"""The host's speed at a moment: this machine is a VM whose speed swings by up to 2× from minute to minute
(its other tenants; no steal time shows), so a benchmark's figures and the test suite's time are recorded
beside it, and a figure from a slow minute is recognised as such."""

from __future__ import annotations

import time


def calibration_us(rounds: int = 200) -> float:
    """CPU µs for ``sum(range(1000))``, averaged over ``rounds`` (≈ 2–5 ms of work)."""
    started = time.process_time()
    for _ in range(rounds):
        sum(range(1000))
    return (time.process_time() - started) / rounds * 1e6


def sample_us(samples: int = 10) -> float:
    """The fastest of ``samples`` calibrations: a moment's speed, without a single context switch's noise."""
    return min(calibration_us() for _ in range(samples))
