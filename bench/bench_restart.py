"""Restart to serving, with a long history stored: from a checkpoint against a full replay.

A generated 10,000-node model and N stored events (SQLite). Measured in the same run:
- loading the model alone: the floor of any start;
- a start that replays every stored event (no checkpoint: what bizmap did before checkpoints);
  (each start in a fresh process, as a restart is: imports, the model, the engine)
- a start from the checkpoint taken at shutdown (nothing after it), and from one with the
  last 10,000 events after it (a crash up to a checkpoint interval after the last one);
- the same start from a checkpoint over a history of 100,000 events.

Targets (issue 13): a start from a checkpoint with 10,000,000 stored events in at most 3 s
(run with --events 10000000; the default 1,000,000 keeps `make bench` short), and start-up time
independent of the history's length: at most 1.5 times the start with 100,000 events.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bizmap.domain.event import Event
from bizmap.domain.states import parse_state
from bizmap.live.checkpoints import checkpoint_now, restore_engine
from bizmap.model.loading import load_graph
from bizmap.storage.checkpoints import CheckpointStore
from bizmap.storage.store import Store, migrate
from generate import events, model_data
from verdict import verdict

TARGET_SECONDS = 3.0
TARGET_GROWTH = 1.5
START = 1_790_000_000.0
TAIL = 10_000


def fill(url: str, data: dict[str, Any], count: int) -> None:
    """``count`` events stored as the server stores them, in chunks (with progress)."""
    migrate(url)
    chunk = 50_000
    with Store(url) as store:
        for first in range(0, count, chunk):
            stream = events(data, min(chunk, count - first), START + first * 2.0, seed=first)
            rows = [
                (
                    Event(
                        state=parse_state(e["state"]),
                        time=e["time"],
                        labels=e["labels"],
                        id=f"e{first}-{e['id']}",
                    ),
                    e["time"],
                    True,
                )
                for e in stream
            ]
            store.append_events(rows)
            if first and first % 1_000_000 == 0:
                print(f"  stored {first:,} events", flush=True)


START_SCRIPT = """
import sys, time
began = time.perf_counter()
from bizmap.live.checkpoints import restore_engine
from bizmap.model.loading import load_graph
from bizmap.storage.store import Store
with Store(sys.argv[2]) as store:
    restored = restore_engine(load_graph(sys.argv[1]), store, float(sys.argv[3]))
print(time.perf_counter() - began, restored.replayed)
"""


def start_from_checkpoint(model: Path, url: str) -> tuple[float, int]:
    """A server's start in a fresh process (as a restart is): the imports, loading the model,
    resuming the newest checkpoint and replaying what follows it."""
    answer = subprocess.run(
        [sys.executable, "-c", START_SCRIPT, str(model), url, str(START)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, replayed = answer.stdout.split()
    return float(seconds), int(replayed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()

    data = model_data(args.nodes)
    with tempfile.TemporaryDirectory() as directory:
        model = Path(directory) / "model.yaml"
        model.write_text(yaml.safe_dump(data))
        figures: dict[int, float] = {}
        for count in sorted({100_000, args.events}):
            url = f"sqlite:///{directory}/bizmap-{count}.db"
            print(f"{count:,} events over {args.nodes:,} nodes: storing ...", flush=True)
            fill(url, data, count)
            began = time.perf_counter()
            graph = load_graph(str(model))
            load_seconds = time.perf_counter() - began
            with Store(url) as store:
                began = time.perf_counter()
                restored = restore_engine(graph, store, START, use_checkpoints=False)
                replay_seconds = time.perf_counter() - began + load_seconds  # a whole start
                checkpoint_now(restored.engine, store, time.time())
                save_seconds = time.perf_counter() - began - (replay_seconds - load_seconds)
                size = CheckpointStore(store.engine).summary().newest_bytes or 0
            seconds, replayed = start_from_checkpoint(model, url)
            assert replayed == 0, replayed
            figures[count] = seconds
            print(f"  loading the model alone         {load_seconds:7.2f} s (the floor)")
            print(f"  start replaying every event     {replay_seconds:7.2f} s (the baseline)")
            print(f"  taking the checkpoint           {save_seconds:7.2f} s ({size / 1e6:.1f} MB)")
            print(
                f"  start from the checkpoint       {seconds:7.2f} s ({replay_seconds / seconds:.1f}x faster)"
            )
            if count == args.events:
                with Store(url) as store:  # a checkpoint TAIL events before the end
                    CheckpointStore(store.engine).forget()
                    engine = restore_engine(graph, store, START, use_checkpoints=False).engine
                fill_more(url, data, count)
                with Store(url) as store:
                    checkpoint_now(engine, store, time.time())
                tail_seconds, tail_replayed = start_from_checkpoint(model, url)
                print(f"  ... with {tail_replayed:,} events after it {tail_seconds:7.2f} s")
        biggest = figures[args.events]
        verdict(
            f"start from a checkpoint with {args.events:,} stored events <= {TARGET_SECONDS:.0f} s",
            biggest <= TARGET_SECONDS,
            f"{biggest:.2f} s",
        )
        growth = biggest / figures[100_000]
        verdict(
            f"start-up independent of history: {args.events:,} events <= {TARGET_GROWTH}x 100,000 events",
            growth <= TARGET_GROWTH,
            f"{growth:.2f}x",
        )


def fill_more(url: str, data: dict[str, Any], count: int) -> None:
    """TAIL more events after the first ``count``."""
    stream = events(data, TAIL, START + count * 2.0 + 10, seed=count)
    with Store(url) as store:
        store.append_events(
            [
                (
                    Event(
                        state=parse_state(e["state"]), time=e["time"], labels=e["labels"], id=f"t-{e['id']}"
                    ),
                    e["time"],
                    True,
                )
                for e in stream
            ]
        )


if __name__ == "__main__":
    main()
