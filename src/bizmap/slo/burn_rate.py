"""Multi-window, multi-burn-rate alerting on SLA error budgets (the SRE workbook, chapter 5).

The burn rate over a window is how fast the error budget is spent there, relative to the
rate that would spend exactly the whole budget by the end of the period:
``burn = (down seconds / measured seconds) / (1 - target / 100)``; 1 means "on budget".
An alert fires when the burn rate reaches its threshold over a long window AND over a short
one (the short window makes it stop soon after the service recovers):

| alert      | severity | threshold | long window | short window | share of the budget spent |
|------------|----------|-----------|-------------|--------------|---------------------------|
| page-1h    | page     | 14.4      | 1 h         | 5 min        | 2 % in the long window    |
| page-6h    | page     | 6         | 6 h         | 30 min       | 5 %                       |
| ticket-3d  | ticket   | 1         | 3 d         | 6 h          | 10 %                      |

These are the workbook's figures for a 30-day budget. bizmap measures an SLA on its
calendar (semantics §4), so time outside the calendar does not exist here:

* a window is measured in the SLA calendar's counted time: the "1 h" window is the last
  hour of counted time before now, reaching back over nights and weekends of an office
  calendar (wall-clock windows would see nothing on Monday at 09:02 of an outage that began
  on Friday at 16:55 and never ended);
* the windows adapt to the SLA's own period: each is scaled by (counted seconds of the SLA
  period containing now) / (30 days), so that every alert still means "this share of the
  period's budget was spent in the long window" with the workbook's thresholds unchanged.
  A 24x7 SLA in a 30-day month gets exactly the workbook's windows; an office-hours month
  of 168 counted hours gets a "1 h" window of 14 counted minutes;
* like the SLA itself, unknown and planned time is not measured, and down time counts only
  when unplanned (degraded too when ``degraded_counts_as: down``); a window with no measured
  time burns nothing;
* a window cannot reach before the history we have (``history_start``): it is cut there.

Pure computation: no I/O. ``bizmap.live.burn_alerts`` runs it live and feeds the notifications.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bizmap.domain.calendar import DAY, BusinessCalendar, Interval, merge, overlap, period_containing
from bizmap.domain.model import SlaSpec
from bizmap.domain.propagate import DEGRADED, DOWN, OK, UNKNOWN
from bizmap.domain.timeline import Segment

REFERENCE_PERIOD_SECONDS = 30 * DAY  # the workbook's thresholds assume a 30-day budget
# Burn rates are ratios of floats, and instants are POSIX seconds near 1.8e9 whose last bit is
# about 0.2 microseconds: 21.6 s between two of them may come out 21.5999999 s. An alert at
# exactly its threshold fires, so compare with a relative tolerance far below any real effect.
_TOLERANCE = 1e-6
_LONGEST_LOOKBACK_SECONDS = 800 * DAY  # beyond this a calendar has no counted time to find


@dataclass(frozen=True)
class BurnPolicy:
    """One alert: fire when both windows burn at ``threshold`` or more."""

    name: str
    severity: str  # "page" or "ticket"
    threshold: float
    long_window: str  # its name, e.g. "1h", for the workbook's 30-day budget
    long_seconds: float
    short_window: str
    short_seconds: float


SRE_POLICIES: tuple[BurnPolicy, ...] = (
    BurnPolicy("page-1h", "page", 14.4, "1h", 3600, "5m", 300),
    BurnPolicy("page-6h", "page", 6.0, "6h", 6 * 3600, "30m", 1800),
    BurnPolicy("ticket-3d", "ticket", 1.0, "3d", 3 * DAY, "6h", 6 * 3600),
)


@dataclass(frozen=True)
class WindowBurn:
    """The burn rate over one window ending at now."""

    name: str  # the workbook's name of the window ("1h"): its length for a 30-day budget
    counted_seconds: float  # the window's length in counted calendar time, scaled to the period
    start: float  # the instant it reaches back to (POSIX seconds)
    measured_seconds: float  # counted, not unknown, not planned
    down_seconds: float
    burn_rate: float


@dataclass(frozen=True)
class AlertState:
    policy: BurnPolicy
    long: WindowBurn
    short: WindowBurn

    @property
    def firing(self) -> bool:
        limit = self.policy.threshold * (1 - _TOLERANCE)
        return self.long.burn_rate >= limit and self.short.burn_rate >= limit


@dataclass(frozen=True)
class BurnReport:
    """Burn rates of one service's SLA at ``now``, per window, and its alerts."""

    now: float
    period_start: float
    period_end: float
    period_counted_seconds: float
    scale: float  # period counted seconds / 30 days: every window's length is multiplied by it
    windows: tuple[WindowBurn, ...]  # each window once, shortest first
    alerts: tuple[AlertState, ...]  # in policy order

    @property
    def firing(self) -> tuple[AlertState, ...]:
        return tuple(a for a in self.alerts if a.firing)


def measured_and_down(segments: Sequence[Segment], sla: SlaSpec) -> tuple[list[Interval], list[Interval]]:
    """From a service's timeline: the intervals not measured (unknown or planned non-ok) and the
    intervals that count as down (unplanned down, and degraded when it counts as down)."""
    down_states = {DOWN, DEGRADED} if sla.degraded_counts_as == "down" else {DOWN}
    excluded: list[Interval] = []
    down: list[Interval] = []
    for segment in segments:
        if segment.state == UNKNOWN or (segment.planned and segment.state != OK):
            excluded.append((segment.start, segment.end))
        elif segment.state in down_states:
            down.append((segment.start, segment.end))
    return merge(excluded), merge(down)


def counted_window_start(
    calendar: BusinessCalendar, now: float, length: float, history_start: float
) -> float:
    """The instant at which the last ``length`` seconds of counted calendar time before ``now``
    begin; ``history_start`` when the history since then holds less."""
    if length <= 0:
        return now
    span = max(2 * length, DAY)
    while True:
        lower = max(history_start, now - span)
        remaining = length
        for start, end in reversed(calendar.intervals(lower, now)):
            if end - start >= remaining:
                return end - remaining
            remaining -= end - start
        if lower <= history_start or span >= _LONGEST_LOOKBACK_SECONDS:
            return lower
        span *= 4


def _seconds(intervals: Sequence[Interval]) -> float:
    return sum(end - start for start, end in intervals)


def _subtract(base: Sequence[Interval], cut: Sequence[Interval]) -> list[Interval]:
    """``base`` minus ``cut`` (both sorted and merged)."""
    out: list[Interval] = []
    j = 0
    for start, end in base:
        position = start
        while j < len(cut) and cut[j][1] <= position:
            j += 1
        k = j
        while k < len(cut) and cut[k][0] < end:
            if cut[k][0] > position:
                out.append((position, cut[k][0]))
            position = max(position, cut[k][1])
            k += 1
        if position < end:
            out.append((position, end))
    return out


def earliest_window_start(
    sla: SlaSpec,
    calendar: BusinessCalendar,
    now: float,
    history_start: float,
    policies: Sequence[BurnPolicy] = SRE_POLICIES,
) -> float:
    """How far back the longest window reaches: the timeline is needed from there on."""
    period_start, period_end = period_containing(calendar.timezone, sla.period, now)
    scale = calendar.seconds(period_start, period_end) / REFERENCE_PERIOD_SECONDS
    longest = max((max(p.long_seconds, p.short_seconds) for p in policies), default=0.0)
    return counted_window_start(calendar, now, longest * scale, history_start)


def burn_report(
    sla: SlaSpec,
    calendar: BusinessCalendar,
    segments: Sequence[Segment],
    now: float,
    history_start: float,
    policies: Sequence[BurnPolicy] = SRE_POLICIES,
) -> BurnReport:
    """Burn rate over every window of ``policies`` at ``now``, and which alerts fire.

    ``calendar`` is the SLA's calendar; ``segments`` the service's timeline, covering at least
    the longest window (earlier or later parts are ignored).
    """
    period_start, period_end = period_containing(calendar.timezone, sla.period, now)
    period_counted = calendar.seconds(period_start, period_end)
    scale = period_counted / REFERENCE_PERIOD_SECONDS
    excluded, down = measured_and_down(segments, sla)
    budget_share = 1 - sla.target / 100

    lengths: dict[str, float] = {}
    for policy in policies:
        lengths[policy.long_window] = policy.long_seconds
        lengths[policy.short_window] = policy.short_seconds
    longest = max(lengths.values(), default=0.0) * scale
    earliest = counted_window_start(calendar, now, longest, history_start)
    counted = calendar.intervals(earliest, now)
    measured_all = _subtract(counted, excluded)
    down_all = overlap(measured_all, down)

    windows: dict[str, WindowBurn] = {}
    for name, base_seconds in sorted(lengths.items(), key=lambda item: item[1]):
        length = base_seconds * scale
        start = counted_window_start(calendar, now, length, history_start)
        measured = _seconds(_clip(measured_all, start, now))
        down_seconds = _seconds(_clip(down_all, start, now))
        rate = down_seconds / measured / budget_share if measured > 0 else 0.0
        windows[name] = WindowBurn(name, length, start, measured, down_seconds, rate)
    alerts = tuple(
        AlertState(policy, windows[policy.long_window], windows[policy.short_window]) for policy in policies
    )
    return BurnReport(
        now=now,
        period_start=period_start,
        period_end=period_end,
        period_counted_seconds=period_counted,
        scale=scale,
        windows=tuple(windows.values()),
        alerts=alerts,
    )


def _clip(intervals: Sequence[Interval], start: float, end: float) -> list[Interval]:
    out = []
    for a, b in intervals:
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            out.append((lo, hi))
    return out
