"""The business case as written (semantics §8): costs, benefits and their ranges.

This module owns the shape of a case (``CaseSpec``, ``CostSpec``, ``BenefitSpec``,
``RangeSpec``) and the checks each item makes on its own; the checks that need the whole
case are ``bizmap.decisions.case.checks``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_HORIZON_YEARS = 50  # keeps (1 + r)^-t finite over the whole IRR search range

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


def with_benefit_amounts(spec: CaseSpec, amounts: Mapping[int, float]) -> CaseSpec:
    """The case with ``per_year`` set for the benefits at these indexes (``per_year_from`` resolved)."""
    benefits = [
        b.model_copy(update={"per_year": amounts[i], "per_year_from": None}) if i in amounts else b
        for i, b in enumerate(spec.benefits)
    ]
    return spec.model_copy(update={"benefits": benefits})
