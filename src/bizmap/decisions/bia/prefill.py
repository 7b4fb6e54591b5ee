"""What the model already says about a questionnaire's answers, for the template and the form.

This module owns the answers read from a service's model entry that are not copied key for key:
the time zone (the service's calendar, else its SLA calendar, else UTC), the hours it is used
(its calendar's hours; no calendar or no hours: 24x7), whether anyone needs it at 3 am (yes when
those hours cover 03:00 on any day) and, for a safety-critical service, after how many hours
down safety is at risk (as long as its workaround lasts, when the model limits it).
"""

from __future__ import annotations

from dataclasses import dataclass

from bizmap.domain.model import CalendarSpec, Model, ServiceSpec

THREE_AM = 3 * 60


@dataclass(frozen=True)
class ModelAnswers:
    timezone: str
    used: dict[str, str] | None  # the calendar's hours; None: 24x7
    needed_at_3am: bool
    safety_after_hours: float | None


def _calendar(model: Model, name: str | None) -> CalendarSpec | None:
    return model.calendars.get(name) if name else None


def _covers_3am(calendar: CalendarSpec | None) -> bool:
    week = calendar.weekly_minutes() if calendar is not None else None
    if week is None:
        return True  # all day, every day
    return any(start <= THREE_AM < end for day in week for start, end in day)


def model_answers(model: Model, service: ServiceSpec) -> ModelAnswers:
    own = _calendar(model, service.calendar)
    sla = _calendar(model, service.sla.calendar if service.sla else None)
    zone_from = own or sla
    safety_critical = service.impact is not None and service.impact.safety_critical
    workaround = service.workaround
    return ModelAnswers(
        timezone=zone_from.timezone if zone_from is not None else "UTC",
        used=dict(own.hours) if own is not None and own.hours is not None else None,
        needed_at_3am=_covers_3am(own),
        safety_after_hours=(workaround.max_hours if safety_critical and workaround is not None else None),
    )
