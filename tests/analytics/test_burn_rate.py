"""Multi-window burn-rate alerts: truth tables with numbers worked out by hand.

Unless said otherwise: SLA 99.9 % (budget share 0.001), monthly, 24x7; now is
2026-11-20T12:00:00Z. November has 30 days, so the windows are exactly the SRE workbook's
(scale 1). Down seconds a window needs to reach each threshold (0.001 x threshold x length):
  page-1h:   1 h >= 14.4 -> 51.84 s in the last hour;  5 min >= 14.4 -> 4.32 s in the last 5 min
  page-6h:   6 h >= 6    -> 129.6 s in the last 6 h;   30 min >= 6   -> 10.8 s in the last 30 min
  ticket-3d: 3 d >= 1    -> 259.2 s in the last 3 d;   6 h >= 1      -> 21.6 s in the last 6 h
"""

from __future__ import annotations

import pytest

from bizmap.domain.calendar import BusinessCalendar
from bizmap.domain.model import CalendarSpec, SlaSpec
from bizmap.domain.propagate import DEGRADED, DOWN, OK, UNKNOWN
from bizmap.domain.timeline import Segment
from bizmap.slo.burn_rate import SRE_POLICIES, burn_report, counted_window_start
from helpers import utc

NOW = utc("2026-11-20T12:00:00Z")
HISTORY = NOW - 40 * 86400
SLA = SlaSpec(target=99.9, period="month")
H24 = BusinessCalendar(None)


def timeline(*outages: tuple[float, float, int], planned: bool = False, end: float = NOW) -> list[Segment]:
    """Segments from HISTORY to ``end``: ok except the given (start, end, state) outages."""
    segments = []
    position = HISTORY
    for start, stop, state in sorted(outages):
        if start > position:
            segments.append(Segment(position, start, OK, False, frozenset()))
        segments.append(Segment(start, stop, state, planned, frozenset()))
        position = stop
    if position < end:
        segments.append(Segment(position, end, OK, False, frozenset()))
    return segments


def firing(segments: list[Segment], sla: SlaSpec = SLA, calendar: BusinessCalendar = H24) -> set[str]:
    report = burn_report(sla, calendar, segments, NOW, HISTORY)
    return {a.policy.name for a in report.firing}


M = 60.0
HOUR = 3600.0

# (why, outages as (seconds before now it starts, seconds before now it ends), alerts firing)
TRUTH_TABLE = [
    ("never down", [], set()),
    # 300 s in every window: 5 min burns 1000, 1 h 83.3, 30 min 166.7, 6 h 13.9, 3 d 1.16
    ("down for the last 5 minutes", [(5 * M, 0)], {"page-1h", "page-6h", "ticket-3d"}),
    # down 1 h, recovered 10 min ago: the 5 min window is clean, so no page-1h; 30 min holds
    # 20 min down (1,200 >= 10.8) and 6 h the whole hour (3,600 >= 129.6) -> page-6h;
    # 3 d: 3,600 s >= 259.2 and 6 h: 3,600 s >= 21.6 -> ticket
    ("an hour down, over 10 minutes ago", [(70 * M, 10 * M)], {"page-6h", "ticket-3d"}),
    # down 1 h, recovered 40 min ago: 30 min clean too, so only the ticket
    ("an hour down, over 40 minutes ago", [(100 * M, 40 * M)], {"ticket-3d"}),
    # 200 s from 25 min ago: 6 h 200 >= 129.6 and 30 min 200 >= 10.8 -> page-6h;
    # 5 min clean -> no page-1h; 3 d 200 < 259.2 -> no ticket
    ("200 s, 25 minutes ago", [(25 * M, 25 * M - 200)], {"page-6h"}),
    # 300 s five hours ago: 3 d 300 >= 259.2, 6 h 300 >= 21.6 -> ticket; 30 min clean -> no page-6h
    ("300 s, five hours ago", [(5 * HOUR, 5 * HOUR - 300)], {"ticket-3d"}),
    # exactly at the threshold: 259.2 s in 3 d fires (6 h also has it: 259.2 >= 21.6) ...
    (
        "259.2 s, two days ago, plus 21.6 s five hours ago",
        [(2 * 86400, 2 * 86400 - 237.6), (5 * HOUR, 5 * HOUR - 21.6)],
        {"ticket-3d"},
    ),
    # ... 259.1 s does not; and the short window alone does not either
    ("259.1 s in 3 days", [(2 * 86400, 2 * 86400 - 237.5), (5 * HOUR, 5 * HOUR - 21.6)], set()),
    # four days ago: outside every window
    ("a long outage four days ago", [(4 * 86400, 3.5 * 86400)], set()),
]


@pytest.mark.parametrize(("why", "outages", "expected"), TRUTH_TABLE, ids=[row[0] for row in TRUTH_TABLE])
def test_truth_table_24x7(why: str, outages: list[tuple[float, float]], expected: set[str]) -> None:
    segments = timeline(*((NOW - a, NOW - b, DOWN) for a, b in outages))
    assert firing(segments) == expected, why


def test_burn_rates_of_a_five_minute_outage() -> None:
    report = burn_report(SLA, H24, timeline((NOW - 300, NOW, DOWN)), NOW, HISTORY)
    rates = {w.name: w.burn_rate for w in report.windows}
    # 300 / length / 0.001
    assert rates["5m"] == pytest.approx(1000)
    assert rates["30m"] == pytest.approx(300 / 1800 / 0.001)  # 166.67
    assert rates["1h"] == pytest.approx(300 / 3600 / 0.001)  # 83.33
    assert rates["6h"] == pytest.approx(300 / 21600 / 0.001)  # 13.89
    assert rates["3d"] == pytest.approx(300 / 259200 / 0.001)  # 1.157
    assert [w.name for w in report.windows] == ["5m", "30m", "1h", "6h", "3d"]
    assert report.scale == pytest.approx(1.0)  # November: 30 days of 24x7


@pytest.mark.parametrize(
    ("state", "counts_as", "expected"),
    [
        (DOWN, "up", {"page-1h", "page-6h", "ticket-3d"}),
        (DEGRADED, "up", set()),  # degraded is up by default: no budget spent
        (DEGRADED, "down", {"page-1h", "page-6h", "ticket-3d"}),
        (UNKNOWN, "down", set()),  # unknown is not measured at all
    ],
)
def test_what_counts_as_down(state: int, counts_as: str, expected: set[str]) -> None:
    sla = SlaSpec(target=99.9, period="month", degraded_counts_as=counts_as)  # type: ignore[arg-type]
    assert firing(timeline((NOW - 300, NOW, state)), sla) == expected


def test_planned_downtime_burns_nothing() -> None:
    assert firing(timeline((NOW - 300, NOW, DOWN), planned=True)) == set()


def test_a_window_with_no_measured_time_burns_nothing() -> None:
    # unknown for the last 6 hours and down for the 5 minutes before: the 5 min, 30 min and
    # 1 h windows measure nothing (burn 0), so no page although the 3 d window burns 300 s.
    segments = timeline((NOW - 6 * HOUR - 300, NOW - 6 * HOUR, DOWN), (NOW - 6 * HOUR, NOW, UNKNOWN))
    report = burn_report(SLA, H24, segments, NOW, HISTORY)
    rates = {w.name: w for w in report.windows}
    assert rates["1h"].measured_seconds == 0 and rates["1h"].burn_rate == 0
    # 3 d: measured 259,200 - 21,600 = 237,600 s; 300 / 237,600 / 0.001 = 1.26 -> but the
    # 6 h window measures nothing: no ticket either
    assert rates["3d"].burn_rate == pytest.approx(300 / 237600 / 0.001)
    assert {a.policy.name for a in report.firing} == set()


OFFICE = BusinessCalendar(CalendarSpec(timezone="Europe/Paris", hours={"mon-fri": "09:00-17:00"}), "office")


def test_windows_are_measured_in_the_calendars_time() -> None:
    # November 2026 has 21 weekdays (2-6, 9-13, 16-20, 23-27, 30): 21 x 8 h = 604,800 counted
    # seconds; scale = 604,800 / 2,592,000 = 7/30. "1 h" = 840 s (14 min), "5 min" = 70 s.
    now = utc("2026-11-23T08:02:00Z")  # Monday 09:02 in Paris
    down_since = utc("2026-11-20T15:55:00Z")  # Friday 16:55 in Paris, never recovered
    segments = [
        Segment(utc("2026-11-01T00:00:00Z"), down_since, OK, False, frozenset()),
        Segment(down_since, now, DOWN, False, frozenset()),
    ]
    report = burn_report(SLA, OFFICE, segments, now, utc("2026-11-01T00:00:00Z"))
    assert report.period_counted_seconds == 604800
    assert report.scale == pytest.approx(7 / 30)
    one_hour = next(w for w in report.windows if w.name == "1h")
    # 840 counted seconds back from Monday 09:02: Monday 09:00-09:02 (120 s) and Friday
    # 16:48-17:00 (720 s), so it starts Friday 16:48 Paris = 15:48Z.
    assert one_hour.counted_seconds == pytest.approx(840)
    assert one_hour.start == pytest.approx(utc("2026-11-20T15:48:00Z"))
    # down: Friday 16:55-17:00 (300 s) + Monday 09:00-09:02 (120 s) = 420 of 840 -> 0.5 / 0.001
    assert one_hour.down_seconds == pytest.approx(420)
    assert one_hour.burn_rate == pytest.approx(500)
    assert "page-1h" in {a.policy.name for a in report.firing}


def test_no_counted_time_in_the_history_burns_nothing() -> None:
    # Saturday: the office calendar counts nothing since the history began an hour ago
    now = utc("2026-11-21T12:00:00Z")
    segments = [Segment(now - 3600, now, DOWN, False, frozenset())]
    report = burn_report(SLA, OFFICE, segments, now, now - 3600)
    assert all(w.measured_seconds == 0 and w.burn_rate == 0 for w in report.windows)
    assert report.firing == ()


def test_windows_adapt_to_the_period() -> None:
    # December has 31 days: scale 31/30, so "1 h" is 3,720 s of 24x7 time
    now = utc("2026-12-10T00:00:00Z")
    report = burn_report(
        SLA, H24, [Segment(now - 86400 * 5, now, OK, False, frozenset())], now, now - 86400 * 5
    )
    assert next(w for w in report.windows if w.name == "1h").start == pytest.approx(now - 3720)
    # a weekly SLA: 7/30 of the workbook's windows; "3 d" = 3 x 86,400 x 7/30 = 60,480 s
    weekly = burn_report(
        SlaSpec(target=99.9, period="week"),
        H24,
        [Segment(now - 86400 * 5, now, OK, False, frozenset())],
        now,
        now - 86400 * 5,
    )
    assert next(w for w in weekly.windows if w.name == "3d").start == pytest.approx(now - 60480)


def test_a_window_is_cut_at_the_start_of_the_history() -> None:
    # an hour of history only: the 3 d window reaches back one hour; down 300 s of 3,600
    segments = [
        Segment(NOW - 3600, NOW - 300, OK, False, frozenset()),
        Segment(NOW - 300, NOW, DOWN, False, frozenset()),
    ]
    report = burn_report(SLA, H24, segments, NOW, NOW - 3600)
    three_days = next(w for w in report.windows if w.name == "3d")
    assert three_days.start == NOW - 3600
    assert three_days.burn_rate == pytest.approx(300 / 3600 / 0.001)


def test_counted_window_start_skips_the_weekend() -> None:
    # 8 counted hours back from Monday 10:00 Paris: Monday 09:00-10:00 (1 h) and Friday 10:00-17:00
    monday_ten = utc("2026-11-23T09:00:00Z")
    start = counted_window_start(OFFICE, monday_ten, 8 * 3600, monday_ten - 30 * 86400)
    assert start == utc("2026-11-20T09:00:00Z")  # Friday 10:00 Paris


def test_policies_are_the_workbooks() -> None:
    assert [(p.threshold, p.long_seconds, p.short_seconds) for p in SRE_POLICIES] == [
        (14.4, 3600, 300),
        (6.0, 21600, 1800),
        (1.0, 259200, 21600),
    ]
