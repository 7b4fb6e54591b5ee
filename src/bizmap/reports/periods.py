"""Report periods: a month (``2026-11``) or a quarter (``2026-Q4``), in UTC.

A period is the replay window ``--from``/``--to`` its figures come from. UTC, so that a
report's figures are those of ``bizmap replay --from START --to END`` for the same events
(SLA periods in other timezones are clipped to it, as the contract says for any window).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from bizmap.domain.calendar import format_time
from bizmap.errors import UsageError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class ReportPeriod:
    kind: str  # month | quarter
    year: int
    number: int  # month 1-12 or quarter 1-4

    @property
    def first_month(self) -> int:
        return self.number if self.kind == "month" else 3 * (self.number - 1) + 1

    @property
    def months(self) -> int:
        return 1 if self.kind == "month" else 3

    @property
    def start(self) -> float:
        return datetime(self.year, self.first_month, 1, tzinfo=UTC).timestamp()

    @property
    def end(self) -> float:
        month = self.first_month - 1 + self.months
        return datetime(self.year + month // 12, month % 12 + 1, 1, tzinfo=UTC).timestamp()

    @property
    def code(self) -> str:
        return f"{self.year}-{self.number:02d}" if self.kind == "month" else f"{self.year}-Q{self.number}"

    @property
    def title(self) -> str:
        if self.kind == "month":
            return f"{_MONTH_NAMES[self.number - 1]} {self.year}"
        return f"Q{self.number} {self.year}"

    @property
    def window(self) -> str:
        return f"--from {format_time(self.start)} --to {format_time(self.end)}"

    def previous(self) -> ReportPeriod:
        last = 12 if self.kind == "month" else 4
        if self.number == 1:
            return ReportPeriod(self.kind, self.year - 1, last)
        return ReportPeriod(self.kind, self.year, self.number - 1)


def parse_period(text: str) -> ReportPeriod:
    """``2026-11`` or ``2026-Q4``; anything else is a ``UsageError`` saying what to write."""
    value = text.strip()
    month = _MONTH.match(value)
    if month and 1 <= int(month.group(2)) <= 12 and int(month.group(1)) >= 1970:
        return ReportPeriod("month", int(month.group(1)), int(month.group(2)))
    quarter = _QUARTER.match(value)
    if quarter and int(quarter.group(1)) >= 1970:
        return ReportPeriod("quarter", int(quarter.group(1)), int(quarter.group(2)))
    raise UsageError(
        f"unknown period {text!r}: write a month as YYYY-MM (2026-11) or a quarter as YYYY-QN (2026-Q4)"
    )


def period_containing(instant: float, kind: str = "month") -> ReportPeriod:
    moment = datetime.fromtimestamp(instant, UTC)
    if kind == "month":
        return ReportPeriod("month", moment.year, moment.month)
    return ReportPeriod("quarter", moment.year, (moment.month - 1) // 3 + 1)
