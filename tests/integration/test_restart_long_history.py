"""A restart with a long stored history (issue 13): with 200,000 events stored, a start from the
checkpoint replays none of them and is serving within a few seconds, and answers as the
server that replays them all does. The figures at scale live in bench/bench_restart.py."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import yaml

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.live.checkpoints import checkpoint_now, restore_engine
from bizmap.live.runtime import start
from bizmap.model.loading import load_graph
from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from helpers import generated_model_data

EVENTS = 200_000
NOW = 1_790_000_000.0


def test_a_start_from_a_checkpoint_with_200000_events_stored_replays_none(tmp_path: Path) -> None:
    data = generated_model_data(2_000)
    model = tmp_path / "model.yaml"
    model.write_text(yaml.safe_dump(data))
    database = f"sqlite:///{tmp_path / 'bizmap.db'}"
    migrate(database)
    hosts = [c["id"] for c in data["components"] if c.get("type") == "host"]
    first = NOW - 6 * 86400
    with Store(database) as store:
        for chunk in range(0, EVENTS, 20_000):
            store.append_events(
                [
                    (
                        Event(
                            state=State.DOWN if i % 3 else State.OK,
                            time=first + i * 2.0,
                            node=hosts[(i * 7) % len(hosts)],
                        ),
                        first + i * 2.0,
                        True,
                    )
                    for i in range(chunk, chunk + 20_000)
                ]
            )
        graph = load_graph(str(model))
        began = time.perf_counter()
        everything = restore_engine(graph, store, first, use_checkpoints=False)
        replay_seconds = time.perf_counter() - began
        checkpoint_now(everything.engine, store, NOW)

    settings = Settings(model=str(model), db=database)
    began = time.perf_counter()
    server = asyncio.run(start(settings, lambda: NOW))
    start_seconds = time.perf_counter() - began
    try:
        assert server.restored.startswith(f"resumed from the checkpoint at event {EVENTS}: 0 events replayed")
        assert start_seconds < 10.0, start_seconds  # generous: a few tenths of a second here
        assert start_seconds < replay_seconds, (start_seconds, replay_seconds)
        assert server.engine.services_now(NOW) == everything.engine.services_now(NOW)
        assert server.engine.incidents.all() == everything.engine.incidents.all()
    finally:
        server.store.close()
