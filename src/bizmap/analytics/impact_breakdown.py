"""Where an episode's cost comes from, and how an SLA period's error budget burns.

The replay (semantics §3, §4) gives one cost per episode and one down time per SLA period.
The documents for the business need the parts: revenue versus people's time, down versus
degraded, the workaround period versus full impact, planned versus unplanned time, business
hours versus the whole outage; and the budget consumed over time. These functions walk the
same segments with the same rules (``counted_cost``'s pieces, ``WorkaroundAllowance``,
``sla_periods``' exclusions), so the parts add up to the replay's figures exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bizmap.domain.calendar import CalendarWindow
from bizmap.domain.compile import ServiceFacts
from bizmap.domain.cost import WorkaroundAllowance, cost_per_hour
from bizmap.domain.episodes import Episode
from bizmap.domain.propagate import DEGRADED, DOWN, OK, UNKNOWN
from bizmap.domain.timeline import Segment


@dataclass(frozen=True)
class CostBreakdown:
    """The parts of one or more episodes' cost and time. Each pair of parts sums to the whole."""

    cost: float = 0.0
    revenue: float = 0.0  # revenue_per_hour's share of the cost
    productivity: float = 0.0  # users x cost_per_user_hour's share
    down_cost: float = 0.0
    degraded_cost: float = 0.0
    workaround_cost: float = 0.0  # accrued while the workaround covered the counted time
    full_impact_cost: float = 0.0  # accrued after the workaround's max_hours ran out (or without one)
    total_seconds: float = 0.0  # the whole episode, whatever the calendar
    planned_seconds: float = 0.0
    unplanned_seconds: float = 0.0
    unknown_seconds: float = 0.0  # unplanned, in state unknown: not counted
    in_calendar_seconds: float = 0.0  # unplanned, in the service's calendar (unknown included)
    counted_seconds: float = 0.0  # in calendar, unplanned, not unknown: what costs money
    workaround_seconds: float = 0.0  # the part of the counted time the workaround covered

    def __add__(self, other: CostBreakdown) -> CostBreakdown:
        return CostBreakdown(
            *(getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__)
        )


def episode_breakdown(
    facts: ServiceFacts, segments: Sequence[Segment], calendar: CalendarWindow, episode: Episode
) -> CostBreakdown:
    """The breakdown of ``episode`` from the service's ``segments`` (the ones the replay costed).

    ``calendar`` is the service's calendar over the replay window, as in ``episodes``.
    """
    end = episode.end if episode.end is not None else float("inf")
    inside = [s for s in segments if s.start >= episode.start and s.end <= end and s.state != OK]
    allowance = WorkaroundAllowance(facts)
    impact = facts.impact
    revenue_share = impact.revenue_per_hour / facts.base_rate if impact and facts.base_rate else 0.0
    parts = dict.fromkeys(CostBreakdown.__dataclass_fields__, 0.0)
    for segment in inside:
        length = segment.end - segment.start
        parts["total_seconds"] += length
        if segment.planned:
            parts["planned_seconds"] += length
            continue
        parts["unplanned_seconds"] += length
        pieces = calendar.clip(segment.start, segment.end)
        in_calendar = sum(b - a for a, b in pieces)
        parts["in_calendar_seconds"] += in_calendar
        if segment.state == UNKNOWN:
            parts["unknown_seconds"] += length
            continue
        rate = cost_per_hour(facts, segment.state)
        for start, stop in pieces:
            seconds = stop - start
            covered = min(seconds, allowance.remaining)
            cost = allowance.cost(rate, seconds)  # the engine's own arithmetic, allowance used up
            covered_cost = rate * covered * allowance.factor / 3600
            full_cost = rate * (seconds - covered) / 3600
            parts["counted_seconds"] += seconds
            parts["workaround_seconds"] += covered
            parts["cost"] += cost
            parts["workaround_cost"] += covered_cost
            parts["full_impact_cost"] += full_cost
            parts["down_cost" if segment.state == DOWN else "degraded_cost"] += cost
            parts["revenue"] += cost * revenue_share
            parts["productivity"] += cost * (1 - revenue_share)
    return CostBreakdown(**parts)


def root_cause_costs(found: Iterable[tuple[Episode, Sequence[str]]]) -> list[tuple[str, float, int]]:
    """Cost by root cause: each episode's cost split equally among its root causes.

    ``found`` pairs episodes with their root-cause ids. Returns (node, cost, episodes), by cost
    descending then id; the costs sum to the episodes' total.
    """
    cost: dict[str, float] = {}
    count: dict[str, int] = {}
    for episode, roots in found:
        if not roots:
            continue
        share = episode.cost / len(roots)
        for root in roots:
            cost[root] = cost.get(root, 0.0) + share
            count[root] = count.get(root, 0) + 1
    ranked = [(root, money, count[root]) for root, money in cost.items()]
    ranked.sort(key=lambda item: (-item[1], item[0]))
    return ranked


def budget_burn(
    facts: ServiceFacts, segments: Sequence[Segment], calendar: CalendarWindow, start: float, end: float
) -> list[tuple[float, float]]:
    """Down seconds counted against the SLA in [start, end), cumulated: (time, seconds so far).

    ``calendar`` is the SLA's calendar; the rules are those of ``sla_periods``, so the last
    point equals that period's ``down_seconds``. A point at ``start`` and one at ``end`` are
    always present.
    """
    sla = facts.sla
    down_states = {DOWN, DEGRADED} if sla is not None and sla.degraded_counts_as == "down" else {DOWN}
    points = [(start, 0.0)]
    total = 0.0
    for segment in segments:
        if segment.end <= start or segment.start >= end:
            continue
        if segment.planned or segment.state not in down_states:
            continue
        lo, hi = max(segment.start, start), min(segment.end, end)
        for a, b in calendar.clip(lo, hi):
            points.append((a, total))
            total += b - a
            points.append((b, total))
    points.append((end, total))
    return points
