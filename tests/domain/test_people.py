"""People affected (semantics §3): a truth table of the population rule, when a service's
people count (non-ok, unplanned, in calendar) and the peak of the count over time."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bizmap.domain.calendar import BusinessCalendar, CalendarWindow
from bizmap.domain.model import CalendarSpec
from bizmap.domain.people import counting_intervals, peak_people, people_affected
from bizmap.domain.states import State
from bizmap.domain.timeline import Segment
from helpers import utc


@dataclass(frozen=True)
class Hit:
    """A non-ok service as the rule sees it."""

    id: str
    users: int
    population: str | None = None


CLIN_EPR = Hit("epr", 1800, "clinicians")
CLIN_EPMA = Hit("epma", 900, "clinicians")
CLIN_LAB = Hit("lab", 2000, "clinicians")
RADIOLOGY = Hit("pacs", 250, "radiology")
RADIOLOGY_2 = Hit("ris", 300, "radiology")
EMAIL = Hit("email", 6500)
BOOKING = Hit("booking", 60)
NOBODY = Hit("nobody", 0, "clinicians")


@pytest.mark.parametrize(
    ("services", "expected"),
    [
        ([], 0),
        # no population: each service is its own population, 6,500 + 60
        ([EMAIL, BOOKING], 6560),
        # same population counted once, as the largest: max(1,800, 900) = 1,800
        ([CLIN_EPR, CLIN_EPMA], 1800),
        # ... whichever order, and whichever is largest: max(1,800, 900, 2,000) = 2,000
        ([CLIN_EPMA, CLIN_LAB, CLIN_EPR], 2000),
        # one service alone: its users
        ([CLIN_EPMA], 900),
        # different populations summed: max(1,800, 900) + max(250, 300) = 1,800 + 300
        ([CLIN_EPR, RADIOLOGY, CLIN_EPMA, RADIOLOGY_2], 2100),
        # populations and services without one: 1,800 + 250 + 6,500 + 60 = 8,610
        ([CLIN_EPR, CLIN_EPMA, RADIOLOGY, EMAIL, BOOKING], 8610),
        # a service with 0 users in a population takes nothing from it: max(0, 900) = 900
        ([NOBODY, CLIN_EPMA], 900),
        # two services without population with the same figures are still two: 60 + 60
        ([BOOKING, Hit("booking-2", 60)], 120),
    ],
)
def test_people_affected_truth_table(services: list[Hit], expected: int) -> None:
    assert people_affected(services) == expected


OFFICE = BusinessCalendar(CalendarSpec(timezone="Europe/London", hours={"mon-fri": "09:00-17:00"}), "office")
# Friday 16 October 2026, BST (UTC+1): 09:00-17:00 local is 08:00-16:00Z.
DAY = (utc("2026-10-16T00:00:00Z"), utc("2026-10-17T00:00:00Z"))


def segment(start: str, end: str, state: State, planned: bool = False) -> Segment:
    return Segment(utc(start), utc(end), int(state), planned, frozenset())


@pytest.mark.parametrize(
    ("state", "planned", "expected"),
    [
        # degraded and unknown count fully, like down; 15:00-17:00Z clipped to 16:00Z: 1 h in calendar
        (State.DOWN, False, [("2026-10-16T15:00:00Z", "2026-10-16T16:00:00Z")]),
        (State.DEGRADED, False, [("2026-10-16T15:00:00Z", "2026-10-16T16:00:00Z")]),
        (State.UNKNOWN, False, [("2026-10-16T15:00:00Z", "2026-10-16T16:00:00Z")]),
        # planned: nobody is kept from work by maintenance they were told of
        (State.DOWN, True, []),
        (State.OK, False, []),
    ],
)
def test_people_count_only_while_non_ok_unplanned_and_in_calendar(
    state: State, planned: bool, expected: list[tuple[str, str]]
) -> None:
    window = CalendarWindow(OFFICE, *DAY)
    segments = [segment("2026-10-16T15:00:00Z", "2026-10-16T17:00:00Z", state, planned)]
    assert counting_intervals(segments, window, [DAY]) == [(utc(a), utc(b)) for a, b in expected]


def test_a_night_time_outage_of_an_office_hours_service_counts_nobody() -> None:
    # Friday 22:40Z-23:25:30Z is 23:40-00:25:30 BST: outside 09:00-17:00, so no interval at all.
    window = CalendarWindow(OFFICE, *DAY)
    segments = [segment("2026-10-16T22:40:00Z", "2026-10-16T23:25:30Z", State.DOWN)]
    assert counting_intervals(segments, window, [DAY]) == []


def test_counting_is_limited_to_the_spans_given() -> None:
    # Down 10:00-12:00Z, but the incident held the service only 10:30-11:00Z.
    window = CalendarWindow(OFFICE, *DAY)
    segments = [segment("2026-10-16T10:00:00Z", "2026-10-16T12:00:00Z", State.DOWN)]
    spans = [(utc("2026-10-16T10:30:00Z"), utc("2026-10-16T11:00:00Z"))]
    assert counting_intervals(segments, window, spans) == spans


def hours(*pairs: tuple[float, float]) -> list[tuple[float, float]]:
    return [(a * 3600, b * 3600) for a, b in pairs]


def test_peak_is_the_largest_count_at_one_instant_never_a_sum_over_time() -> None:
    a, b, c = Hit("a", 300), Hit("b", 200), Hit("c", 10)
    # c counts 10:00-11:00, a 10:00-10:20, b 10:30-11:00 (hours as numbers).
    # At 10:00: a + c = 310; at 10:30: b + c = 210. Peak 310; the sum 300 + 200 + 10 = 510 is wrong.
    counting = [(a, hours((10, 10 + 1 / 3))), (b, hours((10.5, 11))), (c, hours((10, 11)))]
    assert peak_people(counting) == 310


def test_peak_counts_a_population_once_while_its_services_overlap() -> None:
    # epr 1,800 (clinicians) 10-11, epma 900 (clinicians) 10:30-12, email 6,500 never counts
    # (outside its calendar: no interval). At 10:00: 1,800; at 10:30: max(1,800, 900) = 1,800.
    counting = [(CLIN_EPR, hours((10, 11))), (CLIN_EPMA, hours((10.5, 12))), (EMAIL, [])]
    assert peak_people(counting) == 1800


def test_intervals_are_half_open() -> None:
    # a ends at 11:00 exactly when b starts: never both at once, peak max(300, 200) = 300.
    a, b = Hit("a", 300), Hit("b", 200)
    assert peak_people([(a, hours((10, 11))), (b, hours((11, 12)))]) == 300
    assert peak_people([]) == 0
