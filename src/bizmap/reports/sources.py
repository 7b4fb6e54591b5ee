"""Where a report's events come from (an event log or the live database) and the one run of the
engine over a window that every document reads its figures from.

A run is ``bizmap.engine.replay.replay`` over the window (the figures, exactly those of
``bizmap replay --json``) plus the same events applied in time order to a ``LiveEngine``, whose
timeline gives the segments behind the breakdowns and whose ``IncidentTracker`` gives the
incidents, with the ids the live server gives them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path

from bizmap.domain.calendar import BusinessCalendar, CalendarWindow, format_time
from bizmap.domain.compile import CompiledGraph, MaintenanceWindow, ServiceFacts
from bizmap.domain.event import Event
from bizmap.domain.timeline import Segment
from bizmap.engine.incidents import IncidentTracker
from bizmap.engine.live_engine import LiveEngine
from bizmap.engine.replay import ReplayResult, read_event_log, replay
from bizmap.model.loading import load_graph
from bizmap.storage.records import Incident
from bizmap.storage.store import Store


@dataclass
class EventSource:
    """A model and its events, in input order (file order, or arrival order in the database)."""

    graph: CompiledGraph
    events: list[tuple[int, Event]]
    model: str  # as the user named it, for the commands a report prints
    log: str | None = None  # the event log's path; None for the database
    database: str | None = None
    stored_incidents: list[Incident] = field(default_factory=list)  # the database's, newest first
    now: float | None = None  # the database's "now": where open incidents are cut
    # When the report is made: a period that has not ended is covered up to here (semantics §10).
    # The database's "now"; for an event log, the clock of the command that reads it.
    as_of: float | None = None

    def __post_init__(self) -> None:
        if self.as_of is None:
            self.as_of = self.now

    @property
    def times(self) -> list[float]:
        return [e.time for _, e in self.events if e.time is not None]

    @property
    def end(self) -> float:
        """Where the data ends: the clock for the database, else just after the last event
        (so that the last event counts: replay ignores events at or after its end)."""
        if self.now is not None:
            return self.now
        times = self.times
        return max(times) + 1 if times else 0.0

    @property
    def start(self) -> float:
        times = self.times
        return min(times) if times else self.end - 1

    def window(self, start: float, end: float) -> tuple[float, float]:
        """[start, end) cut at ``as_of`` when the period has not ended (semantics §10): never
        the rest of a running period, nothing of one that has not begun."""
        if self.as_of is None or self.as_of >= end:
            return start, end
        return start, max(start, self.as_of)

    def replay_command(self, start: float, end: float) -> str:
        """The command that gives the same figures as JSON."""
        log = self.log if self.log is not None else "EVENTS.jsonl"
        return f"bizmap replay {self.model} {log} --from {format_time(start)} --to {format_time(end)} --json"


def replay_source(
    model: str | Path, log: str | Path, skip_bad: bool = False, as_of: float | None = None
) -> EventSource:
    """An event log (JSON lines) over a model; raises ``ModelInvalid`` or ``EventLineError``.
    ``as_of``: when the report is made (a period still running is covered up to it)."""
    graph = load_graph(model)
    events = read_event_log(log, skip_bad=skip_bad).events
    return EventSource(graph, events, str(model), log=str(log), as_of=as_of)


def database_source(graph: CompiledGraph, store: Store, model: str, now: float) -> EventSource:
    """Every stored event, the stored incidents, and the maintenance windows added through the API
    (the live engine knows them too; the model's own windows are in ``graph`` already), those
    ended early for the time they were in force."""
    events = [(stored.seq, stored.to_event()) for stored in store.iter_all_events()]
    extra = [
        MaintenanceWindow(
            w.id,
            tuple(graph.index[n] for n in w.nodes),
            datetime.fromtimestamp(w.start, UTC),
            datetime.fromtimestamp(w.effective_end, UTC),
            w.reason,
        )
        for w in store.list_maintenance(include_ended=True)
        if all(n in graph.index for n in w.nodes) and w.effective_end > w.start
    ]
    if extra:
        graph = replace(graph, maintenance=(*graph.maintenance, *extra))
    return EventSource(
        graph,
        events,
        model,
        database=store.url.render_as_string(hide_password=True),
        stored_incidents=store.list_incidents(),
        now=now,
    )


@dataclass
class Run:
    """The engine run over one window [start, end) of a source."""

    source: EventSource
    start: float
    end: float
    result: ReplayResult
    engine: LiveEngine
    _windows: dict[str, CalendarWindow] = field(default_factory=dict)

    @property
    def graph(self) -> CompiledGraph:
        return self.source.graph

    @property
    def incidents(self) -> IncidentTracker:
        return self.engine.incidents

    def facts(self, service: str) -> ServiceFacts:
        return self.graph.service_of[self.graph.index[service]]

    def segments(self, service: str) -> list[Segment]:
        return self.engine.timeline.segments(self.graph.index[service], self.end)

    def calendar(self, name: str) -> CalendarWindow:
        """A calendar over the run's window, as the replay builds it."""
        if name not in self._windows:
            spec = self.graph.calendars.get(name)
            self._windows[name] = CalendarWindow(BusinessCalendar(spec, name), self.start, self.end)
        return self._windows[name]


def run(source: EventSource, start: float, end: float) -> Run:
    """Replay ``source`` over [start, end) and follow its incidents."""
    result = replay(source.graph, source.events, start, end)
    engine = LiveEngine(source.graph, start)
    for event in _in_time_order(source.events, end):
        assert event.time is not None
        engine.apply(event, event.time)
    engine.after_apply()
    return Run(source, start, end, result, engine)


def _in_time_order(events: Sequence[tuple[int, Event]], end: float) -> list[Event]:
    """The events the replay applies, in the order it applies them (first of each id, before
    ``end``, by time with ties in input order): in that order the live engine never sees a late
    event, so its timeline is the replay's."""
    seen: set[str] = set()
    kept: list[tuple[float, int, Event]] = []
    for order, (_, event) in enumerate(events):
        if event.id is not None:
            if event.id in seen:
                continue
            seen.add(event.id)
        if event.time is not None and event.time < end:
            kept.append((event.time, order, event))
    kept.sort(key=itemgetter(0))
    return [event for *_, event in kept]
