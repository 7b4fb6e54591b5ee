"""The demo's simulator: deterministic, valid, realistic; and running inside the live server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bizmap.domain.compile import CompiledGraph
from bizmap.domain.event import Event
from bizmap.domain.matching import EventRouter
from bizmap.domain.states import State
from bizmap.engine.live_engine import LiveEngine
from bizmap.live.simulator import SOURCE, Simulator
from bizmap.model.loading import load_graph
from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.web.app import create_app, with_simulator

HOSPITAL = Path(__file__).resolve().parents[1] / "examples" / "hospital"
START = 1_793_000_000.0  # 2026-10-26T08:53:20Z, a Monday morning


@pytest.fixture(scope="module")
def graph() -> CompiledGraph:
    return load_graph(HOSPITAL)


def an_hour(graph: CompiledGraph, seed: int) -> list[Event]:
    simulator = Simulator(graph, seed, START)
    return [e for second in range(3600) for e in simulator.step(START + second)]


def test_the_same_seed_plays_the_same_story(graph: CompiledGraph) -> None:
    first, again = an_hour(graph, 7), an_hour(graph, 7)
    assert first == again
    assert first != an_hour(graph, 8)


def test_every_event_is_valid_and_unique(graph: CompiledGraph) -> None:
    events = an_hour(graph, 1)
    router = EventRouter(graph)
    assert len({e.id for e in events}) == len(events)
    unmatched = [e for e in events if not router.nodes_for(e.node, e.labels)]
    assert 0 < len(unmatched) <= 20  # now and then: a few an hour, deliberate
    for event in events:
        assert event.source == SOURCE
        assert event.time is not None and event.key
        assert event.node is not None or event.labels
        if event in unmatched:
            assert event.node is None
            continue
        if event.node is not None:
            assert event.node in graph.index
        else:
            assert len(router.nodes_for(None, event.labels)) == 1


def test_recoveries_follow_failures(graph: CompiledGraph) -> None:
    router = EventRouter(graph)
    failed: dict[tuple[int, str], float] = {}
    for event in an_hour(graph, 3):
        nodes = router.nodes_for(event.node, event.labels)
        if not nodes:
            continue
        signal = (nodes[0], event.key)
        if event.state == State.OK:
            assert signal in failed, f"recovery of {signal} without a failure"
            assert event.time is not None and event.time >= failed.pop(signal)
        else:
            assert event.time is not None
            failed.setdefault(signal, event.time)
    # what is still failed at the end of the hour started recently (incidents last at most ~5 min)
    assert all(START + 3600 - began < 600 for began in failed.values())


def test_an_hour_has_incidents_that_cost_and_recover(graph: CompiledGraph) -> None:
    simulator = Simulator(graph, 1, START)
    engine = LiveEngine(graph, START - 60)
    seen_down: set[str] = set()
    recovered: set[str] = set()
    costly = False
    for second in range(3600):
        now = START + second
        for event in simulator.step(now):
            engine.apply(event, now)
        if second % 5:
            continue
        for service in engine.services_now(now):
            if service.state == State.DOWN:
                seen_down.add(service.id)
                costly = costly or service.cost_per_hour > 0
            elif service.id in seen_down and service.state == State.OK:
                recovered.add(service.id)
        if second == 60:
            assert seen_down, "a visitor sees a business service down within a minute"
            assert costly, "and money ticking"
    assert len(seen_down) >= 2
    assert recovered
    final = simulator.recover_all(START + 3600)
    for event in final:
        engine.apply(event, START + 3600)
    assert all(s.state == State.OK for s in engine.services_now(START + 3601))


def test_the_server_runs_the_simulator(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    migrate(db)
    with Store(db) as store:
        token = store.create_token("demo", "read")
    app = with_simulator(create_app(Settings(model=str(HOSPITAL), db=db)), seed=1, pace_seconds=0.05)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        deadline = time.monotonic() + 10
        events: list[dict[str, object]] = []
        while time.monotonic() < deadline and not events:
            response = client.get("/api/v1/events", params={"source": SOURCE}, headers=headers)
            assert response.status_code == 200
            events = response.json()["events"]
            time.sleep(0.05)
        assert events and all(e["source"] == SOURCE for e in events)
        services = client.get("/api/v1/services", headers=headers).json()["services"]
        assert any(s["state"] != "ok" for s in services)
    with Store(db) as store:  # stopping reported everything the simulator left failed as recovered
        stored = [s.event for s in store.iter_all_events() if s.matched]
    last: dict[tuple[str | None, str, str], State] = {}
    for event in stored:
        last[(event.node, str(sorted((event.labels or {}).items())), event.key)] = event.state
    assert stored and all(state == State.OK for state in last.values())
