"""People affected (semantics §3): how many people a set of non-ok business services keeps
from working, and the peak of that count over an incident or an episode.

Services that name the same ``impact.population`` are used by the same people (the same
clinicians on several clinical systems): that population counts once, as the largest
``users`` among its services that count. A service without a population is a population of
its own. Which services count is the caller's to say: every non-ok one where no time is known
(what-if, single points of failure); where it is, only those in calendar and unplanned at
that instant (``counting_intervals``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from bizmap.domain.calendar import CalendarWindow, Interval
from bizmap.domain.propagate import OK
from bizmap.domain.timeline import Segment


class Counted(Protocol):
    """A business service as people are counted: its users and the population they belong to."""

    @property
    def users(self) -> int: ...

    @property
    def population(self) -> str | None: ...


def people_affected(services: Iterable[Counted]) -> int:
    """The people kept from work by ``services`` (each given once): the populations summed,
    each population counted once as the largest ``users`` among its services."""
    alone = 0
    largest: dict[str, int] = {}
    for service in services:
        if service.population is None:
            alone += service.users
        else:
            largest[service.population] = max(largest.get(service.population, 0), service.users)
    return alone + sum(largest.values())


def counting_intervals(
    segments: Sequence[Segment], calendar: CalendarWindow, spans: Iterable[Interval]
) -> list[Interval]:
    """When a service's people count within ``spans``: non-ok (degraded and unknown too),
    unplanned and in calendar. ``spans`` must lie inside the calendar window."""
    out: list[Interval] = []
    for start, end in spans:
        for segment in segments:
            if segment.state == OK or segment.planned:
                continue
            out.extend(calendar.clip(max(segment.start, start), min(segment.end, end)))
    return out


def peak_people(counting: Iterable[tuple[Counted, Sequence[Interval]]]) -> int:
    """The largest ``people_affected`` at any one instant, given for each service (once) the
    intervals ``[a, b)`` during which it counts. Never a sum over time: one person kept from
    work twice, or by two services of one population, is one person."""
    services: list[Counted] = []
    changes: list[tuple[float, int, int]] = []  # (time, +1 begins / -1 ends, service)
    for counted, intervals in counting:
        services.append(counted)
        for a, b in intervals:
            if b > a:
                changes.append((a, 1, len(services) - 1))
                changes.append((b, -1, len(services) - 1))
    changes.sort()  # at one instant, ends (-1) before begins: the intervals are half-open
    active = [0] * len(services)
    peak = 0
    for i, (time, step, index) in enumerate(changes):
        active[index] += step
        last_at_instant = i + 1 == len(changes) or changes[i + 1][0] != time
        # ends sort before begins, so the last change at an instant is a begin if any is; the
        # count can only rise where an interval begins
        if step > 0 and last_at_instant:
            peak = max(peak, people_affected(s for s, n in zip(services, active, strict=True) if n))
    return peak
