"""Figures in the command line's tables are never cut (issue 20): at any width, and piped.

Each command runs as a user runs it, piped (no terminal), with ``COLUMNS`` set or not. The
money of a wide run is the reference: every narrower run shows exactly the same amounts,
whole, and no line is wider than asked.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIZMAP = str(Path(sys.executable).parent / "bizmap")
HOSPITAL = "examples/hospital"
MONEY = re.compile(r"[£€$]-?\d[\d,]*(?:\.\d+)?")
COMMANDS = {
    "whatif": ["whatif", HOSPITAL, "--down", "dns-core"],
    "spof": ["spof", HOSPITAL],
    "replay": [
        "replay", HOSPITAL, f"{HOSPITAL}/events.jsonl",
        "--from", "2026-10-01T00:00:00Z", "--to", "2026-11-01T00:00:00Z",
    ],
    "availability": ["availability", HOSPITAL, "--year", "2026"],
}  # fmt: skip


def run(arguments: list[str], columns: int | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    done = subprocess.run(
        [BIZMAP, *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_money_is_whole_at_every_width(command: str) -> None:
    reference = sorted(MONEY.findall(run(COMMANDS[command], 250)))
    assert reference, "the command shows money"
    for columns in (None, 60, 80, 100, 120):
        shown = run(COMMANDS[command], columns)
        assert sorted(MONEY.findall(shown)) == reference, f"COLUMNS={columns}"
        assert not re.search(r"\d…|[£€$]…", shown), f"a figure cut with an ellipsis at COLUMNS={columns}"
        if columns is not None:
            table_lines = [
                line for line in shown.splitlines() if line[:1] in "┏┃┡│└" or line.startswith("  ")
            ]
            assert all(len(line) <= columns for line in table_lines), f"a table line wider than {columns}"


def test_a_narrow_terminal_gets_each_row_as_a_block() -> None:
    shown = run(COMMANDS["replay"], 60)
    block = shown.split("patient-records (safety)\n", 1)[1].split("\n\n", 1)[0]
    assert [line.split()[0] for line in block.splitlines()] == [
        "cost", "episodes", "counted", "worst", "SLA", "budget",
    ]  # fmt: skip
    assert "£74,189" in block and "-1h 07m" in block
    wide = run(COMMANDS["replay"], 120)
    assert "┃ business service" in wide and "episodes" in wide  # wide enough: the table itself
