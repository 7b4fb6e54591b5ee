"""Semantics §10: a report about a period that has not ended covers [period start, now], never the
rest of the period (issue 12, defect 1: a 3-second-old outage was priced to the end of the month)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.errors import UsageError
from bizmap.model.loading import load_graph
from bizmap.reports.executive import gather_executive
from bizmap.reports.periods import parse_period
from bizmap.reports.render import render_markdown
from bizmap.reports.review import gather_review
from bizmap.reports.sources import EventSource

MODEL = """\
currency: EUR
services:
  - id: shop
    name: Web shop
    impact: {revenue_per_hour: 3600}
    sla: {target: 99.9, period: month}
    depends_on: [db]
components:
  - id: db
"""


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


NOW = utc("2026-11-15T12:00:00")


@pytest.fixture
def running(tmp_path: Path) -> EventSource:
    """The database "now" is 15 November 12:00:00; the database went down 3 seconds before."""
    (tmp_path / "model.yaml").write_text(MODEL)
    graph = load_graph(tmp_path / "model.yaml")
    events = [(1, Event(state=State.DOWN, time=NOW - 3, node="db"))]
    return EventSource(graph, events, str(tmp_path), database="sqlite:///x.db", now=NOW)


def test_the_review_of_the_running_month_ends_now(running: EventSource) -> None:
    review = gather_review(running, parse_period("2026-11"))
    # 3 s down at 3,600/h = 1/s: 3.00, not the 15.5 days more to the end of the month (1,339,203.00).
    assert round(review.cost, 2) == 3.00
    assert review.window_end == NOW
    assert review.running
    [shop] = review.services
    [sla] = shop.sla
    assert sla.end == NOW  # the SLA period is clipped to now, like a replay window
    # measured 1-15 Nov 12:00 = 14.5 days = 1,252,800 s; 3 s down: 100 x (1 - 3/1,252,800)
    assert sla.sli == pytest.approx(100 * (1 - 3 / 1_252_800))
    assert review.replay_command.endswith("--from 2026-11-01T00:00:00Z --to 2026-11-15T12:00:00Z --json")


def test_the_executive_summary_says_so_far_as_of_now(running: EventSource) -> None:
    summary = gather_executive(running, parse_period("2026-11"))
    assert round(summary.review.cost, 2) == 3.00
    text = render_markdown(summary)
    assert "€3.00" in text
    assert "so far, as of" in text and "15 Nov 2026, 12:00 UTC" in text
    assert "1,339,2" not in text  # nothing priced past now


def test_a_closed_period_is_whole_and_says_nothing_of_now(running: EventSource) -> None:
    review = gather_review(running, parse_period("2026-10"))
    assert review.window_end == utc("2026-11-01T00:00:00") and not review.running
    assert "so far" not in render_markdown(review)


def test_a_period_that_has_not_begun_is_refused_with_when_the_data_ends(running: EventSource) -> None:
    with pytest.raises(
        UsageError, match=r"December 2026 has not begun: the data ends at Sun 15 Nov 2026, 12:00"
    ):
        gather_review(running, parse_period("2026-12"))
