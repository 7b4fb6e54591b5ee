"""How long the ``bizmap`` command line takes to answer: wall time of whole processes.

Targets (issue 15): ``bizmap --version`` <= 150 ms and
``bizmap whatif examples/hospital --down dns-core --json`` <= 400 ms, median of 5. Each runs
the ``bizmap`` entry point of the interpreter's own environment (``make bench`` uses the
compiled build). Baseline in the same run: a bare ``python -c pass`` with the same interpreter,
what any Python command line pays before it imports anything. The processor time (user +
system) is printed too: when it equals the wall time, a slow run had a slow processor (a busy
host), not a wait for one. The ratios to the baseline move much less than the milliseconds.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson

from verdict import verdict

ROOT = Path(__file__).resolve().parent.parent
TARGETS_MS = {"version": 150.0, "whatif": 400.0}


def timed_runs(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and processor times in ms of each of ``runs`` runs, after one that warms the caches."""
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
        walls.append((time.perf_counter() - started) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.decode()}")
    return walls[1:], cpus[1:]


def build_kind() -> str:
    spec = importlib.util.find_spec("bizmap.domain.propagate")
    origin = spec.origin if spec is not None else None
    return "compiled" if origin is not None and not origin.endswith(".py") else "pure Python"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--bizmap",
        default=str(Path(sys.executable).parent / "bizmap"),
        help="The entry point to time (default: the one beside this interpreter).",
    )
    args, _ = parser.parse_known_args()  # run_all.py passes every script the same arguments

    # the commands must do their work, not fail fast: check their output once
    version = subprocess.run([args.bizmap, "--version"], capture_output=True, check=True, text=True)
    whatif_command = [args.bizmap, "whatif", "examples/hospital", "--down", "dns-core", "--json"]
    whatif = subprocess.run(whatif_command, cwd=ROOT, capture_output=True, check=True)
    hit = orjson.loads(whatif.stdout)["services"]
    print(f"{args.bizmap} ({build_kind()} engine, {os.cpu_count()} cores): {version.stdout.strip()}")
    print(f"whatif dns-core down: {len(hit)} business services hit")

    walls, cpus = timed_runs([sys.executable, "-c", "pass"], args.runs)
    baseline, baseline_cpu = statistics.median(walls), statistics.median(cpus)
    print(
        f"baseline: `python -c pass`, same interpreter: median {baseline:.0f} ms of {args.runs} "
        f"(processor {baseline_cpu:.0f} ms)"
    )
    for name, command in (("version", [args.bizmap, "--version"]), ("whatif", whatif_command)):
        walls, cpus = timed_runs(command, args.runs)
        median, cpu = statistics.median(walls), statistics.median(cpus)
        target = TARGETS_MS[name]
        shown = " ".join(["bizmap", *command[1:]])
        print(
            f"{shown}: median {median:.0f} ms (runs {', '.join(f'{t:.0f}' for t in walls)}), "
            f"{median / baseline:.1f}x the baseline; processor {cpu:.0f} ms "
            f"({cpu / baseline_cpu:.1f}x); target <= {target:.0f} ms "
            f"({median / target:.2f}x the target)"
        )
        verdict(f"{shown} <= {target:.0f} ms", median <= target, f"median {median:.0f} ms")


if __name__ == "__main__":
    main()
