"""`bizmap db backup`, `restore` and `stats` against a real server process (issue 13).

The backup is taken while a sender keeps posting: it must be one consistent moment (every
event it holds is an acknowledged prefix of the original's, in order) and a server started on
the restored file must show what the original showed for those events.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from integration_support import BIZMAP, Bizmap, create_tokens

MODEL = """\
services:
  - id: shop
    depends_on: [web, db]
    impact: {revenue_per_hour: 1200, users: 40}
components:
  - {id: web}
  - {id: db}
"""


def bizmap(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIZMAP), *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Bizmap]:
    model = tmp_path / "model.yaml"
    model.write_text(MODEL)
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    server = Bizmap(model, db, tmp_path / "server.log", create_tokens(db, ("ingest", "read", "admin")))
    server.start()
    yield server
    server.stop()


def post(server: Bizmap, events: list[dict[str, object]]) -> None:
    answer = httpx.post(
        f"{server.base}/api/v1/events", json=events, headers=server.headers("ingest"), timeout=10
    )
    assert answer.status_code == 202, answer.text


def test_a_backup_taken_while_events_arrive_restores_to_the_same_server(
    running: Bizmap, tmp_path: Path
) -> None:
    post(
        running,
        [{"node": "db", "state": "down", "id": "first"}, {"labels": {"job": "nothing"}, "state": "down"}],
    )
    stop = threading.Event()
    sent: list[int] = []

    def sender() -> None:  # keeps the writer busy while the backup runs
        n = 0
        while not stop.is_set():
            post(
                running,
                [
                    {"node": "web", "state": "ok" if n % 2 else "degraded", "id": f"w{n}-{i}"}
                    for i in range(50)
                ],
            )
            n += 1
            sent.append(n)

    thread = threading.Thread(target=sender)
    thread.start()
    try:
        while len(sent) < 3:
            stop.wait(0.05)
        backup = tmp_path / "copy.db"
        done = bizmap("db", "backup", backup, "--db", running.db)
        assert done.returncode == 0, done.stderr
        assert "events to" in done.stderr and str(backup) in done.stderr
    finally:
        stop.set()
        thread.join()
    original = running.all_events(page=500)
    restored_db = f"sqlite:///{tmp_path / 'restored' / 'bizmap.db'}"
    done = bizmap("db", "restore", backup, "--db", restored_db)
    assert done.returncode == 0, done.stderr
    copy = Bizmap(running.model, restored_db, tmp_path / "restored.log", running.tokens)
    copy.start()
    try:
        restored = copy.all_events(page=500)
        # one moment of the original: a prefix of its events, each whole, and more than the first two
        assert 2 < len(restored) < len(original)
        assert restored == original[: len(restored)]
        # the business view of those events: db is down, so the shop is down; web is degraded
        # or ok as its last event in the copy says, and a degraded web is a root cause too
        web_last = [e["state"] for e in restored if e["node"] == "web"][-1]
        shop = copy.get("/api/v1/services/shop")
        assert shop["state"] == "down"
        assert shop["root_causes"] == (["db", "web"] if web_last == "degraded" else ["db"])
        assert copy.get("/api/v1/nodes/web")["state"] == web_last
        assert copy.get("/api/v1/nodes/db")["state"] == "down"
    finally:
        copy.stop()


def test_stats_count_what_the_database_holds(running: Bizmap) -> None:
    post(running, [{"node": "db", "state": "down", "id": "a"}, {"node": "web", "state": "ok", "id": "b"}])
    post(
        running,
        [
            {"labels": {"job": "nothing"}, "state": "down", "id": "c"},
            {"node": "db", "state": "ok", "id": "a"},
        ],
    )
    done = bizmap("db", "stats", "--db", running.db, "--json")
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    # four posted, one a repeated id: three stored, one of them matching no node
    assert (stats["events"], stats["unmatched_events"]) == (3, 1)
    assert stats["backend"] == "sqlite" and stats["size_bytes"] > 0
    assert stats["tokens"] == 3 and stats["users"] == 0
    assert stats["oldest_event"] <= stats["newest_event"]
    text = bizmap("db", "stats", "--db", running.db)
    assert "events" in text.stdout and "3 (1 matched no node)" in text.stdout


def test_backup_and_restore_refuse_clearly(running: Bizmap, tmp_path: Path) -> None:
    taken = tmp_path / "taken.db"
    taken.write_text("something else")
    done = bizmap("db", "backup", taken, "--db", running.db)
    assert done.returncode == 2 and "exists" in done.stderr and "--force" in done.stderr
    assert taken.read_text() == "something else"  # not touched

    done = bizmap("db", "backup", tmp_path / "x.db", "--db", "postgresql://bizmap@127.0.0.1/bizmap")
    assert done.returncode == 2 and "pg_dump" in done.stderr

    done = bizmap("db", "restore", taken, "--db", f"sqlite:///{tmp_path / 'new.db'}")
    assert done.returncode == 2 and str(taken) in done.stderr and not (tmp_path / "new.db").exists()

    good = tmp_path / "good.db"
    assert bizmap("db", "backup", good, "--db", running.db).returncode == 0
    done = bizmap("db", "restore", good, "--db", running.db)  # the server's own database
    assert done.returncode == 2 and "stop the server" in done.stderr
    assert "Traceback" not in done.stderr
