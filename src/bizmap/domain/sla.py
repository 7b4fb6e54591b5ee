"""SLA periods, measured on the SLA's calendar (semantics §4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bizmap.domain.calendar import CalendarWindow, periods
from bizmap.domain.compile import ServiceFacts
from bizmap.domain.propagate import DEGRADED, DOWN, UNKNOWN
from bizmap.domain.timeline import Segment


@dataclass(frozen=True)
class SlaPeriod:
    period_start: float
    period_end: float
    measured_seconds: float
    down_seconds: float
    target: float

    @property
    def sli(self) -> float:
        if self.measured_seconds <= 0:
            return 100.0
        return 100.0 * (self.measured_seconds - self.down_seconds) / self.measured_seconds

    @property
    def budget_seconds(self) -> float:
        return (1 - self.target / 100) * self.measured_seconds

    @property
    def budget_remaining_seconds(self) -> float:
        return self.budget_seconds - self.down_seconds

    @property
    def met(self) -> bool:
        return self.sli >= self.target


def sla_periods(
    facts: ServiceFacts,
    segments: Sequence[Segment],
    calendar: CalendarWindow,
    window_start: float,
    window_end: float,
) -> list[SlaPeriod]:
    """Every SLA period overlapping the window, clipped to it, in order."""
    sla = facts.sla
    if sla is None:
        return []
    down_states = {DOWN, DEGRADED} if sla.degraded_counts_as == "down" else {DOWN}
    out = []
    for start, end in periods(calendar.calendar.timezone, sla.period, window_start, window_end):
        measured = _seconds(calendar, start, end)
        down = 0.0
        for segment in segments:
            if segment.end <= start or segment.start >= end:
                continue
            excluded = segment.state == UNKNOWN or (segment.planned and segment.state != 0)
            counts_down = segment.state in down_states and not segment.planned
            if not excluded and not counts_down:
                continue
            seconds = _seconds(calendar, max(segment.start, start), min(segment.end, end))
            if excluded:
                measured -= seconds
            if counts_down:
                down += seconds
        out.append(SlaPeriod(start, end, measured, down, sla.target))
    return out


def _seconds(calendar: CalendarWindow, start: float, end: float) -> float:
    return sum(b - a for a, b in calendar.clip(start, end))
