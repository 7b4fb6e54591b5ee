"""The BIA questionnaire: one business service's answers, as a service owner gives them.

This module owns the questionnaire's shape (``Questionnaire`` and its sections: the
organisation's size, safety, money, people, workaround, usage, data, service level) and the
checks on each answer; docs/bia.md lists every question.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from bizmap.decisions.bia.hours import Hours, week_of, weekly_hours
from bizmap.domain.model import ID_PATTERN, CalendarSpec, HolidaySpec, Strict


class SafetyAnswers(Strict):
    threatened: bool  # is anyone's life or safety threatened if the service is down?
    after_hours: float | None = Field(None, ge=0)  # ...after how long down (0: at once)
    how: str | None = None

    @model_validator(mode="after")
    def _after_when_threatened(self) -> SafetyAnswers:
        if self.threatened and self.after_hours is None:
            raise ValueError(
                "safety.after_hours is required when safety is threatened: after how many hours "
                "down is anyone at risk, with the workaround in use? (0 means at once)"
            )
        return self


class MoneyAnswers(Strict):
    lost_per_hour: float = Field(ge=0)  # revenue or income lost per hour down
    value_per_year: float | None = Field(None, ge=0)  # what the service is worth a year


class PeopleAnswers(Strict):
    cannot_work: int = Field(ge=0)  # people who cannot work while it is down
    cost_per_hour: float = Field(0.0, ge=0)  # loaded cost of one person-hour


class WorkaroundAnswers(Strict):
    exists: bool
    description: str | None = None
    impact_factor: float | None = Field(None, ge=0, le=1)  # share of the impact left on it
    max_hours: float | None = Field(None, ge=0)  # how long the business can run on it; absent: indefinitely

    @model_validator(mode="after")
    def _factor_when_it_exists(self) -> WorkaroundAnswers:
        if self.exists and self.impact_factor is None:
            raise ValueError(
                "workaround.impact_factor is required when a workaround exists: which share of "
                "the impact is left while it is used (0.3 means 30 %)"
            )
        if not self.exists and (self.impact_factor is not None or self.max_hours is not None):
            raise ValueError(
                "workaround.exists is false: remove impact_factor and max_hours, or set exists: true"
            )
        return self


class UsageAnswers(Strict):
    timezone: str = "UTC"
    used: Hours  # when people really use it, local time
    asked_for: Hours | None = None  # what the business asks for
    needed_at_3am: bool  # does anyone truly need it at 3 am?
    who_at_3am: str | None = None
    holidays: HolidaySpec = HolidaySpec()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        CalendarSpec(timezone=value)  # the model's own check and message
        return value

    @field_validator("used")
    @classmethod
    def _used_sometime(cls, value: Hours) -> Hours:
        if weekly_hours(week_of(value)) == 0:
            raise ValueError('no hours: say when it is used, e.g. {mon-fri: "08:00-18:00"} or 24x7')
        return value

    @field_validator("holidays", mode="before")
    @classmethod
    def _list_means_dates(cls, value: Any) -> Any:
        return {"dates": value} if isinstance(value, list) else value


class DataAnswers(Strict):
    loss_tolerable_hours: float | None = Field(None, ge=0)  # hours of work that may be re-entered
    notes: str | None = None


class ServiceLevelAnswers(Strict):
    asked_for: float | None = Field(None, gt=0, lt=100)  # availability asked for, percent


class OrganisationAnswers(Strict):
    """The size of the whole organisation: the cost and people bands scale with it (docs/bia.md)."""

    annual_revenue: float | None = Field(None, gt=0)  # revenue or income of the organisation a year
    staff: int | None = Field(None, gt=0)  # people the organisation employs


class Questionnaire(Strict):
    """One business service's answers (docs/bia.md lists every question)."""

    service: str = Field(pattern=ID_PATTERN)
    name: str | None = None
    owner: str | None = None
    answered_by: str | None = None
    answered_on: str | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    organisation: OrganisationAnswers = OrganisationAnswers()
    safety: SafetyAnswers
    money: MoneyAnswers
    people: PeopleAnswers
    workaround: WorkaroundAnswers
    usage: UsageAnswers
    data: DataAnswers = DataAnswers()
    service_level: ServiceLevelAnswers = ServiceLevelAnswers()
    why_important: str | None = None

    @field_validator("answered_on", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> Any:
        return None if value is None else str(value)

    @property
    def cost_per_hour(self) -> float:
        """Money lost per hour down, as the model computes it: revenue plus people's time."""
        return self.money.lost_per_hour + self.people.cannot_work * self.people.cost_per_hour
