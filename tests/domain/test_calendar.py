"""Business calendars (semantics §1, §3) and SLA periods (§4).

Dates of 2026 used below, worked out by hand (2026-01-01 is a Thursday):
Mon 2026-03-02 .. Fri 2026-03-06, Sun 2026-03-29 (clocks go forward in Europe at 01:00Z),
Sun 2026-10-25 (clocks go back at 01:00Z), Fri 2026-12-25, Sat 2026-12-26, Mon 2026-12-28.
Paris is UTC+1 (CET) in winter and UTC+2 (CEST) in summer; London UTC+0 / UTC+1.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bizmap.domain.calendar import BusinessCalendar, CalendarWindow, format_time, parse_time, periods
from bizmap.domain.model import CalendarSpec
from helpers import utc

HOUR = 3600


def calendar(
    timezone: str = "UTC", hours: dict[str, str] | None = None, holidays: Any = ()
) -> BusinessCalendar:
    spec = CalendarSpec.model_validate({"timezone": timezone, "hours": hours, "holidays": list(holidays)})
    return BusinessCalendar(spec, "test")


def country_calendar(holidays: dict[str, Any], timezone: str = "UTC", hours: dict[str, str] | None = None):
    return BusinessCalendar(
        CalendarSpec.model_validate({"timezone": timezone, "hours": hours, "holidays": holidays}), "test"
    )


def intervals(cal: BusinessCalendar, start: str, end: str) -> list[tuple[str, str]]:
    return [(format_time(a), format_time(b)) for a, b in cal.intervals(utc(start), utc(end))]


def seconds(cal: BusinessCalendar, start: str, end: str) -> float:
    return cal.seconds(utc(start), utc(end))


# --- office hours -----------------------------------------------------------------------------

PARIS_OFFICE = {"mon-fri": "09:00-17:00"}
LONDON_OFFICE = {"mon-fri": "08:00-18:00"}


def test_paris_office_hours_in_winter_are_08_to_16_utc_on_weekdays_only() -> None:
    cal = calendar("Europe/Paris", PARIS_OFFICE)
    # Mon 2 .. Sun 8 March 2026: 09:00-17:00 CET = 08:00Z-16:00Z, Monday to Friday
    assert intervals(cal, "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z") == [
        (f"2026-03-0{d}T08:00:00Z", f"2026-03-0{d}T16:00:00Z") for d in range(2, 7)
    ]
    # 5 days × 8 h = 40 h
    assert seconds(cal, "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z") == 40 * HOUR


def test_paris_office_hours_in_summer_are_07_to_15_utc() -> None:
    cal = calendar("Europe/Paris", PARIS_OFFICE)
    # Mon 2026-06-15, CEST: 09:00-17:00 = 07:00Z-15:00Z
    assert intervals(cal, "2026-06-15T00:00:00Z", "2026-06-16T00:00:00Z") == [
        ("2026-06-15T07:00:00Z", "2026-06-15T15:00:00Z")
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Mon 2026-01-12, GMT: 08:00-18:00 = 08:00Z-18:00Z
        ("2026-01-12", [("2026-01-12T08:00:00Z", "2026-01-12T18:00:00Z")]),
        # Mon 2026-06-15, BST: 08:00-18:00 = 07:00Z-17:00Z
        ("2026-06-15", [("2026-06-15T07:00:00Z", "2026-06-15T17:00:00Z")]),
        # Sat 2026-06-13: no hours
        ("2026-06-13", []),
    ],
)
def test_london_office_hours_follow_gmt_and_bst(day: str, expected: list[tuple[str, str]]) -> None:
    cal = calendar("Europe/London", LONDON_OFFICE)
    assert intervals(cal, f"{day}T00:00:00Z", f"{day}T23:59:59Z") == expected


@pytest.mark.parametrize(
    ("instant", "inside"),
    [
        ("2026-03-06T07:59:59Z", False),  # Fri 08:59:59 Paris
        ("2026-03-06T08:00:00Z", True),  # Fri 09:00 Paris: the start counts
        ("2026-03-06T15:00:00Z", True),  # Fri 16:00 Paris
        ("2026-03-06T15:59:59Z", True),
        ("2026-03-06T16:00:00Z", False),  # Fri 17:00 Paris: the end does not
        ("2026-03-07T10:00:00Z", False),  # Saturday
        ("2026-03-09T08:30:00Z", True),  # Mon 09:30 Paris
    ],
)
def test_contains_tells_whether_an_instant_is_in_calendar(instant: str, inside: bool) -> None:
    assert calendar("Europe/Paris", PARIS_OFFICE).contains(utc(instant)) is inside


def test_several_ranges_a_day() -> None:
    cal = calendar("Europe/London", {"sat": "09:00-12:00,13:00-17:00"})
    # Sat 2026-01-10, GMT: two ranges, 3 h + 4 h = 7 h
    assert intervals(cal, "2026-01-10T00:00:00Z", "2026-01-11T00:00:00Z") == [
        ("2026-01-10T09:00:00Z", "2026-01-10T12:00:00Z"),
        ("2026-01-10T13:00:00Z", "2026-01-10T17:00:00Z"),
    ]
    assert seconds(cal, "2026-01-10T00:00:00Z", "2026-01-11T00:00:00Z") == 7 * HOUR


def test_24_00_is_allowed_as_an_end_and_joins_the_next_day() -> None:
    cal = calendar("UTC", {"sun": "18:00-24:00", "mon": "00:00-06:00"})
    # Sun 2026-03-01 18:00 to Mon 2026-03-02 06:00: one 12 h stretch
    assert intervals(cal, "2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z") == [
        ("2026-03-01T18:00:00Z", "2026-03-02T06:00:00Z")
    ]


def test_whole_days_with_24_00_make_one_interval() -> None:
    cal = calendar("UTC", {"mon-fri": "00:00-24:00"})
    # Mon 2 00:00 to Sat 7 00:00: 5 × 24 h = 120 h
    assert intervals(cal, "2026-03-01T00:00:00Z", "2026-03-09T00:00:00Z") == [
        ("2026-03-02T00:00:00Z", "2026-03-07T00:00:00Z")
    ]


def test_a_day_named_twice_gets_the_union_of_its_ranges() -> None:
    cal = calendar("UTC", {"mon-fri": "09:00-12:00", "mon": "14:00-16:00"})
    # Monday: 3 h + 2 h = 5 h; Tuesday: 3 h
    assert seconds(cal, "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z") == 5 * HOUR
    assert seconds(cal, "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z") == 3 * HOUR


def test_overlapping_ranges_of_a_day_named_twice_are_not_counted_twice() -> None:
    cal = calendar("UTC", {"mon-fri": "09:00-12:00", "mon": "11:00-13:00"})
    # Monday: 09-12 ∪ 11-13 = 09-13 = 4 h (not 3 + 2 = 5)
    assert intervals(cal, "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z") == [
        ("2026-03-02T09:00:00Z", "2026-03-02T13:00:00Z")
    ]


def test_no_hours_means_all_day_every_day_and_24x7_is_utc() -> None:
    always = BusinessCalendar(None)
    assert always.timezone == "UTC"
    # March 2026: 31 × 86,400 = 2,678,400 s
    assert always.seconds(utc("2026-03-01T00:00:00Z"), utc("2026-04-01T00:00:00Z")) == 2_678_400
    # a calendar without hours: the whole week
    assert seconds(calendar("Europe/Paris"), "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z") == 7 * 24 * HOUR


# --- daylight saving time -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timezone", "hours", "expected_intervals", "expected_hours"),
    [
        # clocks go back on Sun 2026-10-25 at 01:00Z (03:00 CEST -> 02:00 CET):
        # 00:00 CEST = 10-24T22:00Z .. 03:00 CET = 02:00Z: four real hours
        ("Europe/Paris", "00:00-03:00", [("2026-10-24T22:00:00Z", "2026-10-25T02:00:00Z")], 4),
        # 02:00-03:00 happens twice: 00:00Z-01:00Z (CEST) and 01:00Z-02:00Z (CET)
        ("Europe/Paris", "02:00-03:00", [("2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z")], 2),
        # London (02:00 BST -> 01:00 GMT at 01:00Z): 00:00 BST = 10-24T23:00Z .. 03:00 GMT = 03:00Z
        ("Europe/London", "00:00-03:00", [("2026-10-24T23:00:00Z", "2026-10-25T03:00:00Z")], 4),
    ],
)
def test_a_range_on_the_night_clocks_go_back_covers_the_repeated_hour_twice(
    timezone: str, hours: str, expected_intervals: list[tuple[str, str]], expected_hours: int
) -> None:
    cal = calendar(timezone, {"sun": hours})
    assert intervals(cal, "2026-10-24T00:00:00Z", "2026-10-27T00:00:00Z") == expected_intervals
    assert seconds(cal, "2026-10-24T00:00:00Z", "2026-10-27T00:00:00Z") == expected_hours * HOUR


@pytest.mark.parametrize(
    ("timezone", "hours", "expected_intervals", "expected_hours"),
    [
        # clocks go forward on Sun 2026-03-29 at 01:00Z (02:00 CET -> 03:00 CEST): 02:00-03:00 does
        # not exist. 00:00 CET = 03-28T23:00Z .. 03:00 CEST = 01:00Z: two real hours
        ("Europe/Paris", "00:00-03:00", [("2026-03-28T23:00:00Z", "2026-03-29T01:00:00Z")], 2),
        # 00:00 CET = 23:00Z .. 04:00 CEST = 02:00Z: three real hours
        ("Europe/Paris", "00:00-04:00", [("2026-03-28T23:00:00Z", "2026-03-29T02:00:00Z")], 3),
        # the missing hour covers nothing that night
        ("Europe/Paris", "02:00-03:00", [], 0),
        # 01:00-04:00 = 01:00-02:00 CET (00:00Z-01:00Z) + 03:00-04:00 CEST (01:00Z-02:00Z)
        ("Europe/Paris", "01:00-04:00", [("2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z")], 2),
        # London (01:00 GMT -> 02:00 BST at 01:00Z): 00:00Z .. 03:00 BST = 02:00Z
        ("Europe/London", "00:00-03:00", [("2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z")], 2),
        ("Europe/London", "01:00-02:00", [], 0),
    ],
)
def test_a_range_on_the_night_clocks_go_forward_skips_the_missing_hour(
    timezone: str, hours: str, expected_intervals: list[tuple[str, str]], expected_hours: int
) -> None:
    cal = calendar(timezone, {"sun": hours})
    assert intervals(cal, "2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z") == expected_intervals
    assert seconds(cal, "2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z") == expected_hours * HOUR


def test_an_ordinary_sunday_night_range_covers_its_nominal_length() -> None:
    cal = calendar("Europe/Paris", {"sun": "00:00-03:00"})
    # Sun 2026-10-18, CEST: 00:00-03:00 = 10-17T22:00Z-01:00Z, 3 h
    assert seconds(cal, "2026-10-17T00:00:00Z", "2026-10-19T00:00:00Z") == 3 * HOUR


def test_office_hours_across_the_spring_change_shift_by_one_hour_in_utc() -> None:
    cal = calendar("Europe/Paris", PARIS_OFFICE)
    # Fri 2026-03-27 CET: 08:00Z-16:00Z; Mon 2026-03-30 CEST: 07:00Z-15:00Z
    assert intervals(cal, "2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z") == [
        ("2026-03-27T08:00:00Z", "2026-03-27T16:00:00Z"),
        ("2026-03-30T07:00:00Z", "2026-03-30T15:00:00Z"),
    ]


# --- holidays -------------------------------------------------------------------------------


def test_fixed_holidays_have_no_hours() -> None:
    cal = calendar("Europe/Paris", PARIS_OFFICE, [date(2026, 3, 4)])
    # Mon 2 .. Fri 6 March without Wed 4: 4 days × 8 h = 32 h
    assert seconds(cal, "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z") == 32 * HOUR
    assert cal.is_holiday(date(2026, 3, 4))
    assert not cal.is_holiday(date(2026, 3, 5))


def test_a_holiday_is_a_local_date() -> None:
    # all-day calendar in Paris with Wed 2026-03-04 off: local 03-04 00:00 CET = 03-03T23:00Z
    # .. 03-05 00:00 CET = 03-04T23:00Z is excluded
    cal = calendar("Europe/Paris", None, [date(2026, 3, 4)])
    assert intervals(cal, "2026-03-03T00:00:00Z", "2026-03-06T00:00:00Z") == [
        ("2026-03-03T00:00:00Z", "2026-03-03T23:00:00Z"),
        ("2026-03-04T23:00:00Z", "2026-03-06T00:00:00Z"),
    ]


def test_english_public_holidays_include_the_boxing_day_substitute() -> None:
    cal = country_calendar({"country": "GB", "subdivision": "ENG"}, "Europe/London")
    # Christmas Fri 25, Boxing Day Sat 26 with its substitute Mon 28; Thu 24, Sun 27, Tue 29 count
    assert intervals(cal, "2026-12-24T00:00:00Z", "2026-12-30T00:00:00Z") == [
        ("2026-12-24T00:00:00Z", "2026-12-25T00:00:00Z"),
        ("2026-12-27T00:00:00Z", "2026-12-28T00:00:00Z"),
        ("2026-12-29T00:00:00Z", "2026-12-30T00:00:00Z"),
    ]


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (date(2026, 1, 1), True),  # New Year's Day
        (date(2026, 4, 3), True),  # Good Friday (Easter Sunday is 2026-04-05)
        (date(2026, 4, 6), True),  # Easter Monday
        (date(2026, 5, 4), True),  # Early May bank holiday (first Monday)
        (date(2026, 5, 25), True),  # Spring bank holiday (last Monday of May)
        (date(2026, 8, 31), True),  # Summer bank holiday (last Monday of August)
        (date(2026, 12, 25), True),
        (date(2026, 12, 28), True),  # substitute for Boxing Day on a Saturday
        (date(2026, 12, 24), False),
        (date(2026, 12, 29), False),
        (date(2026, 3, 17), False),  # St Patrick's Day: Northern Ireland only
    ],
)
def test_english_public_holidays_of_2026(day: date, holiday: bool) -> None:
    cal = country_calendar({"country": "GB", "subdivision": "ENG"}, "Europe/London")
    assert cal.is_holiday(day) is holiday


def test_country_holidays_plus_extra_dates() -> None:
    cal = country_calendar(
        {"country": "GB", "subdivision": "ENG", "dates": [date(2026, 12, 24)]}, "Europe/London"
    )
    # as above without Thu 24: Sun 27 and Tue 29 remain, 48 h
    assert seconds(cal, "2026-12-24T00:00:00Z", "2026-12-30T00:00:00Z") == 48 * HOUR


@pytest.mark.parametrize(
    ("holidays", "day", "holiday"),
    [
        ({"country": "DE"}, date(2026, 5, 14), True),  # Christi Himmelfahrt (Easter + 39)
        ({"country": "DE"}, date(2026, 4, 3), True),  # Karfreitag
        ({"country": "DE"}, date(2026, 5, 25), True),  # Pfingstmontag (Easter + 50)
        ({"country": "DE"}, date(2026, 1, 6), False),  # Epiphany is not national
        ({"country": "DE", "subdivision": "BY"}, date(2026, 1, 6), True),  # but Bavarian
        ({"country": "DE"}, date(2026, 7, 21), False),
        ({"country": "BE"}, date(2026, 7, 21), True),  # Belgian national day (Tuesday)
        ({"country": "BE"}, date(2026, 11, 11), True),  # Armistice (Wednesday)
        ({"country": "BE"}, date(2026, 5, 14), True),  # Ascension
        ({"country": "BE"}, date(2026, 4, 3), False),  # Good Friday is no Belgian holiday
    ],
)
def test_german_and_belgian_public_holidays(holidays: dict[str, str], day: date, holiday: bool) -> None:
    assert country_calendar(holidays).is_holiday(day) is holiday


def test_german_office_week_with_ascension_day() -> None:
    cal = country_calendar({"country": "DE"}, "Europe/Berlin", {"mon-fri": "08:00-16:00"})
    # Mon 11 .. Fri 15 May 2026 without Thu 14: 4 days × 8 h = 32 h
    assert seconds(cal, "2026-05-11T00:00:00Z", "2026-05-18T00:00:00Z") == 32 * HOUR


def test_belgian_office_week_with_the_national_day() -> None:
    cal = country_calendar({"country": "BE"}, "Europe/Brussels", {"mon-fri": "08:00-16:00"})
    # Mon 20 .. Fri 24 July 2026 without Tue 21: 4 × 8 h = 32 h; Tue 21 itself is empty
    assert seconds(cal, "2026-07-20T00:00:00Z", "2026-07-27T00:00:00Z") == 32 * HOUR
    assert intervals(cal, "2026-07-21T00:00:00Z", "2026-07-22T00:00:00Z") == []


def test_hours_in_a_year() -> None:
    # 2026 has 365 days = 52 weeks + 1 day, the extra day a Thursday: 261 weekdays × 8 h = 2,088 h
    assert calendar("Europe/Paris", PARIS_OFFICE).hours_in_year(2026) == 2088
    assert BusinessCalendar(None).hours_in_year(2026) == 8760


def test_calendar_window_clips_like_the_calendar() -> None:
    cal = calendar("Europe/Paris", PARIS_OFFICE)
    window = CalendarWindow(cal, utc("2026-03-02T00:00:00Z"), utc("2026-03-16T00:00:00Z"))
    # Wed 04 12:00Z .. Tue 10 09:00Z: Wed 12-16, Thu, Fri, Mon 08-16, Tue 08-09
    assert [
        (format_time(a), format_time(b))
        for a, b in window.clip(utc("2026-03-04T12:00:00Z"), utc("2026-03-10T09:00:00Z"))
    ] == [
        ("2026-03-04T12:00:00Z", "2026-03-04T16:00:00Z"),
        ("2026-03-05T08:00:00Z", "2026-03-05T16:00:00Z"),
        ("2026-03-06T08:00:00Z", "2026-03-06T16:00:00Z"),
        ("2026-03-09T08:00:00Z", "2026-03-09T16:00:00Z"),
        ("2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"),
    ]
    assert window.clip(utc("2026-03-07T00:00:00Z"), utc("2026-03-09T00:00:00Z")) == []


# --- SLA periods ----------------------------------------------------------------------------


def period_list(timezone: str, period: str, start: str, end: str) -> list[tuple[str, str]]:
    return [(format_time(a), format_time(b)) for a, b in periods(timezone, period, utc(start), utc(end))]


def test_day_periods_in_paris_across_the_spring_change() -> None:
    # Sat 28 (CET) starts 03-27T23:00Z; Sun 29 runs 03-28T23:00Z..03-29T22:00Z (23 h);
    # Mon 30 (CEST) starts 03-29T22:00Z; first and last clipped to the window
    assert period_list("Europe/Paris", "day", "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z") == [
        ("2026-03-28T12:00:00Z", "2026-03-28T23:00:00Z"),
        ("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"),
        ("2026-03-29T22:00:00Z", "2026-03-30T12:00:00Z"),
    ]


def test_the_day_clocks_go_back_is_25_hours_long() -> None:
    # Sun 2026-10-25: 00:00 CEST = 10-24T22:00Z .. Mon 00:00 CET = 10-25T23:00Z
    assert period_list("Europe/Paris", "day", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z") == [
        ("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z")
    ]


def test_week_periods_start_on_iso_monday_at_local_midnight() -> None:
    # window Wed 2026-03-25 10:00Z .. Wed 2026-04-08 00:00Z
    # week of Mon 23 Mar ends Mon 30 Mar 00:00 CEST = 03-29T22:00Z;
    # week of Mon 30 Mar ends Mon 6 Apr 00:00 CEST = 04-05T22:00Z
    assert period_list("Europe/Paris", "week", "2026-03-25T10:00:00Z", "2026-04-08T00:00:00Z") == [
        ("2026-03-25T10:00:00Z", "2026-03-29T22:00:00Z"),
        ("2026-03-29T22:00:00Z", "2026-04-05T22:00:00Z"),
        ("2026-04-05T22:00:00Z", "2026-04-08T00:00:00Z"),
    ]


def test_a_window_that_is_exactly_one_period_gives_that_period_only() -> None:
    # week Mon 2026-10-19 00:00 CEST = 10-18T22:00Z .. Mon 10-26 00:00 CET = 10-25T23:00Z (169 h)
    assert period_list("Europe/Paris", "week", "2026-10-18T22:00:00Z", "2026-10-25T23:00:00Z") == [
        ("2026-10-18T22:00:00Z", "2026-10-25T23:00:00Z")
    ]


def test_month_periods_in_paris_clipped_to_the_window() -> None:
    # April starts 04-01 00:00 CEST = 03-31T22:00Z; May starts 05-01 00:00 CEST = 04-30T22:00Z
    assert period_list("Europe/Paris", "month", "2026-03-10T12:00:00Z", "2026-05-05T00:00:00Z") == [
        ("2026-03-10T12:00:00Z", "2026-03-31T22:00:00Z"),
        ("2026-03-31T22:00:00Z", "2026-04-30T22:00:00Z"),
        ("2026-04-30T22:00:00Z", "2026-05-05T00:00:00Z"),
    ]


def test_whole_months_across_dst_changes_are_743_and_745_hours() -> None:
    # March 2026 in Paris: 03-01 00:00 CET = 02-28T23:00Z .. 04-01 00:00 CEST = 03-31T22:00Z,
    # 31 × 24 − 1 = 743 h; October: 09-30T22:00Z .. 10-31T23:00Z, 31 × 24 + 1 = 745 h
    march = periods("Europe/Paris", "month", utc("2026-02-28T23:00:00Z"), utc("2026-03-31T22:00:00Z"))
    october = periods("Europe/Paris", "month", utc("2026-09-30T22:00:00Z"), utc("2026-10-31T23:00:00Z"))
    assert [(b - a) / HOUR for a, b in march] == [743]
    assert [(b - a) / HOUR for a, b in october] == [745]


def test_quarter_periods_in_paris_over_a_utc_year() -> None:
    # Q1 starts 2026-01-01 00:00 CET = 2025-12-31T23:00Z (clipped to the window start),
    # Q2 04-01 00:00 CEST = 03-31T22:00Z, Q3 07-01 = 06-30T22:00Z, Q4 10-01 = 09-30T22:00Z,
    # Q1 2027 starts 2027-01-01 00:00 CET = 2026-12-31T23:00Z, inside the window: a last sliver
    assert period_list("Europe/Paris", "quarter", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z") == [
        ("2026-01-01T00:00:00Z", "2026-03-31T22:00:00Z"),
        ("2026-03-31T22:00:00Z", "2026-06-30T22:00:00Z"),
        ("2026-06-30T22:00:00Z", "2026-09-30T22:00:00Z"),
        ("2026-09-30T22:00:00Z", "2026-12-31T23:00:00Z"),
        ("2026-12-31T23:00:00Z", "2027-01-01T00:00:00Z"),
    ]


def test_the_period_of_the_window_start_is_found_by_its_local_date() -> None:
    # 2026-03-31T21:30Z is Tue 31 Mar 23:30 CEST; Wed 1 Apr starts at 22:00Z
    assert period_list("Europe/Paris", "day", "2026-03-31T21:30:00Z", "2026-03-31T23:00:00Z") == [
        ("2026-03-31T21:30:00Z", "2026-03-31T22:00:00Z"),
        ("2026-03-31T22:00:00Z", "2026-03-31T23:00:00Z"),
    ]


def test_utc_month_of_march_2026_has_2_678_400_seconds() -> None:
    # 31 × 86,400 = 2,678,400 (§9)
    assert [
        b - a for a, b in periods("UTC", "month", utc("2026-03-01T00:00:00Z"), utc("2026-04-01T00:00:00Z"))
    ] == [2_678_400]


# --- times ------------------------------------------------------------------------------------

# 2026-01-01T00:00:00Z: 56 years since 1970 with 14 leap days (1972..2024) = 20,454 days
# = 1,767,225,600 s; 2026-03-06 is 31 + 28 + 5 = 64 days later: + 5,529,600 = 1,772,755,200;
# 15:00 adds 54,000: 1,772,809,200.
NEW_YEAR_2026 = 1_767_225_600
MARCH_6_2026_15H = 1_772_809_200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T00:00:00Z", NEW_YEAR_2026),
        ("2026-03-06T15:00:00Z", MARCH_6_2026_15H),
        ("2026-03-06T15:00:00z", MARCH_6_2026_15H),
        ("2026-03-06T16:00:00+01:00", MARCH_6_2026_15H),
        ("2026-03-06T10:00:00-05:00", MARCH_6_2026_15H),
        ("2026-03-06T15:00:00+00:00", MARCH_6_2026_15H),
        ("2026-03-06T15:00:00.5Z", MARCH_6_2026_15H + 0.5),
    ],
)
def test_parse_time_reads_rfc_3339_with_an_offset(text: str, expected: float) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text", ["2026-03-06T15:00:00", "2026-03-06", "2026-03-06 15:00:00", "yesterday", ""]
)
def test_parse_time_rejects_times_without_an_offset(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


@pytest.mark.parametrize(
    ("seconds_", "expected"),
    [
        (0, "1970-01-01T00:00:00Z"),
        (NEW_YEAR_2026, "2026-01-01T00:00:00Z"),
        (MARCH_6_2026_15H, "2026-03-06T15:00:00Z"),
        (float(MARCH_6_2026_15H), "2026-03-06T15:00:00Z"),
    ],
)
def test_format_time_prints_utc_with_z(seconds_: float, expected: str) -> None:
    assert format_time(seconds_) == expected


def test_format_time_with_a_fraction_still_ends_in_z_and_reads_back() -> None:
    text = format_time(MARCH_6_2026_15H + 0.25)
    assert text.startswith("2026-03-06T15:00:00.25")
    assert text.endswith("Z")
    assert parse_time(text) == MARCH_6_2026_15H + 0.25
