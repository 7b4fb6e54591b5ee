"""Run every benchmark in turn; each prints its figure beside a baseline from the same run.

At the end, every target's verdict again (the ``TARGET`` lines of bench/verdict.py), so that
one screen says what is met. Exit status: 1 if a benchmark failed to run; an unmet target is
a finding, printed, not a failure.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from verdict import PREFIX

HERE = Path(__file__).parent
SCRIPTS = (
    "bench_cli.py",
    "bench_propagation.py",
    "bench_compile.py",
    "bench_replay.py",
    "bench_ingest.py",
    "bench_restart.py",
)


def main() -> int:
    failed = 0
    verdicts: list[str] = []
    for script in SCRIPTS:
        print(f"== {script}", flush=True)
        with subprocess.Popen(
            [sys.executable, str(HERE / script), *sys.argv[1:]], stdout=subprocess.PIPE, text=True
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                print(line, end="", flush=True)
                if line.startswith(PREFIX):
                    verdicts.append(f"{script}: {line.strip()}")
        if process.returncode:
            failed = 1
            verdicts.append(f"{script}: FAILED (exit status {process.returncode})")
    print("== targets")
    for line in verdicts:
        print(line)
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
