"""The Monte Carlo of a business case: NPV over draws of its ranged inputs.

This module owns ``simulate`` and its result (``Simulation``: P10, P50, P90 and the
probability that NPV is positive), reproducible from a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bizmap.decisions.case.appraisal import discount_factors, items_of
from bizmap.decisions.case.spec import CaseSpec

MAX_RUNS = 1_000_000


@dataclass(frozen=True)
class Simulation:
    runs: int
    seed: int
    uncertain: tuple[str, ...]  # the items drawn from a range; every other one is as written
    npv_p10: float
    npv_p50: float
    npv_p90: float
    probability_npv_positive: float


def simulate(spec: CaseSpec, runs: int, seed: int) -> Simulation:
    """NPV over ``runs`` draws of the triangular multipliers (numpy's PCG64, seeded).

    NPV is linear in each item's amount, so a draw's NPV is Σ multiplier × the item's own
    NPV. Items are drawn in the order written; a range of zero width is a constant.
    """
    if not 1 <= runs <= MAX_RUNS:
        raise ValueError(f"runs must be between 1 and {MAX_RUNS:,} (got {runs})")
    items = items_of(spec)
    factors = discount_factors(spec.discount_rate, spec.horizon_years)
    item_npvs = np.array([i.amounts @ factors for i in items])
    rng = np.random.default_rng(seed)
    multipliers = np.ones((runs, len(items)))
    uncertain = []
    for column, item in enumerate(items):
        span = spec.uncertainty.get(item.name)
        if span is None:
            continue
        uncertain.append(item.name)
        if span.low == span.high:
            multipliers[:, column] = span.low
        else:
            multipliers[:, column] = rng.triangular(span.low, span.mode, span.high, runs)
    draws = multipliers @ item_npvs
    p10, p50, p90 = np.percentile(draws, [10, 50, 90])
    return Simulation(
        runs=runs,
        seed=seed,
        uncertain=tuple(uncertain),
        npv_p10=float(p10),
        npv_p50=float(p50),
        npv_p90=float(p90),
        probability_npv_positive=float(np.mean(draws > 0)),
    )
