"""Checkpoints: the live engine's state as bytes, and an engine carried on from them.

A checkpoint holds everything the engine knows that the stored events would otherwise have to
tell again: the clock, the start of measurement, the last event applied (``applied_seq``), the
signals and the time of the last event of each, every business service's history, the
maintenance windows added while running, and the incidents with the tracker's place in each
history. Caches (costs priced so far, workaround tallies) are left out: they are worked out again
when first asked.

Everything is named by id, never by a node's index, so a checkpoint can be resumed under a
changed model (a model reload, or a restart after the model was edited): the signals of nodes
that are still there are propagated through the new model at the checkpoint's clock, histories
so far stay as they were, and the new model applies from that instant (semantics §11).
Resuming under the model the checkpoint was taken with gives exactly the engine that was saved:
a test holds ``resume(capture(e))`` followed by more events to the engine that took them all.

Encoded with msgspec's MessagePack into typed structures, so a damaged checkpoint fails to decode
(``CheckpointUnusable``) rather than giving a wrong state; the caller then replays every event.
No I/O here: the server stores the bytes (``bizmap.live.checkpoints``).
"""

from __future__ import annotations

import msgspec

from bizmap.domain.compile import CompiledGraph
from bizmap.domain.matching import EventRouter
from bizmap.domain.propagate import OK
from bizmap.domain.timeline import ServicePoint, Timeline
from bizmap.engine.incidents import IncidentTracker, Membership, StatusChange, TrackedIncident
from bizmap.engine.live_engine import LiveEngine, UnmatchedStream
from bizmap.errors import CheckpointUnusable

FORMAT = 1  # raised when the structures below change: an older checkpoint is then not used


class _Point(msgspec.Struct, array_like=True):
    time: float
    state: int
    planned: bool
    roots: int  # an index into ``_Checkpoint.root_sets``


class _Service(msgspec.Struct, array_like=True):
    id: str
    points: list[_Point]
    taken: int  # points the incident tracker has followed


class _Signal(msgspec.Struct, array_like=True):
    node: str
    key: str
    state: int


class _LastTime(msgspec.Struct, array_like=True):
    node: str
    key: str
    time: float


class _Window(msgspec.Struct, array_like=True):
    id: str
    nodes: list[str]
    begin: float
    end: float


class _Unmatched(msgspec.Struct, array_like=True):
    node: str | None
    labels: list[tuple[str, str]]
    key: str
    state: int
    time: float


class _Change(msgspec.Struct, array_like=True):
    time: float
    service: str
    state: int
    planned: bool
    roots: list[str]


class _Membership(msgspec.Struct, array_like=True):
    service: str
    start: float
    end: float | None


class _Incident(msgspec.Struct, array_like=True):
    id: str
    opened_at: float
    closed_at: float | None
    services: list[str]
    root_causes: list[str]
    memberships: list[_Membership]
    timeline: list[_Change]
    merged_into: str | None
    acknowledged_at: float | None
    acknowledged_by: str | None


class _Checkpoint(msgspec.Struct):
    format: int
    start: float
    now: float
    measurement_start: float | None
    applied_seq: int
    root_sets: list[list[str]]
    services: list[_Service]
    signals: list[_Signal]
    last_times: list[_LastTime]
    windows: list[_Window]
    window_ops: list[str]
    unmatched: list[_Unmatched]
    incidents: list[_Incident] | None  # None: the engine had not tracked incidents yet
    status: list[_Change]


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(_Checkpoint)


def capture(engine: LiveEngine) -> bytes:
    """The engine's state as bytes (take it between two groups of events, after the incidents
    have followed the histories: ``engine.after_apply()``)."""
    graph, timeline = engine.graph, engine.timeline
    ids = graph.ids
    root_sets: dict[frozenset[int], int] = {}
    services = []
    tracker = engine.tracked_incidents
    taken = tracker.taken() if tracker is not None else {}
    for service, points in timeline.history.items():
        rows = [
            _Point(point.time, point.state, point.planned, root_sets.setdefault(point.roots, len(root_sets)))
            for point in points
        ]
        services.append(_Service(ids[service], rows, taken.get(service, 0)))
    incidents = None
    if tracker is not None:
        sorted_roots: dict[frozenset[str], list[str]] = {}
        incidents = [_incident_row(incident, sorted_roots) for incident in tracker.incidents.values()]
    state = _Checkpoint(
        format=FORMAT,
        start=engine.start,
        now=timeline.now,
        measurement_start=engine.measurement_start,
        applied_seq=engine.applied_seq,
        root_sets=[sorted(ids[node] for node in roots) for roots in root_sets],
        services=services,
        signals=[
            _Signal(ids[node], key, state)
            for node, by_key in timeline.signals.items()
            for key, state in by_key.items()
        ],
        last_times=[_LastTime(ids[node], key, time) for (node, key), time in engine.last_times.items()],
        windows=[
            _Window(window_id, [ids[n] for n in nodes], begin, end)
            for window_id, (nodes, begin, end) in engine.running_windows().items()
        ],
        window_ops=sorted(engine.window_ops),
        unmatched=[
            _Unmatched(node, list(labels), key, state, time)
            for (node, labels, key), (state, time) in engine.unmatched.items()
        ],
        incidents=incidents,
        status=[_change_row(change) for change in (tracker.status_changes() if tracker is not None else [])],
    )
    return _encoder.encode(state)


def resume(graph: CompiledGraph, body: bytes) -> LiveEngine:
    """An engine carried on from ``capture``'s bytes under ``graph`` (the same model or another).

    Raises ``CheckpointUnusable`` when the bytes do not decode to a checkpoint of this format.
    """
    try:
        saved = _decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise CheckpointUnusable(f"the checkpoint does not decode: {error}") from None
    if saved.format != FORMAT:
        raise CheckpointUnusable(f"the checkpoint is of format {saved.format}, this bizmap reads {FORMAT}")
    index = graph.index
    root_sets = [frozenset(index[node] for node in roots if node in index) for roots in saved.root_sets]
    if any(point.roots >= len(root_sets) for service in saved.services for point in service.points):
        raise CheckpointUnusable("the checkpoint names a set of root causes it does not hold")
    history: dict[int, list[ServicePoint]] = {}
    taken: dict[int, int] = {}
    for service in saved.services:
        at = index.get(service.id)
        if at is None or at not in graph.service_of:
            continue  # no longer a business service of the model
        history[at] = [ServicePoint(p.time, p.state, p.planned, root_sets[p.roots]) for p in service.points]
        taken[at] = service.taken
    signals: dict[int, dict[str, int]] = {}
    for signal in saved.signals:
        if signal.node in index:
            signals.setdefault(index[signal.node], {})[signal.key] = signal.state
    last_times = {(index[row.node], row.key): row.time for row in saved.last_times if row.node in index}
    router = EventRouter(graph)
    unmatched = _match_again(router, saved.unmatched, signals, last_times)
    kept_windows = [w for w in saved.windows if all(node in index for node in w.nodes)]
    timeline, added = Timeline.resumed(
        graph,
        saved.start,
        saved.now,
        signals,
        history,
        [([index[node] for node in w.nodes], w.begin, w.end) for w in kept_windows],
    )
    engine = LiveEngine(graph, saved.start, saved.measurement_start, timeline, router)
    engine.last_times = last_times
    engine.unmatched = unmatched
    engine.applied_seq = saved.applied_seq
    engine.window_ops = set(saved.window_ops)
    for window, boundaries in zip(kept_windows, added, strict=True):
        engine.restore_window(window.id, boundaries)
    if saved.incidents is not None:
        engine.tracked_incidents = IncidentTracker.resumed(
            graph.ids,
            [_incident(row) for row in saved.incidents],
            [_change(row) for row in saved.status],
            timeline.history,
            taken,
        )
    return engine


def carried_over(engine: LiveEngine, graph: CompiledGraph) -> LiveEngine:
    """``engine``'s state under ``graph``: what ``resume(graph, capture(engine))`` gives, without
    the bytes when ``graph`` has the same nodes in the same order (a reload that changed rules,
    impacts, calendars or matching, not the set of nodes): then histories, signals and incidents
    are handed over as they are, in a time that does not grow with the history. The result
    names ``engine`` as the one it was carried from (the incident desk then saves nothing again)."""
    engine.after_apply()  # the incidents follow the histories first
    successor = _carried(engine, graph)
    successor.carried_from = engine.serial
    return successor


def _carried(engine: LiveEngine, graph: CompiledGraph) -> LiveEngine:
    if graph.ids != engine.graph.ids:
        return resume(graph, capture(engine))
    timeline = engine.timeline
    signals = {node: dict(by_key) for node, by_key in timeline.signals.items()}
    last_times = dict(engine.last_times)
    router = EventRouter(graph)
    streams = [
        _Unmatched(node, list(labels), key, state, time)
        for (node, labels, key), (state, time) in engine.unmatched.items()
    ]
    unmatched = _match_again(router, streams, signals, last_times)
    running = engine.running_windows()
    history = {service: points for service, points in timeline.history.items() if service in graph.service_of}
    carried, added = Timeline.resumed(
        graph, engine.start, timeline.now, signals, history, [running[w] for w in running]
    )
    successor = LiveEngine(graph, engine.start, engine.measurement_start, carried, router)
    successor.last_times = last_times
    successor.unmatched = unmatched
    successor.applied_seq = engine.applied_seq
    successor.window_ops = set(engine.window_ops)
    for window_id, boundaries in zip(running, added, strict=True):
        successor.restore_window(window_id, boundaries)
    # the same histories (the very lists), so the tracker's place in each still holds
    successor.tracked_incidents = engine.tracked_incidents
    return successor


def _match_again(
    router: EventRouter,
    streams: list[_Unmatched],
    signals: dict[int, dict[str, int]],
    last_times: dict[tuple[int, str], float],
) -> dict[UnmatchedStream, tuple[int, float]]:
    """The streams of events that matched no node, through the model's router: those it matches
    now become signals (unless a newer event of the same node and key is known); the streams
    that still match nothing."""
    unmatched: dict[UnmatchedStream, tuple[int, float]] = {}
    for stream in streams:
        nodes = router.nodes_for(stream.node, dict(stream.labels) or None)
        if not nodes:
            unmatched[(stream.node, tuple(stream.labels), stream.key)] = (stream.state, stream.time)
            continue
        for node in nodes:
            if stream.time < last_times.get((node, stream.key), float("-inf")):
                continue
            last_times[(node, stream.key)] = stream.time
            by_key = signals.setdefault(node, {})
            if stream.state == OK:
                by_key.pop(stream.key, None)
            else:
                by_key[stream.key] = stream.state
    return unmatched


def _change_row(change: StatusChange, sorted_roots: dict[frozenset[str], list[str]] | None = None) -> _Change:
    """``sorted_roots``: the root sets sorted so far (changes share a few sets, sorted once)."""
    roots = sorted_roots.get(change.roots) if sorted_roots is not None else None
    if roots is None:
        roots = sorted(change.roots)
        if sorted_roots is not None:
            sorted_roots[change.roots] = roots
    return _Change(change.time, change.service, change.state, change.planned, roots)


def _change(row: _Change) -> StatusChange:
    return StatusChange(row.time, row.service, row.state, row.planned, frozenset(row.roots))


def _incident_row(incident: TrackedIncident, sorted_roots: dict[frozenset[str], list[str]]) -> _Incident:
    return _Incident(
        id=incident.id,
        opened_at=incident.opened_at,
        closed_at=incident.closed_at,
        services=list(incident.services),
        root_causes=sorted(incident.root_causes),
        memberships=[_Membership(m.service, m.start, m.end) for m in incident.memberships],
        timeline=[_change_row(change, sorted_roots) for change in incident.timeline],
        merged_into=incident.merged_into,
        acknowledged_at=incident.acknowledged_at,
        acknowledged_by=incident.acknowledged_by,
    )


def _incident(row: _Incident) -> TrackedIncident:
    return TrackedIncident(
        id=row.id,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        services=list(row.services),
        root_causes=set(row.root_causes),
        memberships=[Membership(m.service, m.start, m.end) for m in row.memberships],
        timeline=[_change(change) for change in row.timeline],
        merged_into=row.merged_into,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
    )
