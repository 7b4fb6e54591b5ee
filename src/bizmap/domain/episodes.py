"""Episodes of a business service and their cost (semantics §3).

An episode is a maximal interval in which the service is non-ok, planned or not. Its
counted time is the part in calendar, unplanned and not ``unknown``; the workaround covers
the first ``max_hours`` of it. An episode open at the window's end is cut there. Its people
are its service's users if they counted at any instant of it (people affected, §3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bizmap.domain.calendar import CalendarWindow
from bizmap.domain.compile import ServiceFacts
from bizmap.domain.cost import WorkaroundAllowance, counted_cost
from bizmap.domain.people import counting_intervals
from bizmap.domain.propagate import OK, UNKNOWN
from bizmap.domain.timeline import Segment


@dataclass(frozen=True)
class Episode:
    start: float
    end: float | None  # None: still open at the end of the window
    worst_state: int
    planned: bool
    counted_seconds: float
    cost: float
    root_causes: frozenset[int]
    people: int = 0  # its users if they counted at any instant (non-ok, unplanned, in calendar)


def episodes(
    facts: ServiceFacts, segments: Sequence[Segment], calendar: CalendarWindow, window_end: float
) -> list[Episode]:
    """Group non-ok segments into episodes and cost each one."""
    found: list[Episode] = []
    current: list[Segment] = []

    def close(end: float | None) -> None:
        allowance = WorkaroundAllowance(facts)
        counted = cost = 0.0
        span = (current[0].start, current[-1].end)
        for segment in current:
            if segment.planned or segment.state == UNKNOWN:
                continue
            seconds, money = counted_cost(
                facts, segment.state, calendar.clip(segment.start, segment.end), allowance
            )
            counted += seconds
            cost += money
        found.append(
            Episode(
                start=current[0].start,
                end=end,
                worst_state=max(s.state for s in current),
                planned=all(s.planned for s in current),
                counted_seconds=counted,
                cost=cost,
                root_causes=frozenset().union(*(s.roots for s in current)),
                people=facts.users if counting_intervals(current, calendar, [span]) else 0,
            )
        )
        current.clear()

    for segment in segments:
        if segment.state == OK:
            if current:
                close(segment.start)
        else:
            current.append(segment)
    if current:
        close(None if current[-1].end >= window_end else current[-1].end)
    return found
