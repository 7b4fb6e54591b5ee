"""Replay an event log through the engine: cost, episodes and SLA per business service (§3-§5).

Reading the log (JSON lines) happens here; the computing is the domain's ``Timeline``,
``episodes`` and ``sla_periods``, the same code the live server runs.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from bizmap.domain.calendar import BusinessCalendar, CalendarWindow, format_time
from bizmap.domain.compile import CompiledGraph
from bizmap.domain.episodes import Episode, episodes
from bizmap.domain.event import Event
from bizmap.domain.gc_pause import gc_paused
from bizmap.domain.matching import EventRouter
from bizmap.domain.sla import SlaPeriod, sla_periods
from bizmap.domain.states import State
from bizmap.domain.timeline import Timeline
from bizmap.errors import EventError, EventLineError
from bizmap.ingest.native import decode_event, decode_event_lines

PROGRESS_EVERY = 4096
# A state's number by indexing: ``int(state)`` of an IntEnum costs ten times more, once per event
_STATE_CODES = tuple(range(max(State) + 1))
READ_BLOCK = 1 << 20  # bytes read at a time: some 9,000 lines of a typical log


@dataclass
class BadLine:
    line: int
    message: str


@dataclass
class EventLog:
    """The events of a log, in file order, with what could not be read."""

    events: list[tuple[int, Event]] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)


def read_event_log(
    path: str | Path,
    skip_bad: bool = False,
    progress: Callable[[int], None] | None = None,
) -> EventLog:
    """Parse a JSONL event log; stop at the first bad line unless ``skip_bad``.

    ``progress(n)`` is told every few thousand lines how many more bytes were read. Lines are
    read a block at a time and decoded in bulk (``decode_event_lines``); a block with a blank
    or bad line is decoded again line by line, which names the line and the fault.
    """
    with gc_paused():
        return _read_event_log(path, skip_bad, progress)


def _read_event_log(path: str | Path, skip_bad: bool, progress: Callable[[int], None] | None) -> EventLog:
    log = EventLog()
    name = str(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, read in binary for speed
    except OSError as error:
        raise EventLineError(name, 0, f"cannot read event log: {error.strerror}") from None
    read = 0  # lines read so far
    with handle:
        rest: list[bytes] = []  # the start of a line that goes on in the next block
        while block := handle.read(READ_BLOCK):
            cut = block.rfind(b"\n") + 1
            if not cut:
                rest.append(block)
                continue
            chunk = b"".join([*rest, block[:cut]]) if rest else block[:cut]
            rest = [block[cut:]] if cut < len(block) else []
            read = _read_lines(log, chunk, read, name, skip_bad)
            if progress is not None:
                progress(len(chunk))
        if rest:  # the last line has no line break
            chunk = b"".join(rest)
            _read_lines(log, chunk, read, name, skip_bad)
            if progress is not None:
                progress(len(chunk))
    return log


def _read_lines(log: EventLog, chunk: bytes, read: int, name: str, skip_bad: bool) -> int:
    """Add the events of ``chunk`` (whole lines after the first ``read``); return the lines read."""
    found = decode_event_lines(chunk)
    if found is not None:  # the usual case: every line one good event, decoded in bulk
        log.events.extend(zip(range(read + 1, read + 1 + len(found)), found, strict=True))
        return read + len(found)
    number = read
    for number, raw in enumerate(io.BytesIO(chunk), start=read + 1):  # split as a file is: at b"\n"
        try:
            event = decode_event(raw)
        except EventError as error:
            if not raw.strip():
                continue  # blank lines are allowed (checked only here: they fail to decode)
            message = error.message if error.field == "json" else f"{error.field}: {error.message}"
        else:
            log.events.append((number, event))
            continue
        if not skip_bad:
            raise EventLineError(name, number, message + " (use --skip-bad to skip such lines)")
        log.bad.append(BadLine(number, message))
    return number


@dataclass
class ServiceResult:
    id: str
    cost: float
    episodes: list[Episode]
    sla: list[SlaPeriod] | None


@dataclass
class ReplayResult:
    start: float
    end: float
    currency: str
    services: list[ServiceResult]
    applied: int = 0
    duplicates: int = 0
    unmatched: list[tuple[int, Event]] = field(default_factory=list)
    ignored_after_end: int = 0

    @property
    def total_cost(self) -> float:
        return sum(s.cost for s in self.services)


def replay(
    graph: CompiledGraph,
    events: Iterable[tuple[int, Event]],
    start: float,
    end: float,
    on_progress: Callable[[int], None] | None = None,
) -> ReplayResult:
    """Run events (with their line numbers) through the engine over [start, end).

    ``on_progress(n)`` is told every few thousand events how many more were applied.
    """
    with gc_paused():
        return _replay(graph, events, start, end, on_progress)


def _replay(
    graph: CompiledGraph,
    events: Iterable[tuple[int, Event]],
    start: float,
    end: float,
    on_progress: Callable[[int], None] | None,
) -> ReplayResult:
    if end <= start:
        raise ValueError("the replay window is empty: --to must be after --from")
    router = EventRouter(graph)
    nodes_for, codes = router.nodes_for, _STATE_CODES
    seen_ids: set[str] = set()
    # Each event is read once, here, and routed: the engine's loop below then runs over plain
    # tuples (time, nodes, key, state) and touches no event, its labels or its strings again.
    todo: list[tuple[float, tuple[int, ...], str, int]] = []
    unmatched: list[tuple[float, int, Event]] = []
    result = ReplayResult(start, end, graph.currency, [])
    in_order = True  # a log is usually in time order already: then there is nothing to sort
    last = -math.inf
    kept = 0
    for order, (_, event) in enumerate(events):
        if event.id is not None:
            if event.id in seen_ids:
                result.duplicates += 1
                continue
            seen_ids.add(event.id)
        time = event.time
        assert time is not None
        if time >= end:
            result.ignored_after_end += 1
            continue
        kept += 1
        if time < last:
            in_order = False
        last = time
        nodes = nodes_for(event.node, event.labels)
        if nodes:
            todo.append((time, nodes, event.key, codes[event.state]))
        else:
            unmatched.append((time, order, event))
    if not in_order:  # stable sorts: events at the same instant keep their order in the log
        todo.sort(key=itemgetter(0))
        unmatched.sort(key=itemgetter(0))
    result.unmatched = [(order, event) for _, order, event in unmatched]

    timeline = Timeline(graph, start)
    apply_one = timeline.apply_one
    reported = 0
    for done, (time, nodes, key, state) in enumerate(todo, start=1):
        if len(nodes) == 1:
            apply_one(time, nodes[0], key, state)
        else:
            timeline.apply(time, [(node, key, state) for node in nodes])
        if on_progress is not None and not done % PROGRESS_EVERY:
            on_progress(PROGRESS_EVERY)
            reported += PROGRESS_EVERY
    result.applied = len(todo)
    if on_progress is not None:
        on_progress(kept - reported)

    windows: dict[str, CalendarWindow] = {}

    def window(name: str) -> CalendarWindow:
        if name not in windows:
            spec = graph.calendars.get(name)
            windows[name] = CalendarWindow(BusinessCalendar(spec, name), start, end)
        return windows[name]

    for facts in graph.services:
        segments = timeline.segments(facts.index, end)
        found = episodes(facts, segments, window(facts.calendar), end)
        sla = sla_periods(facts, segments, window(facts.sla_calendar), start, end) if facts.sla else None
        result.services.append(ServiceResult(graph.ids[facts.index], sum(e.cost for e in found), found, sla))
    result.services.sort(key=lambda s: s.id)
    return result


def money(value: float) -> float:
    return round(value + 0.0, 2) + 0.0


def seconds(value: float) -> int:
    return math.floor(value + 1e-6)


def to_json(graph: CompiledGraph, result: ReplayResult) -> dict[str, Any]:
    """The ``--json`` document of semantics §5."""
    services: dict[str, Any] = {}
    for service in result.services:
        entry: dict[str, Any] = {
            "cost": money(service.cost),
            "episodes": [
                {
                    "start": format_time(e.start),
                    "end": format_time(e.end) if e.end is not None else None,
                    "worst_state": State(e.worst_state).label,
                    "planned": e.planned,
                    "counted_seconds": seconds(e.counted_seconds),
                    "cost": money(e.cost),
                    "root_causes": sorted(graph.ids[n] for n in e.root_causes),
                }
                for e in service.episodes
            ],
        }
        if service.sla is not None:
            entry["sla"] = [
                {
                    "period_start": format_time(p.period_start),
                    "period_end": format_time(p.period_end),
                    "measured_seconds": seconds(p.measured_seconds),
                    "down_seconds": seconds(p.down_seconds),
                    "sli": round(p.sli, 4),
                    "target": p.target,
                    "met": p.met,
                    "budget_seconds": seconds(p.budget_seconds),
                    "budget_remaining_seconds": seconds(p.budget_remaining_seconds),
                }
                for p in service.sla
            ]
        services[service.id] = entry
    return {
        "from": format_time(result.start),
        "to": format_time(result.end),
        "currency": result.currency,
        "total_cost": money(result.total_cost),
        "services": services,
    }
