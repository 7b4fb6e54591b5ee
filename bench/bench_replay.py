"""Replay 1,000,000 events over a generated 10,000-node model, from a JSONL file.

Target (issue 15): the replay (reading and checking every line, then the engine) in at most
8 s, and at most 9 times the baseline measured in the same run: decoding the same lines with
orjson and nothing else, the floor for any replay. Prints the figures and a verdict for each
target ("met" / "not met"); it exits 0 either way (a busy machine is not a failure).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import orjson

from bizmap.domain.calendar import format_time
from bizmap.domain.compile import compile_model
from bizmap.domain.validate import Document, validate_documents
from bizmap.engine.replay import read_event_log, replay
from generate import events, model_data
from verdict import verdict

TARGET_SECONDS = 8.0
TARGET_RATIO = 9.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()

    data = model_data(args.nodes)
    graph = compile_model(validate_documents([Document("generated", data)]))
    start = 1_790_000_000.0
    stream = events(data, args.events, start)
    with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as handle:
        for event in stream:
            event["time"] = format_time(event["time"])
            handle.write(orjson.dumps(event) + b"\n")
        path = handle.name
    end = start + args.events * 2.5
    try:
        started = time.perf_counter()
        with open(path, "rb") as lines:
            for line in lines:
                orjson.loads(line)
        baseline = time.perf_counter() - started

        started = time.perf_counter()
        log = read_event_log(path)
        read = time.perf_counter() - started
        started = time.perf_counter()
        result = replay(graph, log.events, start, end)
        computed = time.perf_counter() - started
    finally:
        os.unlink(path)
    episodes = sum(len(s.episodes) for s in result.services)
    total = read + computed
    ratio = total / baseline
    print(f"model: {len(graph):,} nodes; {args.events:,} events; {episodes:,} episodes found")
    print(f"replay: read {read:.1f} s + engine {computed:.1f} s = {total:.1f} s")
    print(f"baseline: orjson decode of the same lines {baseline:.2f} s; ratio {ratio:.1f}x")
    verdict(
        f"replay of {args.events:,} events <= {TARGET_SECONDS:.0f} s",
        total <= TARGET_SECONDS,
        f"{total:.1f} s",
    )
    verdict(f"replay <= {TARGET_RATIO:.0f}x the decode", ratio <= TARGET_RATIO, f"{ratio:.1f}x")


if __name__ == "__main__":
    main()
