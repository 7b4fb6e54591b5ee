"""BIA thresholds: every number the derivation uses, with its defaults.

This module owns ``Thresholds`` (cost and people bands and the size of organisation they are
written for, the tier policies, the workaround relief, the MTPD cap, the cost ladder of
availability targets) and its defaults (``DEFAULT_THRESHOLDS``, documented in docs/bia.md);
a thresholds file overrides any of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from bizmap.domain.model import Strict


class TierPolicy(Strict):
    target: float = Field(gt=0, lt=100)
    rto_hours: float = Field(ge=0)
    rpo_hours: float = Field(ge=0)
    mtpd_hours: float = Field(gt=0)


class Bands(Strict):
    """Lower bounds: at or above ``mission_critical`` is band 1, and so on; below the last, band 4."""

    mission_critical: float = Field(ge=0)
    business_critical: float = Field(ge=0)
    business_operational: float = Field(ge=0)

    @model_validator(mode="after")
    def _descending(self) -> Bands:
        if not self.mission_critical >= self.business_critical >= self.business_operational:
            raise ValueError(
                "bands must not increase: mission_critical >= business_critical >= business_operational"
            )
        return self

    def scaled(self, factor: float) -> Bands:
        """Every bound times ``factor`` (an organisation's size against the reference)."""
        return Bands(
            mission_critical=self.mission_critical * factor,
            business_critical=self.business_critical * factor,
            business_operational=self.business_operational * factor,
        )

    def band(self, value: float) -> int:
        if value >= self.mission_critical:
            return 1
        if value >= self.business_critical:
            return 2
        if value >= self.business_operational:
            return 3
        return 4


class Rung(Strict):
    target: float = Field(gt=0, lt=100)
    cost_per_year: float = Field(ge=0)


DEFAULT_TIERS = {
    0: TierPolicy(target=99.95, rto_hours=1, rpo_hours=0.25, mtpd_hours=4),
    1: TierPolicy(target=99.9, rto_hours=4, rpo_hours=1, mtpd_hours=24),
    2: TierPolicy(target=99.5, rto_hours=8, rpo_hours=4, mtpd_hours=48),
    3: TierPolicy(target=99.0, rto_hours=24, rpo_hours=24, mtpd_hours=120),
    4: TierPolicy(target=98.0, rto_hours=72, rpo_hours=24, mtpd_hours=336),
}
DEFAULT_LADDER = (
    Rung(target=98.0, cost_per_year=0),
    Rung(target=99.0, cost_per_year=10_000),
    Rung(target=99.5, cost_per_year=30_000),
    Rung(target=99.9, cost_per_year=100_000),
    Rung(target=99.95, cost_per_year=250_000),
    Rung(target=99.99, cost_per_year=750_000),
    Rung(target=99.999, cost_per_year=2_500_000),
)


class Thresholds(Strict):
    """Every number the derivation uses; a thresholds file overrides any of them."""

    cost_per_hour_bands: Bands = Bands(
        mission_critical=50_000, business_critical=5_000, business_operational=500
    )
    people_bands: Bands = Bands(mission_critical=1_000, business_critical=100, business_operational=10)
    # the organisation the bands are written for: an average hour's revenue of 100,000, 2,000
    # staff; a questionnaire stating the organisation's size scales the bands by size / reference
    reference_annual_revenue: float = Field(876_000_000, gt=0)
    reference_staff: int = Field(2_000, gt=0)
    workaround_relief_hours: float = Field(8, ge=0)
    tiers: dict[int, TierPolicy] = DEFAULT_TIERS
    mtpd_cap_hours: float = Field(168, gt=0)
    rto_share_of_mtpd: float = Field(0.5, gt=0, le=1)
    hours_mismatch_weekly_hours: float = Field(4, ge=0)
    cost_ladder: tuple[Rung, ...] = DEFAULT_LADDER
    sla_period: Literal["day", "week", "month", "quarter"] = "month"

    @field_validator("tiers", mode="before")
    @classmethod
    def _tiers_merge_over_defaults(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            unknown = [key for key in value if key not in DEFAULT_TIERS]
            if unknown:
                raise ValueError(f"unknown tier {unknown[0]!r}: tiers are 0 to 4")
            return {**DEFAULT_TIERS, **value}
        return value

    @field_validator("cost_ladder")
    @classmethod
    def _ladder_climbs(cls, value: tuple[Rung, ...]) -> tuple[Rung, ...]:
        if not value:
            raise ValueError("cost_ladder needs at least one rung")
        for lower, upper in pairwise(value):
            if upper.target <= lower.target or upper.cost_per_year < lower.cost_per_year:
                raise ValueError(
                    f"cost_ladder must climb: rung {upper.target} comes after {lower.target} "
                    "and must have a higher target and no lower cost"
                )
        return value


DEFAULT_THRESHOLDS = Thresholds()
