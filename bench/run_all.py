"""Run every benchmark in turn; each prints its figure beside a baseline from the same run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = ("bench_cli.py", "bench_propagation.py", "bench_compile.py", "bench_replay.py", "bench_ingest.py")


def main() -> int:
    failed = 0
    for script in SCRIPTS:
        print(f"== {script}", flush=True)
        failed |= subprocess.run([sys.executable, str(HERE / script), *sys.argv[1:]], check=False).returncode
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
