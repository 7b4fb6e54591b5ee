"""The demo tells a story a visitor can follow: over ten minutes of the simulator, incidents come
one at a time with quiet spells between them, each with one or two named root causes, costing
money while they last; no part fails while it is failed already; and a what-if on an incident's
cause, asked just before it failed, names services that were working."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bizmap.analytics.whatif import what_if
from bizmap.domain.compile import CompiledGraph
from bizmap.domain.matching import EventRouter
from bizmap.domain.states import State
from bizmap.engine.incidents import TrackedIncident
from bizmap.engine.live_engine import LiveEngine
from bizmap.live.simulator import SECOND_KEY, play
from bizmap.model.loading import load_graph

HOSPITAL = Path(__file__).resolve().parents[1] / "examples" / "hospital"
MONDAY_MORNING = 1_793_000_000.0  # 2026-10-26T08:53:20Z
SATURDAY_NIGHT = 1_793_505_600.0  # 2026-10-31T23:20:00Z: only the round-the-clock services cost
TEN_MINUTES = 600
SEEDS = (1, 2, 3, 4, 5)


@pytest.fixture(scope="module")
def graph() -> CompiledGraph:
    return load_graph(HOSPITAL)


@dataclass
class Watched:
    """Ten minutes of the demo as a visitor sees it, second by second."""

    start: float
    engine: LiveEngine
    incidents: list[TrackedIncident]
    most_open: int = 0
    quiet_seconds: int = 0
    most_causes_on_a_tile: int = 0
    # incident id -> the services that were not ok just before it opened
    not_ok_before: dict[str, set[str]] = field(default_factory=dict)


@functools.cache  # several tests read the same ten minutes (the graph is loaded once)
def watch(graph: CompiledGraph, seed: int, start: float, seconds: int = TEN_MINUTES) -> Watched:
    engine = LiveEngine(graph, start)
    batches = dict(play(graph, seed, start, seconds))
    watched = Watched(start, engine, [])
    not_ok: set[str] = set()  # the services not ok, as of the second before
    for second in range(seconds + 1):
        now = start + second
        known = {i.id for i in engine.incidents.all()}
        for event in batches.get(now, []):
            engine.apply(event, now)
        engine.after_apply()
        for incident in engine.incidents.all():
            if incident.id not in known:
                watched.not_ok_before[incident.id] = not_ok
        open_now = engine.incidents.open_incidents()
        watched.most_open = max(watched.most_open, len(open_now))
        watched.quiet_seconds += not open_now
        tiles = engine.services_now(now)
        not_ok = {s.id for s in tiles if s.state != State.OK}
        watched.most_causes_on_a_tile = max(
            watched.most_causes_on_a_tile, *(len(s.root_causes) for s in tiles)
        )
    watched.incidents = sorted(engine.incidents.all(), key=lambda i: i.opened_at)
    return watched


@pytest.mark.parametrize("start", [MONDAY_MORNING, SATURDAY_NIGHT], ids=["monday-morning", "saturday-night"])
@pytest.mark.parametrize("seed", SEEDS)
def test_incidents_come_one_at_a_time_with_quiet_spells_between(
    graph: CompiledGraph, seed: int, start: float
) -> None:
    watched = watch(graph, seed, start)
    incidents = watched.incidents
    assert watched.most_open == 1, "one incident at a time"
    assert not [i.id for i in incidents if i.merged_into], "no incident runs into another"
    assert 2 <= len(incidents) <= 6, "a few incidents in ten minutes: a story, not a storm"
    assert incidents[0].opened_at - start < 60, "the first begins within a minute"
    assert watched.quiet_seconds >= TEN_MINUTES // 5, "quiet spells: all services working"
    for before, after in itertools.pairwise(incidents):
        assert before.closed_at is not None
        assert after.opened_at - before.closed_at >= 30, f"a quiet spell between {before.id} and {after.id}"
    for incident in incidents:
        end = incident.closed_at if incident.closed_at is not None else start + TEN_MINUTES
        assert end - incident.opened_at <= 6 * 60, f"{incident.id} lasts a few minutes, not forever"


@pytest.mark.parametrize("start", [MONDAY_MORNING, SATURDAY_NIGHT], ids=["monday-morning", "saturday-night"])
@pytest.mark.parametrize("seed", SEEDS)
def test_each_incident_has_one_or_two_named_causes_and_costs_money(
    graph: CompiledGraph, seed: int, start: float
) -> None:
    watched = watch(graph, seed, start)
    services = {graph.ids[s.index] for s in graph.services}
    for incident in watched.incidents:
        assert 1 <= len(incident.root_causes) <= 2, f"{incident.id}: {sorted(incident.root_causes)}"
        assert not incident.root_causes & services, "causes are parts of the estate, not services"
        assert all(graph.names[graph.index[c]] for c in incident.root_causes), "causes have names"
        cost = watched.engine.incident_cost(incident, start + TEN_MINUTES)
        assert cost > 0, f"{incident.id} costs money while it lasts (costs tick visibly)"
    assert watched.most_causes_on_a_tile <= 2, "a tile's cause names one or two parts"


@pytest.mark.parametrize("seed", SEEDS)
def test_no_part_fails_while_it_is_failed_already(graph: CompiledGraph, seed: int) -> None:
    router = EventRouter(graph)
    failed: set[tuple[int, str]] = set()  # (part, key): failed now
    twice = []
    for at, events in play(graph, seed, MONDAY_MORNING, 3600):
        for event in events:
            for node in router.nodes_for(event.node, event.labels):
                signal = (node, event.key)
                if event.state == State.OK:
                    failed.discard(signal)
                    continue
                # a failure of a failed part: only a second, related alarm under another key
                if signal in failed or (event.key != SECOND_KEY and any(n == node for n, _ in failed)):
                    twice.append(f"{graph.ids[node]} ({event.key}) at +{at - MONDAY_MORNING:.0f} s")
                failed.add(signal)
    assert twice == []


@pytest.mark.parametrize("seed", SEEDS)
def test_a_whatif_on_an_incidents_cause_names_services_that_were_working(
    graph: CompiledGraph, seed: int
) -> None:
    watched = watch(graph, seed, MONDAY_MORNING)
    singles = 0
    for incident in watched.incidents:
        assert watched.not_ok_before[incident.id] == set(), f"all was well before {incident.id}"
        causes = {graph.index[c]: State.DOWN for c in incident.root_causes}
        hit = {s.id for s in what_if(graph, causes).services}
        # Asked just before, the what-if on its causes names the services it took down, none of
        # them "already not working"; a single part is a single point of failure of each.
        assert set(incident.services) <= hit
        singles += len(incident.root_causes) == 1
    assert singles, "ten minutes show a single point of failure at work"
