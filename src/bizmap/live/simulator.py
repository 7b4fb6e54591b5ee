"""A built-in simulator for ``bizmap demo``: realistic monitoring events for any model.

Every few seconds something happens, much as on a real estate: a redundant member fails and
recovers (no business impact), something degrades, now and then a real incident (a single
point of failure, or enough members of a group to break it, down for one to five minutes,
sometimes with a second related alarm under another key, then recovery), some flapping
noise, and rarely a message from equipment the model does not know (kept as unmatched).

``Simulator`` is pure logic: it takes the time and a seeded ``random.Random`` and returns
events. ``run_simulator`` submits them through the server's writer, so they are stored and
applied like any other; ``bizmap.web.app.with_simulator`` starts it in an app's lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bizmap.analytics.whatif import what_if
from bizmap.domain.compile import RULE_ALL, CompiledGraph, Selector
from bizmap.domain.event import Event
from bizmap.domain.matching import EventRouter
from bizmap.domain.states import State
from bizmap.live.writer import IngestWriter

log = logging.getLogger("bizmap.simulator")

SOURCE = "simulator"
PRIMARY_KEY = "availability"
SECOND_KEY = "health-check"

_SUMMARIES = {
    State.DOWN: "{name} is not responding",
    State.DEGRADED: "{name}: response times above threshold",
    State.OK: "{name} has recovered",
}
_SECOND_SUMMARY = "{name}: synthetic health check failing"
_UNKNOWN_DEVICES = (
    {"job": "snmp", "target": "ward-7-label-printer"},
    {"job": "node", "instance": "old-fileserver-03:9100"},
    {"job": "blackbox", "instance": "https://intranet-legacy.example/health"},
    {"alertname": "UPSOnBattery", "site": "estates-annex"},
)


@dataclass(frozen=True)
class Target:
    """A node the simulator can make fail, and how to address it: labels that fit one of its
    selectors, or its id when it has none that can be written down."""

    node: int
    node_id: str
    name: str
    labels: Mapping[str, str] | None


@dataclass(frozen=True)
class Catalogue:
    """The model's nodes sorted by what their failure does to the business services."""

    redundant: tuple[Target, ...]  # down alone: no business service affected
    degrading: tuple[Target, ...]  # down alone: some business service degraded, none down
    single_points: tuple[Target, ...]  # down alone: some business service down
    groups: tuple[tuple[str, tuple[Target, ...]], ...]  # redundant members that together break it


def labels_for(selector: Selector) -> dict[str, str] | None:
    """Labels that fit ``selector``: its exact labels plus a value matching each pattern."""
    labels = dict(selector.exact)
    for key, pattern in selector.patterns:
        text = pattern.pattern
        candidates = (
            text.replace(".*", "").replace(".+", "Down"),
            text.replace(".*", "Down").replace(".+", "Down"),
            re.sub(r"[\\^$()\[\]{}|?*+.]", "", text),
        )
        value = next((c for c in candidates if pattern.fullmatch(c)), None)
        if value is None:
            return None
        labels[key] = value
    return labels


def build_catalogue(graph: CompiledGraph) -> Catalogue:
    router = EventRouter(graph)
    selectors: dict[int, list[Selector]] = {}
    for selector, node in graph.selectors:
        selectors.setdefault(node, []).append(selector)
    targets: dict[int, Target] = {}
    for node in range(len(graph)):
        if graph.is_service[node] or (graph.children[node] and node not in selectors):
            continue  # services, and inner nodes nothing reports on
        labels: Mapping[str, str] | None = None
        for selector in selectors.get(node, []):
            found = labels_for(selector)
            if found is not None and router.nodes_for(None, found) == (node,):
                labels = found
                break
        node_id = graph.ids[node]
        targets[node] = Target(node, node_id, graph.names[node] or node_id, labels)
    redundant, degrading, single = [], [], []
    for node, target in targets.items():
        worst = max((s.state for s in what_if(graph, {node: State.DOWN}).services), default=State.OK)
        if worst == State.OK:
            redundant.append(target)
        elif worst == State.DEGRADED:
            degrading.append(target)
        else:
            single.append(target)
    groups = []
    for node in range(len(graph)):
        if graph.is_service[node] or graph.rule[node] == RULE_ALL:
            continue
        members = tuple(targets[c] for c, _, _ in graph.children[node] if c in targets)
        if len(members) < 2 or any(m not in redundant for m in members):
            continue
        hit = what_if(graph, {m.node: State.DOWN for m in members}).services
        if any(s.state == State.DOWN for s in hit):
            groups.append((graph.ids[node], members))
    return Catalogue(tuple(redundant), tuple(degrading), tuple(single), tuple(groups))


@dataclass(order=True, frozen=True)
class _Due:
    at: float
    seq: int
    node: int
    state: State
    key: str
    summary: str


class Simulator:
    """Events over time for one model; the same seed and the same times give the same events."""

    def __init__(
        self,
        graph: CompiledGraph,
        seed: int | random.Random,
        start: float,
        *,
        interval: tuple[float, float] = (3.0, 8.0),
        incident_seconds: tuple[float, float] = (60.0, 300.0),
    ) -> None:
        self.graph = graph
        self.rng = seed if isinstance(seed, random.Random) else random.Random(seed)
        self.catalogue = build_catalogue(graph)
        self.targets = {
            t.node: t
            for t in (*self.catalogue.redundant, *self.catalogue.degrading, *self.catalogue.single_points)
        }
        self.router = EventRouter(graph)
        self.interval = interval
        self.incident_seconds = incident_seconds
        self._prefix = f"sim-{int(start * 1000):x}"
        self._count = 0
        self._seq = 0
        self._next_at = start  # the first scenario, an incident, starts at once
        self._first = True
        self._pending: list[_Due] = []
        self._busy: dict[int, float] = {}  # node -> when its scenario ends
        self._incidents_until: list[float] = []
        self._down: dict[tuple[int, str], State] = {}  # what the simulator last said, if not ok

    # --- the public face ----------------------------------------------------------------------

    def step(self, now: float) -> list[Event]:
        """Start whatever is due to start and return every event due by ``now`` (timed ``now``)."""
        while self._next_at <= now:
            self._start_scenario(self._next_at)
            self._next_at += self.rng.uniform(*self.interval)
        events = []
        while self._pending and self._pending[0].at <= now:
            due = heapq.heappop(self._pending)
            if due.node < 0:
                events.append(self._unmatched(now))
                continue
            if due.state == State.OK:
                self._down.pop((due.node, due.key), None)
            else:
                self._down[(due.node, due.key)] = due.state
            events.append(self._event(due.node, due.state, due.key, due.summary, now))
        return events

    def recover_all(self, now: float) -> list[Event]:
        """Ok events for everything the simulator left failed (on shutdown); nothing stays pending."""
        events = [
            self._event(node, State.OK, key, self._summary(node, State.OK), now)
            for node, key in sorted(self._down)
        ]
        self._down.clear()
        self._pending.clear()
        self._busy.clear()
        return events

    # --- scenarios ----------------------------------------------------------------------------

    def _start_scenario(self, at: float) -> None:
        self._busy = {n: end for n, end in self._busy.items() if end > at}
        self._incidents_until = [end for end in self._incidents_until if end > at]
        if self._first:
            started = self._incident(at)
            self._first = False
            if started:
                return
        roll = self.rng.random()
        started = False
        if roll < 0.30:
            started = self._incident(at)
        elif roll < 0.40:
            started = self._flapping(at)
        elif roll < 0.42:
            self._schedule(at, -1, State.DOWN, PRIMARY_KEY, "")
            started = True
        elif roll < 0.70:
            started = self._degradation(at)
        if not started:
            self._redundant_blip(at)

    def _incident(self, at: float) -> bool:
        if len(self._incidents_until) >= 2:
            return False
        catalogue = self.catalogue
        choices: list[tuple[Target, ...]] = [(t,) for t in catalogue.single_points]
        choices += [members for _, members in catalogue.groups]
        choices = [c for c in choices if not any(t.node in self._busy for t in c)]
        if self._first:  # the first one costs money at any hour, so a visitor sees it at once
            choices = [c for c in choices if self._always_costly(c)] or choices
        if not choices:
            return False
        members = self.rng.choice(choices)
        if len(members) > 1:  # enough members of the group to break it: all of them, one by one
            members = tuple(self.rng.sample(members, len(members)))
        duration = self.rng.uniform(*self.incident_seconds)
        end = at + duration
        for offset, target in enumerate(members):
            failed_at = at + offset * self.rng.uniform(2.0, 10.0)
            self._schedule(failed_at, target.node, State.DOWN, PRIMARY_KEY)
            self._schedule(end + offset * self.rng.uniform(1.0, 5.0), target.node, State.OK, PRIMARY_KEY)
        if self.rng.random() < 0.5:  # a second, related alarm on the first failed part
            first = members[0].node
            second_at = at + self.rng.uniform(5.0, min(30.0, duration / 2))
            summary = _SECOND_SUMMARY.format(name=self.targets[first].name)
            self._schedule(second_at, first, State.DOWN, SECOND_KEY, summary)
            self._schedule(end + self.rng.uniform(0.0, 10.0), first, State.OK, SECOND_KEY)
        finished = end + 20.0
        for target in members:
            self._busy[target.node] = finished
        self._incidents_until.append(finished)
        return True

    def _always_costly(self, members: tuple[Target, ...]) -> bool:
        hit = what_if(self.graph, {t.node: State.DOWN for t in members}).services
        facts = [self.graph.service_of[self.graph.index[s.id]] for s in hit if s.state == State.DOWN]
        return any(f.calendar == "24x7" and f.base_rate > 0 for f in facts)

    def _degradation(self, at: float) -> bool:
        choices = [t for t in (*self.catalogue.degrading, *self.catalogue.single_points) if self._free(t)]
        if not choices:
            return False
        target = self.rng.choice(choices)
        state = State.DOWN if target in self.catalogue.degrading else State.DEGRADED
        end = at + self.rng.uniform(30.0, 150.0)
        self._schedule(at, target.node, state, PRIMARY_KEY)
        self._schedule(end, target.node, State.OK, PRIMARY_KEY)
        self._busy[target.node] = end + 10.0
        return True

    def _redundant_blip(self, at: float) -> bool:
        target = self._harmless(at)
        if target is None:
            return False
        end = at + self.rng.uniform(20.0, 120.0)
        self._schedule(at, target.node, State.DOWN, PRIMARY_KEY)
        self._schedule(end, target.node, State.OK, PRIMARY_KEY)
        self._busy[target.node] = end + 10.0
        return True

    def _flapping(self, at: float) -> bool:
        target = self._harmless(at)
        if target is None:
            return False
        when = at
        for _ in range(self.rng.randint(2, 4)):
            self._schedule(when, target.node, State.DOWN, PRIMARY_KEY)
            when += self.rng.uniform(3.0, 10.0)
            self._schedule(when, target.node, State.OK, PRIMARY_KEY)
            when += self.rng.uniform(3.0, 10.0)
        self._busy[target.node] = when + 10.0
        return True

    def _harmless(self, at: float) -> Target | None:
        """A free redundant member whose failure, with what is failed already, hurts nobody.

        Whatever is planned to fail before it recovers counts as failed already.
        """
        choices = [t for t in self.catalogue.redundant if self._free(t)]
        self.rng.shuffle(choices)
        failing = {node: State.DOWN for node in self._busy}
        failing.update({node: state for (node, _), state in self._down.items()})
        before = {(s.id, s.state) for s in what_if(self.graph, failing).services}
        for target in choices[:8]:
            after = {
                (s.id, s.state) for s in what_if(self.graph, {**failing, target.node: State.DOWN}).services
            }
            if after <= before:
                return target
        return None

    def _free(self, target: Target) -> bool:
        return target.node not in self._busy

    # --- events -------------------------------------------------------------------------------

    def _schedule(self, at: float, node: int, state: State, key: str, summary: str | None = None) -> None:
        self._seq += 1
        text = summary if summary is not None else (self._summary(node, state) if node >= 0 else "")
        heapq.heappush(self._pending, _Due(at, self._seq, node, state, key, text))

    def _summary(self, node: int, state: State) -> str:
        return _SUMMARIES[state].format(name=self.targets[node].name if node in self.targets else node)

    def _next_id(self) -> str:
        self._count += 1
        return f"{self._prefix}-{self._count}"

    def _event(self, node: int, state: State, key: str, summary: str, now: float) -> Event:
        target = self.targets[node]
        labels = dict(target.labels) if target.labels is not None else None
        return Event(
            state=state,
            time=now,
            node=None if labels is not None else target.node_id,
            labels=labels,
            key=key,
            summary=summary,
            source=SOURCE,
            id=self._next_id(),
        )

    def _unmatched(self, now: float) -> Event:
        """A message from equipment the model does not know (bizmap keeps it as unmatched)."""
        candidates = [dict(d) for d in _UNKNOWN_DEVICES if not self.router.nodes_for(None, d)]
        labels = self.rng.choice(candidates) if candidates else {"bizmap_simulator": "unknown-device"}
        return Event(
            state=State.DOWN,
            time=now,
            labels=labels,
            key=PRIMARY_KEY,
            summary="message from equipment not in the model",
            source=SOURCE,
            id=self._next_id(),
        )


# --- playing a stretch of time at once -----------------------------------------------------------


def play(
    graph: CompiledGraph,
    seed: int,
    start: float,
    seconds: float,
    pace_seconds: float = 1.0,
) -> list[tuple[float, list[Event]]]:
    """``seconds`` of simulated time from ``start``, computed now: the batches ``run_simulator``
    would submit, each with the time it would submit them at (every ``pace_seconds``), and a
    last batch at ``start + seconds`` recovering what is still failed, as stopping the demo does.

    The same arguments give the same batches (tests and reports make demo data with it).
    """
    if seconds <= 0 or pace_seconds <= 0:
        raise ValueError("seconds and pace_seconds must be more than 0")
    simulator = Simulator(graph, seed, start)
    batches: list[tuple[float, list[Event]]] = []
    steps = int(seconds // pace_seconds)
    for step in range(steps + 1):
        now = start + step * pace_seconds  # multiplied, not summed: no drift over long stretches
        events = simulator.step(now)
        if events:
            batches.append((now, events))
    final = simulator.recover_all(start + seconds)
    if final:
        batches.append((start + seconds, final))
    return batches


# --- running it in the server ---------------------------------------------------------------------


async def run_simulator(
    writer: IngestWriter,
    graph: CompiledGraph,
    clock: Callable[[], float],
    seed: int,
    pace_seconds: float = 1.0,
) -> None:
    """Submit the simulator's events through ``writer`` every ``pace_seconds`` until cancelled;
    on cancellation, what it left failed is reported recovered, so a restart starts clean."""
    simulator = Simulator(graph, seed, clock())
    try:
        while True:
            now = clock()
            events = simulator.step(now)
            if events:
                try:
                    await writer.submit(events, now)
                except Exception:  # the writer logged it; the demo goes on
                    log.exception("the simulator could not submit its events")
            await asyncio.sleep(pace_seconds)
    except asyncio.CancelledError:
        final = simulator.recover_all(clock())
        if final:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.submit(final, clock()), timeout=5.0)
        raise
