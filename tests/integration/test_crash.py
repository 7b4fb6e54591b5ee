"""`bizmap serve` killed with SIGKILL while events are being posted loses nothing it acknowledged.

Four threads post single native events (unique ids, times a few ms apart in the last minutes,
states changing on three nodes) to a real server; once about half are acknowledged, another
thread kills the server. After a restart on the same SQLite database every acknowledged event
is stored exactly once, nothing is stored that was not sent, and the live state is what the
stored events say: the latest event of each node decides its state, and a replay of the
stored events (offline, and by a third start) gives the same answers.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from integration_support import Bizmap, create_tokens, rfc3339

from bizmap.live.checkpoints import restore_engine
from bizmap.model.loading import load_graph
from bizmap.storage.store import Store
from bizmap.web.api.services import service_json

NODES = ("web", "db", "cache")
STATES = ("down", "ok", "degraded")
SINGLE = {"shop": "web", "billing": "db", "search": "cache"}  # services of one dependency
EVENTS = 300
POSTERS = 4
KILL_AFTER = EVENTS // 2
ORDER = {"ok": 0, "degraded": 1, "unknown": 2, "down": 3}

MODEL = """\
services:
  - id: shop
    depends_on: [web]
  - id: billing
    depends_on: [db]
  - id: search
    depends_on: [cache]
  - id: portal
    depends_on: [web, db, cache]
components:
  - id: web
  - id: db
  - id: cache
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Bizmap]:
    model = tmp_path / "model.yaml"
    model.write_text(MODEL)
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    tokens = create_tokens(db)
    server = Bizmap(model, db, tmp_path / "bizmap.log", tokens)
    try:
        yield server
    finally:
        server.kill()


def make_events() -> list[dict[str, Any]]:
    base = time.time() - 120
    return [
        {
            "id": f"crash-{i:04d}",
            "node": NODES[i % 3],
            "state": STATES[(i // 3 + i % 3) % 3],
            "time": rfc3339(base + i * 0.005),
        }
        for i in range(EVENTS)
    ]


def post(client: httpx.Client, server: Bizmap, event: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{server.base}/api/v1/events", json=event, headers=server.headers("ingest"))
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


def post_until_killed(server: Bizmap, events: list[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """Post ``events`` from several threads, SIGKILL the server halfway; (acknowledged, failed) ids."""
    acknowledged: set[str] = set()
    failed: set[str] = set()
    problems: list[BaseException] = []
    lock = threading.Lock()
    queue = iter(events)
    half = threading.Event()
    killed = threading.Event()

    def poster() -> None:
        with httpx.Client(timeout=10) as client:
            while True:
                with lock:
                    event = next(queue, None)
                if event is None:
                    return
                try:
                    answer = post(client, server, event)
                    assert answer == {"accepted": 1, "duplicates": 0, "unmatched": 0}, answer
                except httpx.TransportError:
                    with lock:
                        failed.add(event["id"])
                    if killed.is_set():
                        return
                    continue  # retried later, after the restart
                except BaseException as error:
                    problems.append(error)
                    return
                with lock:
                    acknowledged.add(event["id"])
                    if len(acknowledged) >= KILL_AFTER:
                        half.set()

    def killer() -> None:
        if half.wait(timeout=30):
            assert server.process is not None
            server.process.proc.send_signal(signal.SIGKILL)
        killed.set()

    threads = [threading.Thread(target=poster) for _ in range(POSTERS)] + [threading.Thread(target=killer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a poster hung"
    assert not problems, problems
    assert half.is_set(), "the server was not killed: fewer than half the events were acknowledged"
    server.kill()  # reaps it
    assert server.process is not None and server.process.proc.returncode == -signal.SIGKILL
    return acknowledged, failed


def latest_states(stored: list[dict[str, Any]]) -> dict[str, str]:
    """Each node's state: its stored event with the latest time (the engine ignores older ones)."""
    latest: dict[str, tuple[str, str]] = {}
    for event in stored:  # arrival order; on equal times the later arrival wins
        if event["node"] not in latest or event["time"] >= latest[event["node"]][0]:
            latest[event["node"]] = (event["time"], event["state"])
    return {node: state for node, (_, state) in latest.items()}


def check_state(services: list[dict[str, Any]], nodes: dict[str, str]) -> None:
    by_id = {s["id"]: s for s in services}
    for service, node in SINGLE.items():
        state = nodes.get(node, "ok")
        assert by_id[service]["state"] == state, (service, by_id[service], nodes)
        assert by_id[service]["root_causes"] == ([] if state == "ok" else [node]), by_id[service]
        assert (by_id[service]["episode"] is None) == (state == "ok"), by_id[service]
    worst = max((nodes.get(n, "ok") for n in NODES), key=ORDER.__getitem__)
    assert by_id["portal"]["state"] == worst, (by_id["portal"], nodes)


def stable(services: list[dict[str, Any]]) -> dict[str, Any]:
    """What must not change across restarts: states, root causes and the open episodes' start."""
    return {
        s["id"]: (
            s["state"],
            s["root_causes"],
            s["episode"] and (s["episode"]["start"], s["episode"]["worst_state"]),
        )
        for s in services
    }


def stored_ids(stored: list[dict[str, Any]]) -> list[str]:
    ids = [e["id"] for e in stored]
    assert len(ids) == len(set(ids)), "an event is stored twice: " + str(
        sorted(i for i in set(ids) if ids.count(i) > 1)
    )
    return ids


def test_a_killed_server_keeps_every_acknowledged_event_once_and_its_state(server: Bizmap) -> None:
    events = make_events()
    by_id = {e["id"]: e for e in events}
    server.start()
    acknowledged, failed = post_until_killed(server, events)
    assert failed, "no post failed, so the kill did not interrupt the posting"
    attempted = acknowledged | failed

    server.start()  # the same database and port
    stored = server.all_events()
    ids = stored_ids(stored)
    assert acknowledged <= set(ids), f"acknowledged but lost: {sorted(acknowledged - set(ids))}"
    assert set(ids) <= attempted, f"stored but never sent: {sorted(set(ids) - attempted)}"
    assert all(e["matched"] and e["source"] is None for e in stored)
    assert [e["seq"] for e in stored] == sorted(e["seq"] for e in stored)
    for event in stored:  # stored as sent
        sent = by_id[event["id"]]
        assert (event["node"], event["state"], event["time"]) == (sent["node"], sent["state"], sent["time"])
    check_state(server.get("/api/v1/services")["services"], latest_states(stored))

    # A retry of an acknowledged event is a duplicate; one whose answer was lost is either.
    with httpx.Client(timeout=10) as client:
        retried = by_id[sorted(acknowledged)[0]]
        assert post(client, server, retried) == {"accepted": 0, "duplicates": 1, "unmatched": 0}
        for event_id in sorted(failed):
            answer = post(client, server, by_id[event_id])
            assert answer["accepted"] + answer["duplicates"] == 1
            assert answer["duplicates"] == (event_id in ids), (event_id, answer)
        for event in events:  # and the events never sent
            if event["id"] not in attempted:
                assert post(client, server, event)["accepted"] == 1

    stored = server.all_events()
    assert sorted(stored_ids(stored)) == sorted(by_id)
    expected = latest_states(stored)
    assert expected == {n: by_id[f"crash-{EVENTS - 3 + i:04d}"]["state"] for i, n in enumerate(NODES)}
    live = server.get("/api/v1/services")["services"]
    check_state(live, expected)
    server.stop()

    server.start()  # a third start replays the same events: the same answers
    again = server.get("/api/v1/services")["services"]
    check_state(again, expected)
    assert {s["id"]: (s["state"], s["root_causes"]) for s in again} == {
        s["id"]: (s["state"], s["root_causes"]) for s in live
    }
    assert sorted(stored_ids(server.all_events())) == sorted(by_id)
    server.stop()

    # Offline: a fresh engine fed the stored events in arrival order answers the same.
    graph = load_graph(str(server.model))
    with Store(server.db) as store:
        engine = restore_engine(graph, store, time.time() - 604800, use_checkpoints=False).engine
    offline = [service_json(s, graph.currency) for s in engine.services_now(time.time())]
    assert stable(offline) == stable(again)
