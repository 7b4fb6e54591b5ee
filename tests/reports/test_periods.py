"""Report periods: months and quarters in UTC, the one before, and bad input."""

from __future__ import annotations

import pytest

from bizmap.errors import UsageError
from bizmap.reports.periods import parse_period
from helpers import utc


def test_a_month_is_its_utc_calendar_month() -> None:
    period = parse_period("2026-11")
    assert (period.start, period.end) == (utc("2026-11-01T00:00:00Z"), utc("2026-12-01T00:00:00Z"))
    assert period.title == "November 2026" and period.code == "2026-11"
    assert period.previous().code == "2026-10"


def test_a_quarter_is_three_months_and_q1_follows_last_years_q4() -> None:
    period = parse_period("2026-Q4")
    assert (period.start, period.end) == (utc("2026-10-01T00:00:00Z"), utc("2027-01-01T00:00:00Z"))
    assert parse_period("2027-q1").previous().code == "2026-Q4"
    assert parse_period("2027-01").previous().title == "December 2026"


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "November", "2026-11-01", ""])
def test_a_bad_period_says_how_to_write_one(text: str) -> None:
    with pytest.raises(UsageError, match=r"YYYY-MM \(2026-11\).*YYYY-QN \(2026-Q4\)"):
        parse_period(text)
