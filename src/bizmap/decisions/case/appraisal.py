"""Business cases (semantics §8): is an IT investment worth it, in money and over time?

This module owns the case as written (``CaseSpec``: costs, benefits, ranges), its checks,
and everything computed from it: the cash flows by year, NPV, IRR, ROI, payback and
discounted payback, the Monte Carlo over the ranged inputs, the tornado of which input
matters most, and the ``--json`` document. Pure computation: reading files is
``bizmap.decisions.case.files``'s job.

Timing convention (§8): ``once`` costs are paid at t = 0; ``per_year`` costs and benefits
at the end of years 1..H. Year t's cash flow is Σ benefits × ramp[t] − Σ yearly costs;
year 0's is − Σ once costs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from scipy.optimize import brentq

from bizmap.errors import BizmapError

MAX_HORIZON_YEARS = 50  # keeps (1 + r)^-t finite over the whole IRR search range
DEFAULT_RANGE = 0.2  # tornado without ranges: every cost and benefit at ±20 %
MAX_RUNS = 1_000_000

Kind = Literal["cost", "benefit"]
Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Multiplier = Annotated[float, Field(ge=0, allow_inf_nan=False)]
ItemName = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    # strict: "800000" is text, not money; true is not a number. Unknown keys are errors.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True)


class CostSpec(_Strict):
    """A cost: ``once`` (paid at t = 0) or ``per_year`` (at the end of years 1..H).

    A yearly cost may be limited to some ``years`` (e.g. [1, 2] for a two-year project
    team) or scaled per year by a ``ramp`` (one multiplier per year), not both.
    """

    name: ItemName
    description: str | None = None
    once: Money | None = None
    per_year: Money | None = None
    years: list[Annotated[int, Field(ge=1)]] | None = None
    ramp: list[Multiplier] | None = None

    @model_validator(mode="after")
    def _one_timing(self) -> CostSpec:
        if (self.once is None) == (self.per_year is None):
            raise ValueError("give exactly one of 'once' (paid at t = 0) or 'per_year' (end of each year)")
        if self.once is not None and (self.years is not None or self.ramp is not None):
            raise ValueError(
                "'years' and 'ramp' apply to a 'per_year' cost only; a 'once' cost is paid at t = 0"
            )
        if self.years is not None and self.ramp is not None:
            raise ValueError(
                "give 'years' or 'ramp', not both (a ramp of 0s and 1s says the same as 'years')"
            )
        return self


class BenefitSpec(_Strict):
    """A yearly benefit (end of years 1..H), scaled per year by ``ramp`` (default 1).

    ``per_year_from`` names the JSON of ``bizmap availability --dial``: its
    ``downtime_cost_avoided_per_year`` becomes ``per_year`` when the case file is loaded.
    """

    name: ItemName
    description: str | None = None
    per_year: Money | None = None
    per_year_from: Annotated[str, Field(min_length=1)] | None = None
    ramp: list[Multiplier] | None = None

    @model_validator(mode="after")
    def _one_amount(self) -> BenefitSpec:
        if (self.per_year is None) == (self.per_year_from is None):
            raise ValueError(
                "give exactly one of 'per_year' (money a year) or 'per_year_from' (an availability dial JSON)"
            )
        return self


class RangeSpec(_Strict):
    """A triangular multiplier on one cost or benefit: low ≤ mode ≤ high (1 = as written)."""

    low: Multiplier
    mode: Multiplier
    high: Multiplier

    @model_validator(mode="after")
    def _ordered(self) -> RangeSpec:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"need low ≤ mode ≤ high (got {self.low}, {self.mode}, {self.high})")
        return self


class CaseSpec(_Strict):
    """A business case as written (semantics §8)."""

    name: ItemName
    description: str | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"
    horizon_years: Annotated[int, Field(ge=1, le=MAX_HORIZON_YEARS)]
    discount_rate: Annotated[float, Field(gt=-1, le=1, allow_inf_nan=False)]
    costs: list[CostSpec] = Field(default_factory=list)
    benefits: list[BenefitSpec] = Field(default_factory=list)
    uncertainty: dict[str, RangeSpec] = Field(default_factory=dict)

    @field_validator("discount_rate", mode="before")
    @classmethod
    def _rate_as_fraction(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().endswith("%"):
            raise ValueError(f"write the rate as a fraction: 0.08 for 8 % (got {value!r})")
        return value


# --- checks ------------------------------------------------------------------------------------

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class CaseIssue:
    """One error in a case, at the path of the offending key (``("benefits", 0, "ramp")``)."""

    path: FieldPath
    message: str


class CaseInvalid(BizmapError):
    """The case has errors; ``issues`` lists every one found."""

    def __init__(self, issues: Sequence[CaseIssue]) -> None:
        self.issues = list(issues)
        super().__init__("; ".join(f"{render_path(i.path) or '(case)'}: {i.message}" for i in self.issues))


def render_path(path: Sequence[str | int]) -> str:
    """``("benefits", 0, "ramp")`` -> ``benefits[0].ramp``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _describe(error: Mapping[str, Any]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}; remove it or fix its spelling"
    if kind == "missing":
        return f"missing required key {loc[-1]!r}"
    if kind in ("value_error", "assertion_error"):
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return f"{error['msg']} (got {error.get('input')!r})"


def parse_case(data: Any) -> CaseSpec:
    """Validate plain data (as YAML or JSON would give it); raise ``CaseInvalid`` listing all issues."""
    if not isinstance(data, dict):
        raise CaseInvalid([CaseIssue((), "a case is a mapping with name, horizon_years, discount_rate, ...")])
    try:
        spec = CaseSpec.model_validate(data)
    except ValidationError as error:
        # a check of a whole item (once vs per_year) is located at the item, others at the key
        issues = [CaseIssue(tuple(detail["loc"]), _describe(detail)) for detail in error.errors()]
        raise CaseInvalid(issues) from None
    issues = check_case(spec)
    if issues:
        raise CaseInvalid(issues)
    return spec


def check_case(spec: CaseSpec) -> list[CaseIssue]:
    """The checks that need the whole case: ramps and years against the horizon, names."""
    issues: list[CaseIssue] = []
    horizon = spec.horizon_years
    if not spec.costs and not spec.benefits:
        issues.append(CaseIssue((), "a case needs at least one cost or benefit"))
    seen: dict[str, FieldPath] = {}
    items: list[tuple[str, int, CostSpec | BenefitSpec]] = [
        *(("costs", i, c) for i, c in enumerate(spec.costs)),
        *(("benefits", i, b) for i, b in enumerate(spec.benefits)),
    ]
    for section, i, item in items:
        path: FieldPath = (section, i)
        if item.name in seen:
            issues.append(
                CaseIssue(
                    (*path, "name"),
                    f"name {item.name!r} is used twice (also at {render_path(seen[item.name])}): "
                    "uncertainty refers to items by name, so names must be unique",
                )
            )
        else:
            seen[item.name] = path
        if item.ramp is not None and len(item.ramp) != horizon:
            issues.append(
                CaseIssue(
                    (*path, "ramp"),
                    f"{item.name!r}: ramp has {len(item.ramp)} value(s) but horizon_years is {horizon}: "
                    "give one multiplier per year",
                )
            )
        if isinstance(item, CostSpec) and item.years is not None:
            outside = sorted({y for y in item.years if y > horizon})
            if outside:
                issues.append(
                    CaseIssue(
                        (*path, "years"),
                        f"{item.name!r}: year(s) {outside} lie beyond horizon_years {horizon}",
                    )
                )
            if len(set(item.years)) != len(item.years):
                issues.append(CaseIssue((*path, "years"), f"{item.name!r}: a year is listed twice"))
    for name in spec.uncertainty:
        if name not in seen:
            known = ", ".join(repr(n) for n in seen) or "none"
            issues.append(
                CaseIssue(
                    ("uncertainty", name),
                    f"no cost or benefit is named {name!r} (names: {known})",
                )
            )
    return issues


def with_benefit_amounts(spec: CaseSpec, amounts: Mapping[int, float]) -> CaseSpec:
    """The case with ``per_year`` set for the benefits at these indexes (``per_year_from`` resolved)."""
    benefits = [
        b.model_copy(update={"per_year": amounts[i], "per_year_from": None}) if i in amounts else b
        for i, b in enumerate(spec.benefits)
    ]
    return spec.model_copy(update={"benefits": benefits})


# --- cash flows and the figures of §8 ----------------------------------------------------------


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


# --- uncertainty: Monte Carlo and tornado ------------------------------------------------------


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


@dataclass(frozen=True)
class TornadoBar:
    name: str
    kind: Kind
    low: float  # the multiplier
    high: float
    npv_low: float  # NPV with this input at its low, every other at its mode
    npv_high: float

    @property
    def swing(self) -> float:
        return abs(self.npv_high - self.npv_low)


@dataclass(frozen=True)
class Tornado:
    base_npv: float  # every ranged input at its mode
    assumed_range: float | None  # DEFAULT_RANGE when the case gives no ranges
    bars: tuple[TornadoBar, ...]  # largest swing first


def tornado(spec: CaseSpec) -> Tornado:
    """Which input moves NPV most: each ranged input at its low and at its high, the others
    at their mode. Without ranges, every cost and benefit at ±20 % (``assumed_range``)."""
    items = items_of(spec)
    factors = discount_factors(spec.discount_rate, spec.horizon_years)
    item_npvs = {i.name: float(i.amounts @ factors) for i in items}
    if spec.uncertainty:
        spans = {name: (r.low, r.mode, r.high) for name, r in spec.uncertainty.items()}
        assumed = None
    else:
        spans = {i.name: (1 - DEFAULT_RANGE, 1.0, 1 + DEFAULT_RANGE) for i in items}
        assumed = DEFAULT_RANGE
    base = sum(item_npvs[name] * spans.get(name, (1.0, 1.0, 1.0))[1] for name in item_npvs)
    bars = []
    for item in items:
        if item.name not in spans:
            continue
        low, mode, high = spans[item.name]
        own = item_npvs[item.name]
        bars.append(
            TornadoBar(
                name=item.name,
                kind=item.kind,
                low=low,
                high=high,
                npv_low=base + own * (low - mode),
                npv_high=base + own * (high - mode),
            )
        )
    bars.sort(key=lambda b: (-b.swing, b.name))
    return Tornado(base_npv=base, assumed_range=assumed, bars=tuple(bars))


# --- the --json document -----------------------------------------------------------------------


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def case_document(
    result: CaseResult,
    simulation: Simulation | None = None,
    tornado_result: Tornado | None = None,
    cash_flows: bool = False,
) -> dict[str, Any]:
    """``bizmap case --json`` (§8): money to 2 decimals, rates and fractions to 6, years to 6.

    The five keys of §8 always; the Monte Carlo keys with a simulation; ``tornado``,
    ``currency`` and ``cash_flows`` only when asked for (extensions).
    """
    document: dict[str, Any] = {
        "npv": round(result.npv, 2),
        "irr": _rate(result.irr),
        "roi": _rate(result.roi),
        "payback_years": _rate(result.payback_years),
        "discounted_payback_years": _rate(result.discounted_payback_years),
    }
    if simulation is not None:
        document.update(
            npv_p10=round(simulation.npv_p10, 2),
            npv_p50=round(simulation.npv_p50, 2),
            npv_p90=round(simulation.npv_p90, 2),
            probability_npv_positive=round(simulation.probability_npv_positive, 6),
        )
    if cash_flows:
        document["currency"] = result.currency
        document["cash_flows"] = [
            {
                "year": f.year,
                "benefits": round(f.benefits, 2),
                "costs": round(f.costs, 2),
                "net": round(f.net, 2),
                "discounted": round(f.discounted, 2),
                "cumulative": round(f.cumulative, 2),
                "cumulative_discounted": round(f.cumulative_discounted, 2),
            }
            for f in result.flows
        ]
    if tornado_result is not None:
        document["tornado"] = {
            "base_npv": round(tornado_result.base_npv, 2),
            "assumed_range": tornado_result.assumed_range,
            "inputs": [
                {
                    "name": b.name,
                    "kind": b.kind,
                    "low": b.low,
                    "high": b.high,
                    "npv_low": round(b.npv_low, 2),
                    "npv_high": round(b.npv_high, 2),
                    "swing": round(b.swing, 2),
                }
                for b in tornado_result.bars
            ],
        }
    return document
