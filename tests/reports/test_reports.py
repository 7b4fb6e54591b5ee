"""The documents from the examples' event logs: their figures are those of `bizmap replay --json`
for the same events, the PDFs carry them as text, and bad input gets a clear message."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bizmap.reports.executive import gather_executive
from bizmap.reports.incident import gather_incident
from bizmap.reports.periods import parse_period
from bizmap.reports.render import render_markdown
from bizmap.reports.review import gather_review
from bizmap.reports.sources import replay_source
from bizmap.text import money, whole_seconds
from helpers import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HOSPITAL, RETAILER = EXAMPLES / "hospital", EXAMPLES / "retailer"
DNS = "INC-20261016T224000Z-patient-records"


def replay_json(model: Path, start: str, end: str) -> dict:  # type: ignore[type-arg]
    result = run_cli("replay", model, model / "events.jsonl", "--from", start, "--to", end, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout
    return " ".join(text.decode().split())


def test_the_dns_outage_statement_has_the_replays_figures() -> None:
    # DNS fails 2026-10-16 22:40:00Z and answers again at 23:25:30Z (45 min 30 s). The statement's
    # figures are those of a replay over exactly that window.
    statement = gather_incident(replay_source(HOSPITAL, HOSPITAL / "events.jsonl"), DNS)
    document = replay_json(HOSPITAL, "2026-10-16T22:40:00Z", "2026-10-16T23:25:30Z")
    assert statement.replay_command.endswith("--from 2026-10-16T22:40:00Z --to 2026-10-16T23:25:30Z --json")
    for line in statement.services:
        [episode] = document["services"][line.id]["episodes"]
        assert round(line.cost, 2) == episode["cost"]
        assert whole_seconds(line.counted_seconds) == episode["counted_seconds"]
    assert round(statement.cost, 2) == document["total_cost"]
    # Patient records: 74,000/h x 0.35 (paper workaround) x 2,730 s / 3,600 = 19,640.83 (test_examples).
    records = next(s for s in statement.services if s.id == "patient-records")
    assert round(records.cost, 2) == 19640.83
    # All of it under workarounds, all of it down; revenue and staff time add up to the total.
    assert statement.breakdown.full_impact_cost == pytest.approx(0, abs=1e-6)
    assert statement.breakdown.revenue + statement.breakdown.productivity == pytest.approx(statement.cost)
    assert statement.safety_services  # the EPR and ePMA are safety-critical
    assert [p.node for p in statement.prevention] == ["dns-core"]
    assert statement.recurrence_cost_per_hour == 158320.0  # the what-if of test_examples
    # People (issue 12, defect 3; semantics §3): Friday 23:40-00:25 BST. E-mail (07:30-18:30)
    # and booking (clinic hours) are outside their hours: nobody kept from work (£0 too). The
    # EPR (1,800) and ePMA (900) share the population `clinicians`: max = 1,800; imaging 250,
    # 24x7. The peak: 1,800 + 250 = 2,050, not 1,800 + 900 + 6,500 + 250 + 60 = 9,510.
    people = {s.id: s.users for s in statement.services}
    assert people == {
        "patient-records": 1800,
        "e-prescribing": 900,
        "imaging": 250,
        "staff-email": 0,
        "outpatient-booking": 0,
    }
    assert statement.users == 2050
    assert "2,050 people could not work normally" in statement.summary

    text = render_markdown(statement)
    assert money(document["total_cost"], "GBP") in text and "£19,640.83" in text
    assert "45 min 30 s" in text and "Electronic patient record (EPR)" in text


def test_the_retailer_review_has_the_replays_figures_per_service_and_sla_period() -> None:
    review = gather_review(replay_source(RETAILER, RETAILER / "events.jsonl"), parse_period("2026-10"))
    document = replay_json(RETAILER, "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")
    assert round(review.cost, 2) == document["total_cost"]
    assert review.previous_cost == 0  # no events in September
    for line in review.services:
        entry = document["services"][line.id]
        assert round(line.cost, 2) == entry["cost"] and line.episodes == len(entry["episodes"])
        assert [round(p.sli, 4) for p in line.sla] == [p["sli"] for p in entry.get("sla", [])]
        assert [whole_seconds(p.remaining_seconds) for p in line.sla] == [
            p["budget_remaining_seconds"] for p in entry.get("sla", [])
        ]
    missed = sorted(s for s, e in document["services"].items() if any(not p["met"] for p in e.get("sla", [])))
    assert sorted(s.id for s in review.missed) == missed
    # The root causes share out the whole cost of the episodes that have one.
    assert sum(r.cost for r in review.root_causes) <= review.cost + 1e-6
    text = render_markdown(review)
    assert money(document["total_cost"], "EUR") in text


def test_a_review_of_one_service_and_a_quarter() -> None:
    source = replay_source(RETAILER, RETAILER / "events.jsonl")
    review = gather_review(source, parse_period("2026-Q4"), "checkout")
    document = replay_json(RETAILER, "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z")
    assert [s.id for s in review.services] == ["checkout"]
    assert round(review.cost, 2) == document["services"]["checkout"]["cost"]
    assert review.previous.code == "2026-Q3"


def test_the_executive_summary_of_the_hospitals_october() -> None:
    summary = gather_executive(replay_source(HOSPITAL, HOSPITAL / "events.jsonl"), parse_period("2026-10"))
    document = replay_json(HOSPITAL, "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")
    assert round(summary.review.cost, 2) == document["total_cost"]
    # DNS: every service stops, 158,320/h, the costliest single point. The core network stops
    # them all too, but it is a group of two redundant switches (either will do), not a
    # failure unit (semantics §5), so it is never named.
    assert summary.risk is not None and summary.risk.cost_per_hour == 158320.0
    assert summary.risk.node == "dns-core"
    assert summary.decisions[0].startswith("Fund redundancy for Core DNS/DHCP appliance (dns-core):")
    assert not any("core-network" in line for line in summary.decisions)
    assert 2 <= len(summary.decisions) <= 3
    assert summary.biggest is not None and summary.biggest.cost > 0
    missed = {s for s, e in document["services"].items() if any(not p["met"] for p in e.get("sla", []))}
    assert {s.id for s in summary.missed} == missed


def test_pdfs_carry_the_figures_as_text(tmp_path: Path) -> None:
    incident = tmp_path / "incident.pdf"
    result = run_cli(
        "report", "incident", DNS, "--model", HOSPITAL, "--replay", HOSPITAL / "events.jsonl", "-o", incident
    )
    assert result.exit_code == 0, result.stderr
    text = pdf_text(incident)
    assert incident.read_bytes().startswith(b"%PDF")
    for figure in ("£19,640.83", "45 min 30 s", "Core DNS/DHCP appliance", "Electronic patient record (EPR)"):
        assert figure in text, figure
    assert "Page 1 of" in text

    summary = tmp_path / "executive.pdf"
    result = run_cli(
        "report", "executive", "--period", "2026-10", "--model", RETAILER,
        "--replay", RETAILER / "events.jsonl", "-o", summary,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    document = replay_json(RETAILER, "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")
    text = pdf_text(summary)
    assert money(document["total_cost"], "EUR") in text and "What to decide" in text
    assert "Page 1 of 1" in text  # one page for a CEO

    review = tmp_path / "review.pdf"
    result = run_cli(
        "report", "review", "--period", "2026-10", "--service", "checkout", "--model", RETAILER,
        "--replay", RETAILER / "events.jsonl", "-o", review,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = pdf_text(review)
    checkout = document["services"]["checkout"]
    assert money(checkout["cost"], "EUR") in text and "error budget burn" in text  # the chart's title
    assert f"{checkout['sla'][0]['sli']}%" in text


def test_markdown_to_stdout_and_a_default_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = ("--model", RETAILER, "--replay", RETAILER / "events.jsonl")
    printed = run_cli("report", "executive", "--period", "2026-10", *args, "--format", "md", "-o", "-")
    assert printed.exit_code == 0 and printed.stdout.startswith("# Executive summary: October 2026")
    written = run_cli("report", "review", "--period", "2026-10", *args, "--format", "html")
    assert written.exit_code == 0 and "wrote review-2026-10.html" in written.stdout
    assert (tmp_path / "review-2026-10.html").read_text().startswith("<!DOCTYPE html>")


def test_incidents_are_listed_with_the_servers_ids() -> None:
    result = run_cli("report", "incidents", "--model", HOSPITAL, "--replay", HOSPITAL / "events.jsonl")
    assert result.exit_code == 0, result.stderr
    assert DNS in result.stdout and "INC-20261005T142005Z-imaging" in result.stdout


def test_bad_input_is_named_with_the_right_exit_code(tmp_path: Path) -> None:
    source = ("--model", HOSPITAL, "--replay", HOSPITAL / "events.jsonl")
    bad_period = run_cli("report", "review", "--period", "2026-13", *source)
    assert bad_period.exit_code == 2 and "unknown period '2026-13'" in bad_period.stderr
    unknown = run_cli("report", "incident", "INC-nope", *source)
    assert unknown.exit_code == 2
    assert "no incident 'INC-nope'" in unknown.stderr and "bizmap report incidents" in unknown.stderr
    service = run_cli("report", "review", "--period", "2026-10", "--service", "ghost", *source)
    assert service.exit_code == 2 and "unknown business service 'ghost'" in service.stderr
    both = run_cli("report", "executive", "--period", "2026-10", *source, "--db", "sqlite:///x.db")
    assert both.exit_code == 2 and "exactly one data source" in both.stderr
    missing = run_cli(
        "report", "executive", "--period", "2026-10", "--model", HOSPITAL, "--replay", tmp_path / "no"
    )
    assert missing.exit_code == 1 and "cannot read event log" in missing.stderr
    form = run_cli("report", "executive", "--period", "2026-10", *source, "--format", "docx")
    assert form.exit_code == 2 and "unknown format 'docx'" in form.stderr


def test_from_the_database_the_figures_are_those_of_a_replay_of_the_stored_events(tmp_path: Path) -> None:
    from bizmap.ingest.native import decode_event
    from bizmap.storage.store import Store, migrate

    url = f"sqlite:///{tmp_path / 'bizmap.db'}"
    migrate(url)
    lines = (RETAILER / "events.jsonl").read_bytes().splitlines()
    with Store(url) as store:
        events = [decode_event(line) for line in lines if line.strip()]
        store.append_events([(e, e.time or 0.0, True) for e in events])
    result = run_cli(
        "report",
        "review",
        "--period",
        "2026-10",
        "--model",
        RETAILER,
        "--db",
        url,
        "--format",
        "md",
        "-o",
        "-",
    )
    assert result.exit_code == 0, result.stderr
    document = replay_json(RETAILER, "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")
    assert money(document["total_cost"], "EUR") in result.stdout
    listed = run_cli("report", "incidents", "--model", RETAILER, "--db", url)
    assert "INC-20261022T173000Z-checkout" in listed.stdout  # none stored: found by the server's rules
    broken = run_cli("report", "incidents", "--model", RETAILER, "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert broken.exit_code == 1 and "cannot read the database" in broken.stderr
