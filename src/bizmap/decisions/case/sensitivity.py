"""The sensitivity of a business case: which input moves NPV most (the tornado).

This module owns ``tornado`` and its result (``Tornado`` of ``TornadoBar``, largest swing
first), and the range assumed when a case gives none (``DEFAULT_RANGE``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bizmap.decisions.case.appraisal import Kind, discount_factors, items_of
from bizmap.decisions.case.spec import CaseSpec

DEFAULT_RANGE = 0.2  # tornado without ranges: every cost and benefit at ±20 %


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
