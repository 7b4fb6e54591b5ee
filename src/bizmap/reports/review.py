"""The service review of a period (a month or a quarter), for one service or the whole portfolio.

Its figures are those of a replay over the period (``bizmap replay --from START --to END``)
and, for the comparison, over the period before. The predicted availability (semantics §7) is
that of ``bizmap availability MODEL --year Y --json``, Y being the year the period starts in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bizmap.analytics.impact_breakdown import CostBreakdown, budget_burn, episode_breakdown, root_cause_costs
from bizmap.decisions.availability.predict import service_availability
from bizmap.domain.calendar import BusinessCalendar, CalendarWindow
from bizmap.domain.states import State
from bizmap.errors import UsageError
from bizmap.reports.periods import ReportPeriod
from bizmap.reports.sources import EventSource, Run, run
from bizmap.text import when

EPISODE_LIMIT = 25


@dataclass(frozen=True)
class EpisodeLine:
    service: str
    service_name: str
    start: float
    end: float | None
    worst_state: str
    planned: bool
    counted_seconds: float
    cost: float
    root_causes: tuple[str, ...]


@dataclass(frozen=True)
class SlaPeriodLine:
    start: float
    end: float
    sli: float
    target: float
    met: bool
    down_seconds: float
    budget_seconds: float
    remaining_seconds: float
    burn: tuple[tuple[float, float], ...]  # (time, down seconds so far) for the chart


@dataclass(frozen=True)
class ServiceLine:
    id: str
    name: str
    owner: str | None
    cost: float
    previous_cost: float
    episodes: int
    counted_seconds: float
    safety_critical: bool
    breakdown: CostBreakdown
    sla: tuple[SlaPeriodLine, ...]  # empty without an SLA
    sla_period: str | None

    @property
    def missed(self) -> bool:
        return any(not p.met for p in self.sla)


@dataclass(frozen=True)
class PredictedLine:
    """One service's predicted availability (semantics §7) and what its downtime costs a year."""

    id: str
    name: str
    availability: float
    method: str  # exact | monte-carlo
    sla_target: float | None  # percent
    calendar: str
    calendar_hours: float
    down_hours: float  # expected a year, inside the calendar
    cost: float  # expected a year

    @property
    def below_target(self) -> bool:
        return self.sla_target is not None and 100 * self.availability < self.sla_target


@dataclass(frozen=True)
class RootCauseLine:
    node: str
    name: str
    cost: float
    episodes: int


@dataclass
class ServiceReview:
    period: ReportPeriod
    previous: ReportPeriod
    scope: str | None  # a service id, or None for the whole portfolio
    scope_name: str
    currency: str
    cost: float
    previous_cost: float
    services: list[ServiceLine]
    episodes: list[EpisodeLine]  # the costliest first, at most EPISODE_LIMIT
    episode_count: int
    root_causes: list[RootCauseLine]
    breakdown: CostBreakdown
    replay_command: str
    previous_replay_command: str
    source: str
    predicted_year: int = 0
    predicted: list[PredictedLine] = field(default_factory=list)  # by id
    availability_command: str = ""
    window_end: float = 0.0  # the period's end, or now when it has not ended
    as_of: float | None = None  # when the report was made

    @property
    def running(self) -> bool:
        """The period has not ended: its figures are so far, as of ``window_end``."""
        return self.window_end < self.period.end

    @property
    def so_far(self) -> str:
        """ ", so far, as of Sun 15 Nov 2026, 12:00 UTC" for a running period; "" otherwise."""
        return f" so far, as of {when(self.window_end)}" if self.running else ""

    @property
    def predicted_cost(self) -> float:
        return sum(p.cost for p in self.predicted)

    @property
    def missed(self) -> list[ServiceLine]:
        return [s for s in self.services if s.missed]


def period_run(source: EventSource, period: ReportPeriod) -> Run:
    """The run over ``period``, up to now when it has not ended (semantics §10)."""
    return run(source, *source.window(period.start, period.end))


class UnknownServiceId(UsageError, LookupError):
    """A review asked for a business service the model does not have (404 on the API)."""


def gather_review(source: EventSource, period: ReportPeriod, service: str | None = None) -> ServiceReview:
    """Everything the review of ``period`` says, for ``service`` or every business service."""
    graph = source.graph
    if service is not None and (service not in graph.index or graph.index[service] not in graph.service_of):
        known = ", ".join(graph.ids[s.index] for s in graph.services)
        raise UnknownServiceId(f"unknown business service {service!r}: use one of {known}")
    start, end = source.window(period.start, period.end)
    if end <= start:
        assert source.as_of is not None
        raise UsageError(f"{period.title} has not begun: the data ends at {when(source.as_of)}")
    current, before = period_run(source, period), period_run(source, period.previous())
    previous_cost = {s.id: s.cost for s in before.result.services}
    chosen = [s for s in current.result.services if service is None or s.id == service]

    lines: list[ServiceLine] = []
    episodes: list[EpisodeLine] = []
    total = CostBreakdown()
    for result in chosen:
        facts = current.facts(result.id)
        name = facts.spec.name or result.id
        segments = current.segments(result.id)
        calendar = current.calendar(facts.calendar)
        breakdown = CostBreakdown()
        for episode in result.episodes:
            breakdown = breakdown + episode_breakdown(facts, segments, calendar, episode)
            episodes.append(
                EpisodeLine(
                    result.id,
                    name,
                    episode.start,
                    episode.end,
                    State(episode.worst_state).label,
                    episode.planned,
                    episode.counted_seconds,
                    episode.cost,
                    tuple(sorted(graph.ids[n] for n in episode.root_causes)),
                )
            )
        total = total + breakdown
        sla_lines: list[SlaPeriodLine] = []
        if facts.sla is not None and result.sla:
            sla_calendar = CalendarWindow(
                BusinessCalendar(graph.calendars.get(facts.sla_calendar), facts.sla_calendar),
                current.start,
                current.end,
            )
            for p in result.sla:
                burn = budget_burn(facts, segments, sla_calendar, p.period_start, p.period_end)
                sla_lines.append(
                    SlaPeriodLine(
                        p.period_start,
                        p.period_end,
                        p.sli,
                        p.target,
                        p.met,
                        p.down_seconds,
                        p.budget_seconds,
                        p.budget_remaining_seconds,
                        tuple(burn),
                    )
                )
        lines.append(
            ServiceLine(
                id=result.id,
                name=name,
                owner=facts.spec.owner,
                cost=result.cost,
                previous_cost=previous_cost.get(result.id, 0.0),
                episodes=len(result.episodes),
                counted_seconds=sum(e.counted_seconds for e in result.episodes),
                safety_critical=facts.safety_critical,
                breakdown=breakdown,
                sla=tuple(sla_lines),
                sla_period=facts.sla.period if facts.sla is not None else None,
            )
        )
    lines.sort(key=lambda s: (-s.cost, s.id))
    ranked = root_cause_costs(
        (episode, roots)
        for result in chosen
        for episode, roots in ((e, sorted(graph.ids[n] for n in e.root_causes)) for e in result.episodes)
    )
    by_cost = sorted(episodes, key=lambda e: (-e.cost, e.start, e.service))
    year = period.year
    predicted = [
        PredictedLine(
            id=a.id,
            name=graph.names[graph.index[a.id]] or a.id,
            availability=a.availability,
            method=a.method,
            sla_target=facts.sla.target if (facts := graph.service_of[graph.index[a.id]]).sla else None,
            calendar=a.calendar,
            calendar_hours=a.calendar_hours_per_year,
            down_hours=a.expected_down_hours_per_year,
            cost=a.expected_cost_per_year,
        )
        for a in service_availability(graph, year)
        if service is None or a.id == service
    ]
    scope_name = "All business services"
    if service is not None:
        scope_name = graph.names[graph.index[service]] or service
    return ServiceReview(
        period=period,
        previous=period.previous(),
        scope=service,
        scope_name=scope_name,
        currency=graph.currency,
        cost=sum(s.cost for s in chosen),
        previous_cost=sum(previous_cost.get(s.id, 0.0) for s in chosen),
        services=lines,
        episodes=by_cost[:EPISODE_LIMIT],
        episode_count=len(episodes),
        root_causes=[
            RootCauseLine(node, graph.names[graph.index[node]] or node, cost, count)
            for node, cost, count in ranked[:10]
        ],
        breakdown=total,
        replay_command=source.replay_command(current.start, current.end),
        previous_replay_command=source.replay_command(before.start, before.end),
        source=source.log or source.database or "",
        predicted_year=year,
        predicted=predicted,
        availability_command=f"bizmap availability {source.model} --year {year} --json",
        window_end=current.end,
        as_of=source.as_of,
    )
