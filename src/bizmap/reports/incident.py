"""The Business Impact Statement of one incident: the data behind the document.

An incident is what the live server calls one (``bizmap.engine.incidents``): found by following the
source's events with the same ``IncidentTracker``, so ids are the server's, deterministic
(``INC-<opening time>-<first service>``) for an event log too. Its figures are those of a
replay over the incident's window, from its opening to its close (or to where the data
ends while it is open): ``bizmap replay ... --from OPENED --to CLOSED --json`` gives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bizmap.analytics.impact_breakdown import CostBreakdown, episode_breakdown
from bizmap.analytics.spof import ranked_single_points
from bizmap.analytics.whatif import rank_by_impact, what_if
from bizmap.domain.calendar import BusinessCalendar, Interval, period_containing
from bizmap.domain.compile import ServiceFacts
from bizmap.domain.episodes import Episode
from bizmap.domain.matching import EventRouter
from bizmap.domain.people import counting_intervals, peak_people
from bizmap.domain.states import State
from bizmap.engine.incidents import Membership, TrackedIncident
from bizmap.errors import BizmapError
from bizmap.reports.sources import EventSource, Run, run
from bizmap.text import duration, join_capped, join_words, money, people, when

TIMELINE_LIMIT = 40


class UnknownIncidentId(BizmapError, LookupError):
    def __init__(self, incident_id: str, known: list[str]) -> None:
        hint = f" (known: {', '.join(known[:5])}{', ...' if len(known) > 5 else ''})" if known else ""
        super().__init__(
            f"no incident {incident_id!r}{hint}: list the incidents with `bizmap report incidents`"
        )


@dataclass(frozen=True)
class IncidentSummary:
    """One line of ``bizmap report incidents``."""

    id: str
    opened_at: float
    closed_at: float | None
    services: tuple[str, ...]
    root_causes: tuple[str, ...]


@dataclass(frozen=True)
class ServiceLine:
    """One business service hit by the incident, with its episodes in the incident's window."""

    id: str
    name: str
    owner: str | None
    worst_state: str
    start: float
    end: float | None
    total_seconds: float  # from the first episode's start to the last one's end
    counted_seconds: float  # in business hours, unplanned, not unknown (the replay's)
    users: int  # its users if they counted at any instant (in calendar, unplanned; §3), else 0
    safety_critical: bool
    cost: float
    breakdown: CostBreakdown
    workaround: str | None
    workaround_hours: float | None


@dataclass(frozen=True)
class SlaLine:
    service: str
    name: str
    target: float
    period: str  # month, quarter, ...
    down_seconds: float  # counted against the SLA during the incident (the replay's)
    period_budget_seconds: float  # the whole period's budget, all of it measured
    sli_in_window: float

    @property
    def budget_share(self) -> float:
        """Share of the period's error budget this incident used (1.0 = all of it)."""
        return self.down_seconds / self.period_budget_seconds if self.period_budget_seconds else 0.0


@dataclass(frozen=True)
class TimelineEntry:
    time: float
    text: str


@dataclass(frozen=True)
class Prevention:
    """A root cause that is a single point of failure: what its failure alone costs an hour."""

    node: str
    name: str
    cost_per_hour: float
    services: tuple[str, ...]


@dataclass
class IncidentStatement:
    id: str
    currency: str
    opened_at: float
    closed_at: float | None
    window_start: float
    window_end: float
    merged_from: str | None
    summary: str
    services: list[ServiceLine]
    root_causes: list[tuple[str, str, str | None]]  # (id, name, type)
    cost: float
    users: int  # the peak of the people affected over the incident, never a sum (§3)
    safety_services: list[str]
    breakdown: CostBreakdown
    sla: list[SlaLine]
    timeline: list[TimelineEntry]
    timeline_omitted: int
    prevention: list[Prevention]
    recurrence_cost_per_hour: float  # what-if: every root cause down again
    recurrence_services: list[tuple[str, str, float]]  # (name, state, cost per hour)
    replay_command: str
    source: str
    notes: list[str] = field(default_factory=list)

    @property
    def duration_seconds(self) -> float:
        return self.window_end - self.window_start

    @property
    def still_open(self) -> bool:
        return self.closed_at is None


def _name(run_: Run | EventSource, node: str) -> str:
    graph = run_.graph
    return graph.names[graph.index[node]] or node if node in graph.index else node


def discover(source: EventSource) -> Run:
    """Follow the incidents over everything the source holds."""
    return run(source, source.start, source.end)


def list_incidents(source: EventSource) -> list[IncidentSummary]:
    """Every incident of the source, newest first (merged ones left out: they live on in another).

    The database's stored incidents come first-hand from the server; an event log's are found
    by following its events with the server's rules.
    """
    if source.database is not None and source.stored_incidents:
        return [
            IncidentSummary(i.id, i.opened_at, i.closed_at, i.services, i.root_causes)
            for i in source.stored_incidents
        ]
    found = discover(source).incidents.all()
    return [
        IncidentSummary(i.id, i.opened_at, i.closed_at, tuple(i.services), tuple(sorted(i.root_causes)))
        for i in found
        if i.merged_into is None
    ]


def _find(source: EventSource, incident_id: str) -> tuple[TrackedIncident, str | None]:
    tracker = discover(source).incidents
    tracked = tracker.get(incident_id)
    merged_from = None
    while tracked is not None and tracked.merged_into is not None:
        merged_from = merged_from or tracked.id
        tracked = tracker.get(tracked.merged_into)
    if tracked is not None:
        return tracked, merged_from
    for stored in source.stored_incidents:  # stored by the server, e.g. under an older model
        if stored.id == incident_id:
            rebuilt = TrackedIncident(stored.id, stored.opened_at, stored.closed_at)
            rebuilt.services = list(stored.services)
            rebuilt.root_causes = set(stored.root_causes)
            rebuilt.memberships = [Membership(s, stored.opened_at, stored.closed_at) for s in stored.services]
            return rebuilt, None
    known = [i.id for i in list_incidents(source)]
    raise UnknownIncidentId(incident_id, known)


def incident_episodes(run_: Run, incident: TrackedIncident) -> list[tuple[str, Episode]]:
    """The replay's episodes of the incident's services that overlap the time each belonged to it."""
    found = []
    by_id = {s.id: s for s in run_.result.services}
    for service in incident.services:
        spans = [
            (m.start, m.end if m.end is not None else run_.end)
            for m in incident.memberships
            if m.service == service
        ]
        result = by_id.get(service)
        if result is None:
            continue
        for episode in result.episodes:
            end = episode.end if episode.end is not None else run_.end
            if any(episode.start < b and a < end for a, b in spans) or (
                any(a == b == episode.start for a, b in spans)
            ):
                found.append((service, episode))
    return found


def gather_incident(source: EventSource, incident_id: str) -> IncidentStatement:
    """Everything the Business Impact Statement of ``incident_id`` says."""
    incident, merged_from = _find(source, incident_id)
    graph = source.graph
    start = incident.opened_at
    end = incident.closed_at if incident.closed_at is not None else source.end
    end = max(end, start + 1)
    window = run(source, start, end)
    episodes = incident_episodes(window, incident)

    services: list[ServiceLine] = []
    counting: list[tuple[ServiceFacts, list[Interval]]] = []
    total = CostBreakdown()
    for service in incident.services:
        mine = [e for s, e in episodes if s == service]
        if not mine:
            continue
        facts = window.facts(service)
        segments = window.segments(service)
        calendar = window.calendar(facts.calendar)
        spans = [
            (max(m.start, start), min(m.end if m.end is not None else end, end))
            for m in incident.memberships
            if m.service == service
        ]
        counting.append((facts, counting_intervals(segments, calendar, spans)))
        breakdown = CostBreakdown()
        for episode in mine:
            breakdown = breakdown + episode_breakdown(facts, segments, calendar, episode)
        total = total + breakdown
        last_end = mine[-1].end
        spec = facts.spec
        services.append(
            ServiceLine(
                id=service,
                name=spec.name or service,
                owner=spec.owner,
                worst_state=State(max(e.worst_state for e in mine)).label,
                start=mine[0].start,
                end=last_end,
                total_seconds=(last_end if last_end is not None else end) - mine[0].start,
                counted_seconds=sum(e.counted_seconds for e in mine),
                users=facts.users if counting[-1][1] else 0,
                safety_critical=facts.safety_critical,
                cost=sum(e.cost for e in mine),
                breakdown=breakdown,
                workaround=facts.workaround.description if facts.workaround else None,
                workaround_hours=facts.workaround.max_hours if facts.workaround else None,
            )
        )
    services.sort(key=lambda s: (-s.cost, s.id))

    roots = rank_by_impact(graph, incident.root_causes)  # the one that matters most first
    root_lines = []
    for root in roots:
        root_lines.append((root, _name(source, root), _kind(source, root)))

    sla_lines = _sla_lines(window, [s.id for s in services])
    timeline, omitted = _timeline(source, window, incident, roots)
    prevention = [  # in the order of every list of single points (semantics §5)
        Prevention(point.node, _name(source, point.node), point.cost_per_hour, point.services)
        for point in ranked_single_points(graph)
        if point.node in incident.root_causes
    ]
    states = {graph.index[r]: State.DOWN for r in roots if r in graph.index}
    again = what_if(graph, states)
    cost = sum(s.cost for s in services)
    users = peak_people(counting)
    safety = [s.name for s in services if s.safety_critical]
    statement = IncidentStatement(
        id=incident.id,
        currency=graph.currency,
        opened_at=incident.opened_at,
        closed_at=incident.closed_at,
        window_start=start,
        window_end=end,
        merged_from=merged_from,
        summary="",
        services=services,
        root_causes=root_lines,
        cost=cost,
        users=users,
        safety_services=safety,
        breakdown=total,
        sla=sla_lines,
        timeline=timeline,
        timeline_omitted=omitted,
        prevention=prevention,
        recurrence_cost_per_hour=again.total_cost_per_hour,
        recurrence_services=[(_name(source, s.id), s.state.label, s.cost_per_hour) for s in again.services],
        replay_command=source.replay_command(start, end),
        source=source.log or source.database or "",
    )
    statement.summary = _summary(statement)
    return statement


def _kind(source: EventSource, node: str) -> str | None:
    """A component's ``type``; "business service" for a service that is its own root cause."""
    model = source.graph.model
    for component in model.components:
        if component.id == node:
            return component.type
    return "business service" if any(s.id == node for s in model.services) else None


def _sla_lines(window: Run, services: list[str]) -> list[SlaLine]:
    lines = []
    by_id = {s.id: s for s in window.result.services}
    for service in services:
        facts = window.facts(service)
        periods = by_id[service].sla
        if facts.sla is None or not periods:
            continue
        calendar = BusinessCalendar(window.graph.calendars.get(facts.sla_calendar), facts.sla_calendar)
        whole_start, whole_end = period_containing(calendar.timezone, facts.sla.period, window.start)
        measured = calendar.seconds(whole_start, whole_end)
        down = sum(p.down_seconds for p in periods)
        in_window = sum(p.measured_seconds for p in periods)
        lines.append(
            SlaLine(
                service=service,
                name=facts.spec.name or service,
                target=facts.sla.target,
                period=facts.sla.period,
                down_seconds=down,
                period_budget_seconds=(1 - facts.sla.target / 100) * measured,
                sli_in_window=100.0 * (in_window - down) / in_window if in_window else 100.0,
            )
        )
    return lines


def _timeline(
    source: EventSource, window: Run, incident: TrackedIncident, roots: list[str]
) -> tuple[list[TimelineEntry], int]:
    """The services' changes (the tracker's) and the monitoring events on the root causes."""
    entries = []
    for change in incident.timeline:
        name = _name(source, change.service)
        if change.state == 0:
            text = f"{name} back to normal"
        elif change.planned:
            text = f"{name} {State(change.state).label}, planned (maintenance)"
        else:
            causes = join_words(sorted(change.roots))
            text = f"{name} {State(change.state).label}" + (f" (cause: {causes})" if causes else "")
        entries.append(TimelineEntry(change.time, text))
    router = EventRouter(source.graph)
    wanted = {source.graph.index[r] for r in roots if r in source.graph.index}
    for _, event in source.events:
        if event.time is None or not window.start <= event.time <= window.end:
            continue
        nodes = [n for n in router.nodes_for(event.node, event.labels) if n in wanted]
        for node in nodes:
            detail = f": {event.summary}" if event.summary else ""
            origin = f" (from {event.source})" if event.source else ""
            entries.append(
                TimelineEntry(
                    event.time, f"monitoring: {source.graph.ids[node]} {event.state.label}{detail}{origin}"
                )
            )
    entries.sort(key=lambda e: e.time)
    entries = [e for i, e in enumerate(entries) if i == 0 or e != entries[i - 1]]  # one line per fact
    return entries[:TIMELINE_LIMIT], max(len(entries) - TIMELINE_LIMIT, 0)


def _summary(statement: IncidentStatement) -> str:
    """The first paragraph: what happened, in words a board member reads once."""
    currency = statement.currency
    causes = join_capped(  # the full list is under "Root causes"
        [name if name == node else f"{name} ({node})" for node, name, _ in statement.root_causes]
    )
    names = [s.name for s in statement.services]
    count = len(names)
    downs = [s for s in statement.services if s.worst_state == "down"]
    hit = "was interrupted" if count == 1 and downs else ("was impaired" if count == 1 else "were impaired")
    if count > 1 and downs:
        hit = "were interrupted"
    longest = max((s.total_seconds for s in statement.services), default=0.0)
    cause = causes or "an unidentified component"
    text = f"On {when(statement.opened_at)}, a failure of {cause} hit the business. "
    if count:
        text += f"{count} business service{'s' if count > 1 else ''} ({join_words(names)}) {hit}"
        text += f" for up to {duration(longest)}"
        text += (
            "; the incident is still open"
            if statement.still_open
            else f"; all were back by {when(statement.window_end)}"
        )
        text += ". "
    else:
        text += "No business service lost money. "
    text += (
        f"It cost the business {money(statement.cost, currency)}"
        f" ({money(statement.breakdown.revenue, currency)} of lost revenue and"
        f" {money(statement.breakdown.productivity, currency)} of staff time), and"
        f" {people(statement.users)} could not work normally. "
    )
    if statement.safety_services:
        verb = "is" if len(statement.safety_services) == 1 else "are"
        text += f"Safety was at stake: {join_words(statement.safety_services)} {verb} safety-critical."
    else:
        text += "No safety-critical service was affected."
    return text
