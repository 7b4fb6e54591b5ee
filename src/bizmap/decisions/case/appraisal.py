"""Business case appraisal (semantics §8): is an IT investment worth it, in money and over time?

This module owns everything computed from a case as written: the cash flows by year, NPV,
IRR, ROI, payback and discounted payback (``evaluate``). The case itself is
``bizmap.decisions.case.spec`` and its checks ``bizmap.decisions.case.checks``; the
Monte Carlo is ``bizmap.decisions.case.simulation``, the tornado
``bizmap.decisions.case.sensitivity`` and the ``--json`` document
``bizmap.decisions.case.document``. Pure computation: reading files is
``bizmap.decisions.case.files``'s job.

Timing convention (§8): ``once`` costs are paid at t = 0; ``per_year`` costs and benefits
at the end of years 1..H. Year t's cash flow is Σ benefits × ramp[t] − Σ yearly costs;
year 0's is − Σ once costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq

from bizmap.decisions.case.spec import CaseSpec

Kind = Literal["cost", "benefit"]


@dataclass(frozen=True)
class Item:
    """One cost or benefit as signed money per year, t = 0..H (costs negative)."""

    name: str
    kind: Kind
    amounts: npt.NDArray[np.float64]


def items_of(spec: CaseSpec) -> list[Item]:
    """Every cost and benefit, in the order written (costs first), as signed yearly amounts."""
    horizon = spec.horizon_years
    items: list[Item] = []
    for cost in spec.costs:
        amounts = np.zeros(horizon + 1)
        if cost.once is not None:
            amounts[0] = -cost.once
        else:
            assert cost.per_year is not None  # one of the two: CostSpec checks it
            yearly = np.full(horizon, cost.per_year)
            if cost.ramp is not None:
                yearly = yearly * np.asarray(cost.ramp, dtype=float)
            if cost.years is not None:
                paid = np.zeros(horizon)
                paid[[y - 1 for y in cost.years]] = 1.0
                yearly = yearly * paid
            amounts[1:] = -yearly
        items.append(Item(cost.name, "cost", amounts))
    for benefit in spec.benefits:
        if benefit.per_year is None:
            raise ValueError(
                f"benefit {benefit.name!r}: per_year_from {benefit.per_year_from!r} was not resolved; "
                "load the case with bizmap.decisions.case.files"
            )
        amounts = np.zeros(horizon + 1)
        ramp = np.ones(horizon) if benefit.ramp is None else np.asarray(benefit.ramp, dtype=float)
        amounts[1:] = benefit.per_year * ramp
        items.append(Item(benefit.name, "benefit", amounts))
    return items


def discount_factors(rate: float, horizon: int) -> npt.NDArray[np.float64]:
    """1 / (1 + r)^t for t = 0..H."""
    return np.asarray((1.0 + rate) ** -np.arange(horizon + 1, dtype=float), dtype=np.float64)


@dataclass(frozen=True)
class YearFlow:
    """One year's cash flow (year 0 is now); costs are positive numbers here."""

    year: int
    benefits: float
    costs: float
    net: float
    discounted: float
    cumulative: float
    cumulative_discounted: float


@dataclass(frozen=True)
class CaseResult:
    currency: str
    discount_rate: float
    horizon_years: int
    flows: tuple[YearFlow, ...]
    npv: float
    irr: float | None
    irr_roots: tuple[float, ...]  # every rate where NPV = 0 (more than one: IRR is ambiguous)
    roi: float | None  # None when nothing is spent
    total_benefits: float
    total_costs: float
    payback_years: float | None
    discounted_payback_years: float | None


def npv(flows: Sequence[float] | npt.NDArray[np.float64], rate: float) -> float:
    """Σ CF_t / (1 + r)^t, t = 0..H."""
    values = np.asarray(flows, dtype=float)
    return float(values @ discount_factors(rate, len(values) - 1))


# The IRR search grid: dense near the rates people meet, sparse towards the extremes.
_IRR_GRID = np.unique(
    np.concatenate(
        [
            -1.0 + np.geomspace(1e-4, 0.5, 400),  # -99.99 % .. -50 %
            np.linspace(-0.5, 1.0, 1501),  # -50 % .. 100 % by 0.1 %
            np.geomspace(1.0, 1e12, 1200),  # 100 % .. 10^14 % (one year's return of a million times)
        ]
    )
)


def irr_roots(flows: Sequence[float] | npt.NDArray[np.float64]) -> tuple[float, ...]:
    """Every rate r in [-99.99 %, 10^14 %] where NPV(r) = 0, ascending.

    NPV is evaluated on a grid; each sign change is bracketed and solved with Brent's
    method. Conventional flows (one change of sign: spend, then earn) have exactly one
    root; flows that change sign several times may have several, or none.
    """
    values = np.asarray(flows, dtype=float)
    if not np.any(values > 0) or not np.any(values < 0):
        return ()  # money only goes one way: no rate makes NPV zero
    t = np.arange(len(values), dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        on_grid = ((1.0 + _IRR_GRID)[:, None] ** -t[None, :]) @ values

    def at(rate: float) -> float:
        return float(values @ (1.0 + rate) ** -t)

    roots: list[float] = []
    signs = np.sign(on_grid)
    for i in range(len(_IRR_GRID) - 1):
        if signs[i] == 0:
            roots.append(float(_IRR_GRID[i]))
        elif signs[i] * signs[i + 1] < 0:
            root = brentq(
                at, float(_IRR_GRID[i]), float(_IRR_GRID[i + 1]), xtol=1e-13, rtol=1e-13, maxiter=200
            )
            roots.append(float(root))
    if signs[-1] == 0:
        roots.append(float(_IRR_GRID[-1]))
    return tuple(roots)


def choose_irr(roots: Sequence[float]) -> float | None:
    """The IRR reported: the only root, or, when there are several, the one closest to 0 %
    (numpy-financial's convention); None when there is none."""
    if not roots:
        return None
    return min(roots, key=lambda r: (abs(r), r))


def payback(flows: Sequence[float] | npt.NDArray[np.float64]) -> float | None:
    """The first time the cumulative flow climbs back to 0, in years, interpolated linearly
    within the year; 0 when it is never negative; None when it never gets back to 0."""
    cumulative = 0.0
    was_negative = False
    for year, flow in enumerate(flows):
        before = cumulative
        cumulative = before + float(flow)
        if year > 0 and before < 0 <= cumulative:
            return (year - 1) + (-before) / float(flow)
        was_negative = was_negative or cumulative < 0
    return None if was_negative else 0.0


def evaluate(spec: CaseSpec) -> CaseResult:
    """Cash flows by year and NPV, IRR, ROI, payback and discounted payback (§8)."""
    items = items_of(spec)
    horizon = spec.horizon_years
    zeros = np.zeros(horizon + 1)
    benefits = sum((i.amounts for i in items if i.kind == "benefit"), zeros.copy())
    costs = -sum((i.amounts for i in items if i.kind == "cost"), zeros.copy())
    net = benefits - costs
    factors = discount_factors(spec.discount_rate, horizon)
    discounted = net * factors
    cumulative = np.cumsum(net)
    cumulative_discounted = np.cumsum(discounted)
    flows = tuple(
        YearFlow(
            year=t,
            benefits=float(benefits[t]),
            costs=float(costs[t]),
            net=float(net[t]),
            discounted=float(discounted[t]),
            cumulative=float(cumulative[t]),
            cumulative_discounted=float(cumulative_discounted[t]),
        )
        for t in range(horizon + 1)
    )
    total_benefits, total_costs = float(benefits.sum()), float(costs.sum())
    roots = irr_roots(net)
    return CaseResult(
        currency=spec.currency,
        discount_rate=spec.discount_rate,
        horizon_years=horizon,
        flows=flows,
        npv=float(discounted.sum()),
        irr=choose_irr(roots),
        irr_roots=roots,
        roi=(total_benefits - total_costs) / total_costs if total_costs > 0 else None,
        total_benefits=total_benefits,
        total_costs=total_costs,
        payback_years=payback(net),
        discounted_payback_years=payback(discounted),
    )
