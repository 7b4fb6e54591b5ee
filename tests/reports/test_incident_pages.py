"""The incident PDF's pages: none nearly empty (issue 20: page 4 held one note).

Every incident of the hospital example is rendered, each page read back with pdftotext; a page
with fewer than MIN_LINES lines of text (header and footer included) is a misprint.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bizmap.reports.incident import gather_incident, list_incidents
from bizmap.reports.render import render_pdf
from bizmap.reports.sources import EventSource, replay_source

HOSPITAL = Path(__file__).resolve().parents[2] / "examples" / "hospital"
MIN_LINES = 15  # a full page holds 35 to 50; the misprints held 4 to 12


def lines_per_page(pdf: Path) -> list[int]:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    pages = text.decode().split("\f")
    return [len([line for line in page.splitlines() if line.strip()]) for page in pages if page.strip()]


@pytest.fixture(scope="module")
def source() -> Iterator[EventSource]:
    yield replay_source(HOSPITAL, HOSPITAL / "events.jsonl")


def test_no_page_of_any_incident_statement_is_nearly_empty(source: EventSource, tmp_path: Path) -> None:
    incidents = [i.id for i in list_incidents(source)]
    assert len(incidents) == 13
    counts = {}
    for incident in incidents:
        pdf = tmp_path / f"{incident}.pdf"
        pdf.write_bytes(render_pdf(gather_incident(source, incident)))
        counts[incident] = lines_per_page(pdf)
    sparse = {i: c for i, c in counts.items() if min(c) < MIN_LINES}
    assert sparse == {}, counts
    # the DNS outage, which printed a fourth page with one note, fits on three
    assert len(counts["INC-20261016T224000Z-patient-records"]) == 3
