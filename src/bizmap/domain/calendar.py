"""Business calendars: when an instant counts (semantics §3), and SLA period boundaries (§4).

Times are POSIX seconds (floats) in UTC throughout. An instant counts when its local wall
time in the calendar's timezone lies inside the day's hours and its local date is not a
holiday. Conversions are exact across DST changes: the span of interest is cut into pieces
of constant UTC offset and each piece is intersected with the hours in wall-clock terms, so
``00:00-03:00`` on the night clocks go back covers four real hours and a range that falls
in the spring-forward gap covers only the instants that exist.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bizmap.domain.model import CalendarSpec

DAY = 86400
_EPOCH_DATE = date(1970, 1, 1)
Interval = tuple[float, float]


def organisation_zone(calendars: Iterable[CalendarSpec]) -> str:
    """The zone the organisation lives in, as far as the model tells: the one most of its
    calendars name (the first named on a tie); UTC for a model without calendars."""
    counts: dict[str, int] = {}
    for calendar in calendars:
        counts[calendar.timezone] = counts.get(calendar.timezone, 0) + 1
    return max(counts, key=lambda name: counts[name]) if counts else "UTC"


def parse_time(text: str) -> float:
    """RFC 3339 text to POSIX seconds; an offset (or Z) is required."""
    value = datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset; write e.g. 2026-11-27T10:00:00Z")
    return value.timestamp()


def format_time(seconds: float) -> str:
    """POSIX seconds to RFC 3339 UTC with a Z (microseconds only when present)."""
    value = datetime.fromtimestamp(seconds, UTC)
    text = value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    return text.replace("+00:00", "Z")


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _offset(tz: ZoneInfo, instant: float) -> int:
    delta = datetime.fromtimestamp(instant, tz).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def offset_pieces(tz: ZoneInfo, start: float, end: float) -> list[tuple[float, float, int]]:
    """Cut [start, end) into pieces of constant UTC offset: (from, to, offset seconds)."""
    pieces: list[tuple[float, float, int]] = []
    piece_start = start
    current = _offset(tz, start)
    probe = start
    while probe < end:
        step = min(probe + DAY / 2, end)
        offset = _offset(tz, step)
        if offset != current:
            low, high = math.floor(probe), math.ceil(step)  # offset(low) == current
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(tz, middle) == current:
                    low = middle
                else:
                    high = middle
            pieces.append((piece_start, float(high), current))
            piece_start, current = float(high), offset
        probe = step
    pieces.append((piece_start, end, current))
    return [p for p in pieces if p[1] > p[0]]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


class BusinessCalendar:
    """A calendar compiled for computing: weekly hours, holidays and a timezone."""

    def __init__(self, spec: CalendarSpec | None, name: str = "24x7") -> None:
        self.name = name
        self.spec = spec
        self.timezone = spec.timezone if spec is not None else "UTC"
        self.tz = zone(self.timezone)
        week = spec.weekly_minutes() if spec is not None else None
        self.week: list[list[tuple[int, int]]] = week if week is not None else [[(0, 1440)]] * 7
        holidays = spec.holidays if spec is not None else None
        self._fixed_holidays = set(holidays.dates) if holidays is not None else set()
        self._country = holidays.country if holidays is not None else None
        self._subdivision = holidays.subdivision if holidays is not None else None
        self._holiday_years: dict[int, set[date]] = {}
        self.always = spec is None or (week is None and not self._fixed_holidays and self._country is None)

    def is_holiday(self, day: date) -> bool:
        if day in self._fixed_holidays:
            return True
        if self._country is None:
            return False
        year = self._holiday_years.get(day.year)
        if year is None:
            import holidays as holidays_package

            found = holidays_package.country_holidays(self._country, subdiv=self._subdivision, years=day.year)
            year = self._holiday_years[day.year] = set(found.keys())
        return day in year

    def intervals(self, start: float, end: float) -> list[Interval]:
        """The in-calendar parts of [start, end), merged and in order."""
        if end <= start:
            return []
        if self.always:
            return [(start, end)]
        found: list[Interval] = []
        for piece_start, piece_end, offset in offset_pieces(self.tz, start, end):
            wall_start, wall_end = piece_start + offset, piece_end + offset
            first_day, last_day = math.floor(wall_start / DAY), math.floor(wall_end / DAY)
            for day_number in range(first_day, last_day + 1):
                ranges = self.week[(day_number + 3) % 7]  # 1970-01-01 was a Thursday
                if not ranges or self.is_holiday(_EPOCH_DATE + timedelta(days=day_number)):
                    continue
                midnight = day_number * DAY - offset  # UTC instant of this wall midnight in this piece
                for minute_start, minute_end in ranges:
                    lo = max(piece_start, midnight + minute_start * 60)
                    hi = min(piece_end, midnight + minute_end * 60)
                    if hi > lo:
                        found.append((lo, hi))
        return merge(found)

    def seconds(self, start: float, end: float) -> float:
        return sum(b - a for a, b in self.intervals(start, end))

    def contains(self, instant: float) -> bool:
        return bool(self.intervals(instant, instant + 1e-6))

    def hours_in_year(self, year: int) -> float:
        start = datetime(year, 1, 1, tzinfo=self.tz).timestamp()
        end = datetime(year + 1, 1, 1, tzinfo=self.tz).timestamp()
        if self.always:
            start = datetime(year, 1, 1, tzinfo=UTC).timestamp()
            end = datetime(year + 1, 1, 1, tzinfo=UTC).timestamp()
        return self.seconds(start, end) / 3600


class CalendarWindow:
    """A calendar's intervals over a fixed window, for fast repeated overlap queries."""

    def __init__(self, calendar: BusinessCalendar, start: float, end: float) -> None:
        self.calendar = calendar
        self.intervals = calendar.intervals(start, end)
        self._starts = [a for a, _ in self.intervals]

    def clip(self, start: float, end: float) -> list[Interval]:
        """The in-calendar parts of [start, end) (which must lie inside the window)."""
        if end <= start:
            return []
        intervals = self.intervals
        i = max(bisect.bisect_right(self._starts, start) - 1, 0)
        out: list[Interval] = []
        while i < len(intervals):
            a, b = intervals[i]
            if a >= end:
                break
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                out.append((lo, hi))
            i += 1
        return out


def _period_start_date(day: date, period: str) -> date:
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    raise ValueError(f"unknown period {period!r}")


def _next_period_date(day: date, period: str) -> date:
    if period == "day":
        return day + timedelta(days=1)
    if period == "week":
        return day + timedelta(days=7)
    months = 1 if period == "month" else 3
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def local_midnight(tz: ZoneInfo, day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()


def periods(timezone: str, period: str, start: float, end: float) -> list[Interval]:
    """SLA periods overlapping [start, end), aligned to local midnight, clipped to it."""
    tz = zone(timezone)
    day = _period_start_date(datetime.fromtimestamp(start, tz).date(), period)
    out: list[Interval] = []
    while True:
        following = _next_period_date(day, period)
        period_start, period_end = local_midnight(tz, day), local_midnight(tz, following)
        if period_start >= end:
            break
        lo, hi = max(period_start, start), min(period_end, end)
        if hi > lo:
            out.append((lo, hi))
        day = following
    return out


def period_containing(timezone: str, period: str, instant: float) -> Interval:
    """The whole SLA period (aligned to local midnight) that contains ``instant``."""
    tz = zone(timezone)
    day = _period_start_date(datetime.fromtimestamp(instant, tz).date(), period)
    return local_midnight(tz, day), local_midnight(tz, _next_period_date(day, period))


def overlap(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two sorted, merged interval lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out
