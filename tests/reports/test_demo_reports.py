"""Reports from `make demo`'s data: the demo's simulator plays half an hour of the hospital into a
SQLite database through the live server (its writer stores the events and the incidents, as
`bizmap demo` does), then each report is made from that database with the commands the demo
prints, and its figures are those of `bizmap replay --json` over the same events exported to
an event log.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bizmap.domain.calendar import format_time
from bizmap.live.simulator import play
from bizmap.model.loading import load_graph
from bizmap.reports.executive import gather_executive
from bizmap.reports.incident import gather_incident, list_incidents
from bizmap.reports.periods import parse_period
from bizmap.reports.render import render
from bizmap.reports.review import gather_review
from bizmap.reports.sources import EventSource, database_source
from bizmap.settings import Settings
from bizmap.storage.store import Store
from bizmap.text import join_capped, money, whole_seconds
from bizmap.web.app import create_app
from helpers import run_cli, utc

HOSPITAL = Path(__file__).resolve().parents[2] / "examples" / "hospital"
START = "2026-11-10T09:00:00Z"  # a Tuesday morning: the outpatient and office services cost too
SECONDS = 1800.0
AFTER = utc("2026-11-20T00:00:00Z")  # the database's "now" for the in-process reports


@dataclass
class Demo:
    db: str
    log: Path  # the same events as an event log

    def source(self) -> EventSource:
        with Store(self.db) as store:
            return database_source(load_graph(HOSPITAL), store, str(HOSPITAL), AFTER)

    def replay(self, start: float, end: float) -> dict[str, Any]:
        result = run_cli(
            "replay", HOSPITAL, self.log, "--from", format_time(start), "--to", format_time(end), "--json"
        )
        assert result.exit_code == 0, result.stderr
        document: dict[str, Any] = json.loads(result.stdout)
        return document


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("demo")
    db = f"sqlite:///{folder / 'bizmap-demo.db'}"
    now = [utc(START)]
    app = create_app(Settings(model=str(HOSPITAL), db=db), clock=lambda: now[0])
    with TestClient(app) as client:
        writer = app.state.live.writer
        for at, events in play(app.state.live.graph, seed=1, start=utc(START), seconds=SECONDS):
            now[0] = at
            client.portal.call(writer.submit, events, at)  # what run_simulator does each second
    log = folder / "events.jsonl"
    with Store(db) as store, log.open("w", encoding="utf-8") as out:
        for stored in store.iter_all_events():
            line: dict[str, Any] = {"time": format_time(stored.time), "state": stored.state.label}
            line.update({"node": stored.node} if stored.node else {"labels": stored.labels})
            line.update(key=stored.key, summary=stored.summary, source=stored.source, id=stored.event_id)
            out.write(json.dumps({k: v for k, v in line.items() if v is not None}) + "\n")
    return Demo(db, log)


def test_the_demo_database_has_incidents_listed_by_the_report_command(demo: Demo) -> None:
    found = list_incidents(demo.source())
    assert found, "half an hour of the demo always has an incident (its first one starts at once)"
    result = run_cli("report", "incidents", "--db", demo.db, "--model", HOSPITAL)
    assert result.exit_code == 0, result.stderr
    assert all(i.id in result.stdout for i in found)


def test_an_incident_statement_from_the_demo_has_the_replays_figures(demo: Demo, tmp_path: Path) -> None:
    source = demo.source()
    incident = list_incidents(source)[0]
    statement = gather_incident(source, incident.id)
    document = demo.replay(statement.window_start, statement.window_end)
    assert statement.replay_command.endswith(
        f"--from {format_time(statement.window_start)} --to {format_time(statement.window_end)} --json"
    )
    assert statement.services
    assert round(statement.cost, 2) == document["total_cost"] > 0
    for line in statement.services:
        entry = document["services"][line.id]
        assert round(line.cost, 2) == entry["cost"]
        assert whole_seconds(line.counted_seconds) == sum(e["counted_seconds"] for e in entry["episodes"])
    output = tmp_path / "statement.md"
    result = run_cli(
        "report",
        "incident",
        incident.id,
        "--db",
        demo.db,
        "--model",
        HOSPITAL,
        "--format",
        "md",
        "-o",
        output,
    )
    assert result.exit_code == 0, result.stderr
    assert money(document["total_cost"], "GBP") in output.read_text()


def test_the_review_and_the_executive_summary_of_the_demos_month(demo: Demo, tmp_path: Path) -> None:
    source, period = demo.source(), parse_period("2026-11")
    review = gather_review(source, period)
    # November has not ended for a database whose now is the 20th: the review covers up to then
    # (semantics §10), as a replay to the 20th does.
    assert review.window_end == AFTER and review.running
    document = demo.replay(period.start, AFTER)
    assert round(review.cost, 2) == document["total_cost"] > 0
    assert review.episode_count == sum(len(s["episodes"]) for s in document["services"].values())
    for line in review.services:
        entry = document["services"][line.id]
        assert round(line.cost, 2) == entry["cost"] and line.episodes == len(entry["episodes"])
        assert [round(p.sli, 4) for p in line.sla] == [p["sli"] for p in entry.get("sla", [])]
    missed = {s for s, e in document["services"].items() if any(not p["met"] for p in e.get("sla", []))}
    assert {s.id for s in review.missed} == missed
    summary = gather_executive(source, period)
    assert round(summary.review.cost, 2) == document["total_cost"]

    for command in ("review", "executive"):
        output = tmp_path / f"{command}.md"
        result = run_cli(
            "report", command, "--period", "2026-11", "--db", demo.db, "--model", HOSPITAL,
            "--format", "md", "-o", output,
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        assert money(document["total_cost"], "GBP") in output.read_text(), command


def test_the_demo_prints_the_report_commands(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)  # print, do not serve
    db = f"sqlite:///{tmp_path / 'd.db'}"
    result = run_cli("demo", "--model", HOSPITAL, "--db", db)
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert f"bizmap report incidents --db {db} --model {HOSPITAL}" in text
    month = datetime.now(UTC).strftime("%Y-%m")  # "this month", in UTC like the report periods
    assert f"bizmap report executive --period {month} --db {db} --model {HOSPITAL}" in text


def test_long_lists_are_capped_for_a_board() -> None:
    # At most 5 names, then "and N more"; six are written out ("and 1 more" saves nothing).
    assert join_capped(["a", "b"]) == "a and b"
    assert join_capped(list("abcdef")) == "a, b, c, d, e and f"
    assert join_capped(list("abcdefg")) == "a, b, c, d, e and 2 more"


def test_the_executive_summary_of_the_demo_stays_on_one_page(demo: Demo, tmp_path: Path) -> None:
    # The demo's biggest incident has one or two named causes, written out in full.
    summary = gather_executive(demo.source(), parse_period("2026-11"))
    assert summary.biggest is not None and 1 <= len(summary.biggest.root_causes) <= 2
    text = _pdf_text(render(summary, "pdf"), tmp_path)
    assert "Page 1 of 1" in text
    assert f"{join_capped(list(summary.biggest.root_causes))}. (Incident" in text
    # An incident with a dozen root causes (a storm) still fits: the summary names five.
    causes = tuple(f"part-{n:02d}" for n in range(12))
    stormy = replace(summary, biggest=replace(summary.biggest, root_causes=causes))
    text = _pdf_text(render(stormy, "pdf"), tmp_path)
    assert "Page 1 of 1" in text
    assert "part-00, part-01, part-02, part-03, part-04 and 7 more" in text


def _pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "executive.pdf"
    path.write_bytes(pdf)
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())
