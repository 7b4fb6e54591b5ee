"""Every report has a JSON form carrying its figures (semantics §10): from, to, as_of and
total_cost first, then what the document prints, with the numbers of ``bizmap replay --json``."""

from __future__ import annotations

import json
from pathlib import Path

from bizmap.reports.document import report_document
from bizmap.reports.executive import gather_executive
from bizmap.reports.incident import gather_incident
from bizmap.reports.periods import parse_period
from bizmap.reports.review import gather_review
from bizmap.reports.sources import EventSource, replay_source
from helpers import run_cli
from reports.test_reports import DNS, HOSPITAL, RETAILER, replay_json
from reports.test_running_period import NOW, running  # noqa: F401  (a fixture)


def test_the_dns_statement_as_json_has_the_replays_figures() -> None:
    document = report_document(gather_incident(replay_source(HOSPITAL, HOSPITAL / "events.jsonl"), DNS))
    replayed = replay_json(HOSPITAL, "2026-10-16T22:40:00Z", "2026-10-16T23:25:30Z")
    assert document["report"] == "incident"
    assert (document["from"], document["to"]) == ("2026-10-16T22:40:00Z", "2026-10-16T23:25:30Z")
    assert document["total_cost"] == replayed["total_cost"] and document["currency"] == "GBP"
    for line in document["services"]:
        [episode] = replayed["services"][line["id"]]["episodes"]
        assert line["cost"] == episode["cost"]
        assert line["counted_seconds"] == episode["counted_seconds"]
    records = next(s for s in document["services"] if s["id"] == "patient-records")
    assert records["cost"] == 19640.83  # 74,000/h x 0.35 x 2,730 s / 3,600 (test_reports)
    assert [p["node"] for p in document["prevention"]] == ["dns-core"]
    json.dumps(document)  # plain JSON all through


def test_the_retailer_review_as_json_has_the_replays_figures_per_sla_period() -> None:
    review = gather_review(replay_source(RETAILER, RETAILER / "events.jsonl"), parse_period("2026-10"))
    document = report_document(review)
    replayed = replay_json(RETAILER, "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")
    assert document["report"] == "review" and document["period"]["code"] == "2026-10"
    assert (document["from"], document["to"]) == (replayed["from"], replayed["to"])
    assert document["total_cost"] == replayed["total_cost"]
    for line in document["services"]:
        entry = replayed["services"][line["id"]]
        assert line["cost"] == entry["cost"]
        assert [p["sli"] for p in line["sla"]] == [p["sli"] for p in entry.get("sla", [])]
        assert [p["remaining_seconds"] for p in line["sla"]] == [
            p["budget_remaining_seconds"] for p in entry.get("sla", [])
        ]
        assert [p["end"] for p in line["sla"]] == [p["period_end"] for p in entry.get("sla", [])]


def test_a_running_period_as_json_says_to_and_as_of_now(running: EventSource) -> None:  # noqa: F811
    document = report_document(gather_executive(running, parse_period("2026-11")))
    assert document["report"] == "executive" and document["running"] is True
    assert document["from"] == "2026-11-01T00:00:00Z"
    assert document["to"] == document["as_of"] == "2026-11-15T12:00:00Z"
    assert document["total_cost"] == 3.00  # 3 s at 3,600/h
    assert document["review"]["services"][0]["cost"] == 3.00
    assert NOW


def test_the_cli_writes_json_to_stdout() -> None:
    result = run_cli(
        "report", "review", "--period", "2026-10", "--model", RETAILER,
        "--replay", RETAILER / "events.jsonl", "--format", "json", "-o", "-",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    replayed = replay_json(RETAILER, "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")
    assert document["total_cost"] == replayed["total_cost"]


def test_an_unknown_format_names_json_too(tmp_path: Path) -> None:
    result = run_cli(
        "report", "review", "--period", "2026-10", "--model", RETAILER,
        "--replay", RETAILER / "events.jsonl", "--format", "docx", "-o", tmp_path / "x",
    )  # fmt: skip
    assert result.exit_code == 2 and "use md, html, pdf or json" in result.stderr
