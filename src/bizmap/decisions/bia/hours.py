"""Service hours: the ``Hours`` answer and the week it describes.

This module owns how a questionnaire writes hours (days with time ranges, or ``24x7``,
``Hours``), the week they describe (per weekday the merged minute ranges, ``Week``), its
length in hours, and how a week is written back: as calendar hours for the model
(``hours_spec``) and as text for a sentence (``hours_text``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

from bizmap.domain.model import (
    DAY_NAMES,
    DaySpec,
    TimeRanges,
    merge_ranges,
    parse_day_spec,
    parse_time_ranges,
)

ALWAYS: Literal["24x7"] = "24x7"
WEEK_MINUTES = 7 * 1440
ALL_WEEK = {"mon-sun": "00:00-24:00"}


def _always_as_hours(value: Any) -> Any:
    """``24x7`` is shorthand for every hour of every day; any other text is a mistake."""
    if value == ALWAYS:
        return dict(ALL_WEEK)
    if isinstance(value, str):
        raise ValueError(f'{value!r}: write 24x7 or days with hours, e.g. {{mon-fri: "08:00-18:00"}}')
    return value


Hours = Annotated[dict[DaySpec, TimeRanges], BeforeValidator(_always_as_hours)]

Week = list[list[tuple[int, int]]]


def week_of(hours: Hours) -> Week:
    """Per weekday (Monday first) the merged minute ranges of an answer."""
    days: Week = [[] for _ in DAY_NAMES]
    for day, ranges in hours.items():
        for weekday in parse_day_spec(day):
            days[weekday].extend(parse_time_ranges(ranges))
    return [merge_ranges(day) for day in days]


def weekly_hours(week: Week) -> float:
    return sum(end - start for day in week for start, end in day) / 60


def hours_spec(week: Week) -> dict[str, str]:
    """A week as calendar hours: consecutive days with the same ranges share one entry."""
    spec: dict[str, str] = {}
    day = 0
    while day < 7:
        last = day
        while last + 1 < 7 and week[last + 1] == week[day]:
            last += 1
        if week[day]:
            key = DAY_NAMES[day] if last == day else f"{DAY_NAMES[day]}-{DAY_NAMES[last]}"
            spec[key] = ",".join(f"{_clock(a)}-{_clock(b)}" for a, b in week[day])
        day = last + 1
    return spec


def hours_text(week: Week) -> str:
    """``mon-fri 07:00-19:00, sat 09:00-13:00`` for sentences; ``24x7`` when always."""
    if all(day == [(0, 1440)] for day in week):
        return ALWAYS
    spec = hours_spec(week)
    return ", ".join(f"{days} {ranges}" for days, ranges in spec.items()) or "never"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
