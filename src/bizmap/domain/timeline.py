"""States over time: signals in, each business service's history of states out.

A ``Timeline`` owns the signals, the propagation and the maintenance calendar of a model,
takes signal updates in time order and records, for every business service, the instants
where its state, its root causes or its planned status change. Replay and the live engine
both drive it; cost, episodes and SLA are computed from the histories it records.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from bizmap.domain.compile import CompiledGraph
from bizmap.domain.propagate import OK, Propagation, affected_ancestors

# Points and segments are made by the million (every change of every service, every read of a
# history), so they are plain classes rather than frozen dataclasses: compiled, one is made
# about 25 times faster. They are values: never change one, make another.


class ServicePoint:
    """From ``time`` on (until the next point) the service has this state."""

    __slots__ = ("planned", "roots", "state", "time")

    def __init__(self, time: float, state: int, planned: bool, roots: frozenset[int]) -> None:
        self.time = time
        self.state = state
        self.planned = planned
        self.roots = roots

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServicePoint):
            return NotImplemented
        return self.time == other.time and _same(self, other)

    def __hash__(self) -> int:
        return hash((self.time, self.state, self.planned, self.roots))

    def __repr__(self) -> str:
        return (
            f"ServicePoint(time={self.time!r}, state={self.state!r}, "
            f"planned={self.planned!r}, roots={self.roots!r})"
        )


class Segment:
    """From ``start`` to ``end`` the service had this state."""

    __slots__ = ("end", "planned", "roots", "start", "state")

    def __init__(self, start: float, end: float, state: int, planned: bool, roots: frozenset[int]) -> None:
        self.start = start
        self.end = end
        self.state = state
        self.planned = planned
        self.roots = roots

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        return (self.start, self.end, self.state, self.planned, self.roots) == (
            other.start,
            other.end,
            other.state,
            other.planned,
            other.roots,
        )

    def __hash__(self) -> int:
        return hash((self.start, self.end, self.state, self.planned, self.roots))

    def __repr__(self) -> str:
        return (
            f"Segment(start={self.start!r}, end={self.end!r}, state={self.state!r}, "
            f"planned={self.planned!r}, roots={self.roots!r})"
        )


class Timeline:
    """Signals -> propagation -> per-service histories, with maintenance windows applied."""

    def __init__(self, graph: CompiledGraph, start: float) -> None:
        self.graph = graph
        self.start = start
        self.now = start
        self.propagation = Propagation(graph)
        self.signals: dict[int, dict[str, int]] = {}
        self._maintenance_depth = [0] * len(graph)
        # edges typed as tuples of any length: compiled, reading one member of a fixed-size tuple
        # converts all of it first, and these walks read only the node at the other end
        self._parents: tuple[tuple[tuple[int, ...], ...], ...] = graph.parents
        self._children: tuple[tuple[tuple[int, ...], ...], ...] = graph.children
        self._is_service = graph.is_service
        self._seen = [False] * len(graph)  # scratch flags of apply_one's walk, all False between calls
        self._just_changed = [False] * len(graph)
        boundaries: list[tuple[float, int, int]] = []
        for window in graph.maintenance:
            start_at, end_at = window.start.timestamp(), window.end.timestamp()
            for node in window.nodes:
                boundaries.append((start_at, 1, node))
                boundaries.append((end_at, -1, node))
        boundaries.sort()
        self._boundaries = boundaries
        self._next_boundary = 0
        self.history: dict[int, list[ServicePoint]] = {
            s.index: [ServicePoint(start, OK, False, frozenset())] for s in graph.services
        }
        self._advance_maintenance(start)

    @classmethod
    def resumed(
        cls,
        graph: CompiledGraph,
        start: float,
        now: float,
        signals: dict[int, dict[str, int]],
        history: dict[int, list[ServicePoint]],
        windows: Sequence[tuple[Sequence[int], float, float]],
    ) -> tuple[Timeline, list[list[tuple[float, int, int]]]]:
        """A timeline carried on from a saved state: its clock at ``now``, these signals (by node),
        these histories (by service; one not given begins ok at ``start``) and the maintenance
        windows added while running, each ``(nodes, begin, end)``, as ``add_window`` gave them.

        The model's own windows and those given are in force as they are at ``now``; the state
        the signals give through ``graph`` is recorded at ``now`` where it differs from the last
        point of a history (nowhere, when ``graph`` is the model the state was saved under).
        Returns the timeline and, for each window given, the boundaries ``end_window`` takes.
        """
        timeline = cls(graph, start)
        pending = timeline._boundaries[timeline._next_boundary :]
        added = []
        for nodes, begin, end in windows:
            boundaries = [(begin, 1, node) for node in nodes] + [(end, -1, node) for node in nodes]
            pending.extend(boundaries)
            added.append(boundaries)
        pending.sort()
        timeline._boundaries, timeline._next_boundary = pending, 0
        depth, boundaries = timeline._maintenance_depth, timeline._boundaries
        while timeline._next_boundary < len(boundaries) and boundaries[timeline._next_boundary][0] <= now:
            _, step, node = boundaries[timeline._next_boundary]
            depth[node] += step
            timeline._next_boundary += 1
        timeline.now = max(now, start)
        timeline.signals = {node: dict(by_key) for node, by_key in signals.items() if by_key}
        own = {node: max(by_key.values()) for node, by_key in timeline.signals.items()}
        timeline.propagation.set_own(own)
        for service, points in history.items():
            if service in timeline.history and points:
                timeline.history[service] = points
        timeline._record(timeline.now, [s.index for s in graph.services])
        return timeline, added

    def forget_before(self, service: int, time: float, most: int) -> int:
        """Drop the service's points before the episode open at ``time`` (at most ``most`` of
        them): what reads from ``time`` on sees the same. How many were dropped."""
        points = self.history[service]
        first = bisect.bisect_right(points, time, key=_point_time) - 1
        while first > 0 and points[first].state != OK:
            first -= 1
        first = min(first, most)
        if first <= 0:
            return 0
        del points[:first]
        return first

    def maintenance_depth(self, node: int) -> int:
        """How many maintenance windows cover ``node`` at the clock."""
        return self._maintenance_depth[node]

    # -- maintenance -------------------------------------------------------------------
    def in_maintenance(self, node: int) -> bool:
        return self._maintenance_depth[node] > 0

    def next_boundary(self) -> float | None:
        """When the next maintenance window starts or ends after the clock (None: none pending)."""
        if self._next_boundary < len(self._boundaries):
            return self._boundaries[self._next_boundary][0]
        return None

    def add_window(self, nodes: Sequence[int], start: float, end: float) -> list[tuple[float, int, int]]:
        """A maintenance window learnt while running; it counts from ``max(start, now)``.

        History already recorded is not rewritten. Returns the boundaries it added, which
        ``end_window`` takes to end it early.
        """
        if end <= self.now:
            return []
        begin = max(start, self.now)
        added = [(begin, 1, node) for node in nodes] + [(end, -1, node) for node in nodes]
        pending = self._boundaries[self._next_boundary :] + added
        pending.sort()
        self._boundaries, self._next_boundary = pending, 0
        self._advance_maintenance(self.now)
        return added

    def end_window(self, added: Sequence[tuple[float, int, int]]) -> None:
        """End a window added by ``add_window`` now (or drop it if it has not begun)."""
        pending = self._boundaries[self._next_boundary :]
        remaining = [b for b in added if b in pending]
        for boundary in remaining:
            pending.remove(boundary)
        started = {node for at, step, node in added if step == 1 and (at, step, node) not in remaining}
        closing = [(self.now, -1, node) for at, step, node in remaining if step == -1 and node in started]
        pending = sorted(pending + closing)
        self._boundaries, self._next_boundary = pending, 0
        self._advance_maintenance(self.now)

    def _advance_maintenance(self, until: float) -> None:
        boundaries = self._boundaries
        while self._next_boundary < len(boundaries) and boundaries[self._next_boundary][0] <= until:
            at = boundaries[self._next_boundary][0]
            while self._next_boundary < len(boundaries) and boundaries[self._next_boundary][0] == at:
                _, step, node = boundaries[self._next_boundary]
                self._maintenance_depth[node] += step
                self._next_boundary += 1
            state = self.propagation.state
            self._record(max(at, self.start), [s.index for s in self.graph.services if state[s.index] != OK])

    # -- signals -----------------------------------------------------------------------
    def own_state_of(self, node: int) -> int:
        signals = self.signals.get(node)
        return max(signals.values()) if signals else OK

    def apply(self, time: float, updates: Iterable[tuple[int, str, int]]) -> list[int]:
        """Apply signal updates ``(node, key, state)`` at ``time``; return nodes whose state changed.

        Times before the timeline's start count as its start; times must not go backwards.
        """
        time = self._advance(time)
        touched: dict[int, int] = {}
        for node, key, state in updates:
            own = self._set_signal(node, key, state)
            if own is not None:
                touched[node] = own
        return self._propagate(time, touched) if touched else []

    def apply_one(self, time: float, node: int, key: str, state: int) -> list[int]:
        """``apply`` for a single signal update: the common case, kept lean for replay speed."""
        time = self._advance(time)
        own = self._set_signal(node, key, state)
        propagation = self.propagation
        if own is None or propagation.own[node] == own:
            return []
        changed = propagation.set_own_one(node, own)
        # Services whose state or root causes may differ now: those above the node through
        # nodes that are non-ok, or that just changed (an ok node breaks every path through it).
        # The walk marks nodes in two lists of flags, cleared after, rather than in sets.
        current, parents, is_service = propagation.state, self._parents, self._is_service
        seen, just_changed = self._seen, self._just_changed
        for changed_node in changed:
            just_changed[changed_node] = True
        seen[node] = True
        stack = [node]
        walked = [node]
        services = []
        while stack:
            here = stack.pop()
            if is_service[here]:
                services.append(here)
            for edge in parents[here]:
                parent = edge[0]
                if not seen[parent] and (current[parent] != OK or just_changed[parent]):
                    seen[parent] = True
                    stack.append(parent)
                    walked.append(parent)
        for walked_node in walked:
            seen[walked_node] = False
        for changed_node in changed:
            just_changed[changed_node] = False
        if services:
            self._record(time, services)
        return changed

    def _advance(self, time: float) -> float:
        if time < self.start:
            time = self.start
        if time < self.now:
            raise ValueError("timeline updates must come in time order")
        if self._next_boundary < len(self._boundaries):
            self._advance_maintenance(time)
        self.now = time
        return time

    def _set_signal(self, node: int, key: str, state: int) -> int | None:
        """Record a signal; return the node's new own state, or None when nothing changed."""
        signals = self.signals.get(node)
        if state == OK:
            if not signals or key not in signals:
                return None
            del signals[key]
            if not signals:
                del self.signals[node]
                return OK
        else:
            if signals is None:
                self.signals[node] = {key: state}
                return state
            if signals.get(key) == state:
                return None
            signals[key] = state
        worst = OK  # max(), written out: compiled, the builtin is a generic call
        for value in signals.values():
            if value > worst:
                worst = value
        return worst

    def _propagate(self, time: float, touched: dict[int, int]) -> list[int]:
        own = self.propagation.own
        own_changed = [node for node, state in touched.items() if own[node] != state]
        changed = self.propagation.set_own(touched)
        if own_changed or changed:
            sources = set(own_changed)
            sources.update(changed)
            affected = affected_ancestors(self.graph, self.propagation, sources)
            is_service = self.graph.is_service
            services = [n for n in affected if is_service[n]]
            if services:
                self._record(time, services)
        return changed

    def status(self, service: int) -> tuple[int, bool, frozenset[int]]:
        """(state, planned, root causes) of a business service now."""
        state = self.propagation.state[service]
        if state == OK:
            return OK, False, frozenset()
        roots = self._root_causes(service)
        depth = self._maintenance_depth
        planned = depth[service] > 0 or all(depth[r] > 0 for r in roots)
        return state, planned, roots

    def _root_causes(self, node: int) -> frozenset[int]:
        """``root_causes`` of the propagation here, marking nodes in flags instead of a set."""
        propagation = self.propagation
        state, own, children, seen = propagation.state, propagation.own, self._children, self._seen
        found = []
        seen[node] = True
        stack = [node]
        walked = [node]
        while stack:
            current = stack.pop()
            if own[current] != OK:
                found.append(current)
            for edge in children[current]:
                child = edge[0]
                if not seen[child] and state[child] != OK:
                    seen[child] = True
                    stack.append(child)
                    walked.append(child)
        for walked_node in walked:
            seen[walked_node] = False
        return frozenset(found)

    def _record(self, time: float, services: Iterable[int]) -> None:
        for service in services:
            state, planned, roots = self.status(service)
            points = self.history[service]
            last = points[-1]
            if last.state == state and last.planned == planned and last.roots == roots:
                continue
            point = ServicePoint(time, state, planned, roots)
            if last.time == time:
                points[-1] = point
                if len(points) > 1 and _same(points[-2], point):
                    points.pop()
            else:
                points.append(point)

    def segments(
        self, service: int, end: float, since: float | None = None, whole_episode: bool = True
    ) -> list[Segment]:
        """The service's history up to ``end`` as consecutive segments; reads, never changes.

        With ``since``, only from the last ok point at or before it, so that the episode open
        at ``since`` is whole while the work stays bounded however long the history is
        (with ``whole_episode=False``, from the segment that holds ``since``).
        Past the clock, no event has happened yet: the state stays, but maintenance windows
        that start or end before ``end`` still make it planned or unplanned.
        History before the clock is final: events take effect at the clock or later.
        """
        history = self.history[service]
        first = 0
        if since is not None:
            first = max(bisect.bisect_right(history, since, key=_point_time) - 1, 0)
            while whole_episode and first > 0 and history[first].state != OK:
                first -= 1
        last = bisect.bisect_left(history, end, key=_point_time)
        points = history[first:last]
        if end > self.now:
            points.extend(p for p in self._maintenance_ahead(service, end) if p.time > points[-1].time)
        out = []
        for i, point in enumerate(points):
            stop = points[i + 1].time if i + 1 < len(points) else end
            if stop > point.time:
                out.append(Segment(point.time, stop, point.state, point.planned, point.roots))
        return out

    def _maintenance_ahead(self, service: int, end: float) -> list[ServicePoint]:
        """Planned-status changes of ``service`` at maintenance boundaries after the clock."""
        state, planned, roots = self.status(service)
        if state == OK:
            return []
        watched = {service, *roots}
        depth = {node: self._maintenance_depth[node] for node in watched}
        boundaries = self._boundaries
        found = []
        i = self._next_boundary
        while i < len(boundaries) and boundaries[i][0] < end:
            at = boundaries[i][0]
            while i < len(boundaries) and boundaries[i][0] == at:
                _, step, node = boundaries[i]
                if node in depth:
                    depth[node] += step
                i += 1
            now_planned = depth[service] > 0 or all(depth[r] > 0 for r in roots)
            if now_planned != planned:
                planned = now_planned
                found.append(ServicePoint(max(at, self.start), state, planned, roots))
        return found


def _point_time(point: ServicePoint) -> float:
    return point.time


def _same(a: ServicePoint, b: ServicePoint) -> bool:
    return a.state == b.state and a.planned == b.planned and a.roots == b.roots
