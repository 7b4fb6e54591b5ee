"""Validate and compile a generated 1,000,000-node model: time and peak resident memory.

Target (issue 2): compile under 30 s and under 3 GB resident. The model arrives as parsed
data (what YAML loading produces); validation (Pydantic, every check of semantics §1) and
compilation (the index-based graph) are timed separately. Baseline in the same run:
decoding the same model from JSON with orjson, the least any loader must do.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time

import orjson

from bizmap.domain.compile import compile_model
from bizmap.domain.validate import Document, validate_documents
from generate import model_data
from verdict import verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    args = parser.parse_args()

    data = model_data(args.nodes)
    encoded = orjson.dumps(data)
    started = time.perf_counter()
    orjson.loads(encoded)
    baseline = time.perf_counter() - started
    del encoded
    gc.collect()

    started = time.perf_counter()
    model = validate_documents([Document("generated", data)])
    validated = time.perf_counter() - started
    del data  # as when loading files: the parsed YAML is dropped once validated
    gc.collect()
    started = time.perf_counter()
    graph = compile_model(model)
    compiled = time.perf_counter() - started
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    total = validated + compiled
    print(f"model: {len(graph):,} nodes, {sum(map(len, graph.children)):,} counted edges")
    print(f"validate {validated:.1f} s + compile {compiled:.1f} s = {total:.1f} s (target < 30 s)")
    print(f"peak resident memory {peak_gb:.2f} GB (target < 3 GB)")
    print(f"baseline: orjson decode of the same model {baseline:.2f} s; ratio {total / baseline:.1f}x")
    verdict("validate + compile <= 12 s", total <= 12.0, f"{total:.1f} s")
    verdict("validate + compile <= 2x the decode", total <= 2 * baseline, f"{total / baseline:.1f}x")
    verdict("peak resident memory <= 2 GB", peak_gb <= 2.0, f"{peak_gb:.2f} GB")


if __name__ == "__main__":
    main()
