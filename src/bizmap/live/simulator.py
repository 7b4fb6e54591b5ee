"""A built-in simulator for ``bizmap demo``: a story of incidents a visitor can follow.

One incident at a time, each with one or two named root causes, then a quiet spell with every
business service working, then the next:

- an *outage*: a single point of failure (the DNS appliance, the PACS archive, ...) down for a
  few minutes, sometimes with a second, related alarm on the same part under another key;
- a *pair*: one member of a redundant pair fails (nobody notices), then its partner, and the
  services above them are down until the first is repaired;
- a *slowdown*: a part that degrades a service (or a single point of failure running slow).

Incidents prefer services that cost money at that hour, so the cost ticks visibly. Beside them,
noise that never changes a business service's state or root causes: a redundant part failing
alone, a flapping one, and now and then a message from equipment the model does not know
(kept as unmatched).

``Simulator`` is pure logic: it takes the time and a seeded ``random.Random`` and returns
events. ``run_simulator`` submits them through the server's writer, so they are stored and
applied like any other; ``bizmap.web.app.with_simulator`` starts it in an app's lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bizmap.analytics.whatif import what_if
from bizmap.domain.calendar import BusinessCalendar
from bizmap.domain.compile import CompiledGraph, Selector
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
# The kinds of incident, dealt from a shuffled deck so that each comes round (outages twice as
# often: they are the single points of failure the demo is about).
_DECK = ("outage", "outage", "pair", "slowdown")
_MAX_NOISY_PARTS = 2  # redundant parts failing alone at once, beside the incident


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
    pairs: tuple[tuple[str, tuple[Target, Target]], ...]  # two redundant members that break a group


@dataclass(frozen=True)
class Hit:
    """What a set of failed parts does: each non-ok business service, its state and root causes."""

    services: Mapping[str, tuple[State, frozenset[str]]]


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


def hit_by(graph: CompiledGraph, failed: Mapping[int, State]) -> Hit:
    found = what_if(graph, failed).services
    return Hit({s.id: (s.state, frozenset(s.root_causes)) for s in found})


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
    alone = {t.node for t in redundant}
    pairs = []
    for node in range(len(graph)):
        if graph.is_service[node]:
            continue
        members = sorted({c for c, _, _ in graph.children[node] if c in alone})
        for a, b in itertools.combinations(members, 2):
            hit = hit_by(graph, {a: State.DOWN, b: State.DOWN}).services
            both = frozenset({graph.ids[a], graph.ids[b]})
            if hit and all(roots == both for _, roots in hit.values()):
                pairs.append((graph.ids[node], (targets[a], targets[b])))
    return Catalogue(tuple(redundant), tuple(degrading), tuple(single), tuple(pairs))


@dataclass(order=True, frozen=True)
class _Due:
    at: float
    seq: int
    node: int
    state: State
    key: str
    summary: str


class Simulator:
    """Events over time for one model; the same seed and the same times give the same events.

    ``incident_seconds`` is how long the business services stay broken in an incident,
    ``quiet_seconds`` the calm after one before the next begins, and ``noise_seconds`` the time
    between two pieces of harmless noise.
    """

    def __init__(
        self,
        graph: CompiledGraph,
        seed: int | random.Random,
        start: float,
        *,
        incident_seconds: tuple[float, float] = (75.0, 180.0),
        quiet_seconds: tuple[float, float] = (30.0, 60.0),
        noise_seconds: tuple[float, float] = (8.0, 20.0),
    ) -> None:
        self.graph = graph
        self.rng = seed if isinstance(seed, random.Random) else random.Random(seed)
        self.catalogue = build_catalogue(graph)
        self.targets = {
            t.node: t
            for t in (*self.catalogue.redundant, *self.catalogue.degrading, *self.catalogue.single_points)
        }
        self.router = EventRouter(graph)
        self.calendars = {
            facts.calendar: BusinessCalendar(graph.calendars.get(facts.calendar), facts.calendar)
            for facts in graph.services
        }
        self.incident_seconds = incident_seconds
        self.quiet_seconds = quiet_seconds
        self.noise_seconds = noise_seconds
        self._prefix = f"sim-{int(start * 1000):x}"
        self._count = 0
        self._seq = 0
        self._incident_at = start  # the first incident, an outage, starts at once
        self._noise_at = start + self.rng.uniform(*noise_seconds)
        self._deck: list[str] = ["outage"]
        self._opening = True  # the first incident is still to come
        self._recent: list[frozenset[int]] = []  # the causes of the last incidents, not again soon
        self._pending: list[_Due] = []
        self._busy: dict[int, float] = {}  # part -> when its scenario ends
        self._noisy: dict[int, float] = {}  # the parts of the noise among them
        self._down: dict[tuple[int, str], State] = {}  # what the simulator last said, if not ok

    # --- the public face ----------------------------------------------------------------------

    def step(self, now: float) -> list[Event]:
        """Start whatever is due to start and return every event due by ``now`` (timed ``now``)."""
        while min(self._incident_at, self._noise_at) <= now:
            if self._incident_at <= self._noise_at:
                self._incident_at = self._incident(self._incident_at)
            else:
                self._noise(self._noise_at)
                self._noise_at += self.rng.uniform(*self.noise_seconds)
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
        self._noisy.clear()
        return events

    # --- incidents ----------------------------------------------------------------------------

    def _incident(self, at: float) -> float:
        """Start the next incident at ``at`` if one fits; when the next should be tried."""
        self._release(at)
        if not self._deck:
            self._deck = list(_DECK)
            self.rng.shuffle(self._deck)
        for kind in dict.fromkeys([*self._deck, *_DECK]):  # the next on the deck that fits now
            failures = self._choose(kind, at)
            if failures is not None:
                if kind in self._deck:
                    self._deck.remove(kind)
                break
        else:  # nothing fits now (noise in the way, or a model without such parts): soon again
            return at + 5.0
        self._opening = False
        self._recent = [*self._recent[-2:], frozenset(failures)]
        duration = self.rng.uniform(*self.incident_seconds)
        if kind == "pair":
            first, second = self.rng.sample(sorted(failures), 2)
            broken = at + self.rng.uniform(20.0, 45.0)  # the partner fails while the first is down
            self._fail(first, State.DOWN, at, broken + duration)  # repairing it ends the outage
            end = self._fail(second, State.DOWN, broken, broken + duration + self.rng.uniform(10.0, 40.0))
        else:
            ((part, state),) = failures.items()
            end = self._fail(part, state, at, at + duration)
            if kind == "outage" and self.rng.random() < 0.5:  # a second, related alarm
                summary = _SECOND_SUMMARY.format(name=self.targets[part].name)
                second_at = at + self.rng.uniform(0.1, 0.3) * duration
                self._schedule(second_at, part, State.DOWN, SECOND_KEY, summary)
                recovered = end - self.rng.uniform(0.0, 0.1) * duration
                self._schedule(recovered, part, State.OK, SECOND_KEY)
        for part in failures:
            self._busy[part] = end
        return end + self.rng.uniform(*self.quiet_seconds)

    def _choose(self, kind: str, at: float) -> dict[int, State] | None:
        """The parts of an incident of ``kind`` that fit now: free, and with exactly themselves as
        the root causes of the services they break while all else works. Preferred: those that
        cost money at this hour (so that the cost ticks), then those not among the last causes."""
        catalogue, ids = self.catalogue, self.graph.ids
        options: list[tuple[str, dict[int, State]]]  # (what it is named after, the failures)
        if kind == "outage":
            options = [(t.node_id, {t.node: State.DOWN}) for t in catalogue.single_points]
        elif kind == "pair":
            options = [(group, {a.node: State.DOWN, b.node: State.DOWN}) for group, (a, b) in catalogue.pairs]
        else:
            options = [(t.node_id, {t.node: State.DOWN}) for t in catalogue.degrading]
            options += [(t.node_id, {t.node: State.DEGRADED}) for t in catalogue.single_points]
        failing = {node: State.DOWN for node in self._busy}
        if hit_by(self.graph, failing).services:
            return None  # the last incident is not over
        fitting: list[tuple[str, dict[int, State]]] = []
        costly: list[tuple[float, str, dict[int, State]]] = []  # (cost per hour now, ...)
        for name, failures in options:
            if any(node in self._busy for node in failures):
                continue
            after = hit_by(self.graph, {**failing, **failures}).services
            causes = frozenset(ids[node] for node in failures)
            if not after or any(roots != causes for _, roots in after.values()):
                continue
            fitting.append((name, failures))
            rate = self._cost_now(failures, at)
            if rate > 0:
                costly.append((rate, name, failures))
        if self._opening and costly:  # the story opens on the costliest single point of failure
            return max(costly, key=lambda c: (c[0], c[1]))[2]
        pool = [(name, failures) for _, name, failures in costly] or fitting
        fresh = [(name, failures) for name, failures in pool if frozenset(failures) not in self._recent]
        pool = fresh or pool  # not the causes of the last few incidents again, if there is a choice
        if not pool:
            return None
        name = self.rng.choice(sorted({n for n, _ in pool}))  # a group first, so that big groups
        return self.rng.choice([f for n, f in pool if n == name])  # are not chosen more often

    def _cost_now(self, failures: Mapping[int, State], at: float) -> float:
        """What ``failures`` alone would cost an hour at ``at`` (services outside their hours: 0)."""
        graph, total = self.graph, 0.0
        for service in what_if(graph, failures).services:
            facts = graph.service_of[graph.index[service.id]]
            if self.calendars[facts.calendar].contains(at):
                total += service.cost_per_hour
        return total

    def _fail(self, part: int, state: State, at: float, until: float) -> float:
        self._schedule(at, part, state, PRIMARY_KEY)
        self._schedule(until, part, State.OK, PRIMARY_KEY)
        return until

    # --- noise that hurts nobody ------------------------------------------------------------

    def _noise(self, at: float) -> None:
        self._release(at)
        roll = self.rng.random()
        if roll < 0.04:
            self._schedule(at, -1, State.DOWN, PRIMARY_KEY, "")
            return
        if len(self._noisy) >= _MAX_NOISY_PARTS:
            return
        target = self._harmless()
        if target is None:
            return
        if roll < 0.75:  # a redundant part failing alone, repaired a little later
            end = self._fail(target.node, State.DOWN, at, at + self.rng.uniform(20.0, 90.0))
        else:  # flapping
            end = at
            for _ in range(self.rng.randint(2, 4)):
                self._schedule(end, target.node, State.DOWN, PRIMARY_KEY)
                end += self.rng.uniform(3.0, 10.0)
                self._schedule(end, target.node, State.OK, PRIMARY_KEY)
                end += self.rng.uniform(3.0, 10.0)
        self._busy[target.node] = self._noisy[target.node] = end

    def _harmless(self) -> Target | None:
        """A free redundant part whose failure, beside all that is failed or planned to fail in
        a scenario under way, changes no business service's state or root causes."""
        choices = [t for t in self.catalogue.redundant if t.node not in self._busy]
        self.rng.shuffle(choices)
        failing = {node: State.DOWN for node in self._busy}
        before = hit_by(self.graph, failing).services
        for target in choices[:8]:
            if hit_by(self.graph, {**failing, target.node: State.DOWN}).services == before:
                return target
        return None

    def _release(self, at: float) -> None:
        """Forget the parts whose scenarios have ended."""
        self._busy = {n: end for n, end in self._busy.items() if end >= at}
        self._noisy = {n: end for n, end in self._noisy.items() if end >= at}

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
