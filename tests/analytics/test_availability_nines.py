"""What a nine more of availability saves: a tenth of the unavailability, so of the downtime
and of its cost (both proportional to it)."""

from __future__ import annotations

import pytest

from bizmap.decisions.availability.predict import ServiceAvailability, extra_nine


def service(availability: float, down_hours: float, cost: float) -> ServiceAvailability:
    return ServiceAvailability(
        id="s",
        availability=availability,
        method="exact",
        calendar="24x7",
        calendar_hours_per_year=8760.0,
        expected_down_hours_per_year=down_hours,
        expected_cost_per_year=cost,
        base_rate=1000.0,
    )


@pytest.mark.parametrize(
    ("availability", "down_hours", "cost", "after", "down_after", "cost_after", "saving"),
    [
        # 99.9 %, 24x7: 8.76 h down a year at 1,000/h = 8,760; a nine more: 99.99 %, 0.876 h, 876
        (0.999, 8.76, 8760.0, 0.9999, 0.876, 876.0, 7884.0),
        # 99 %: 87.6 h, 87,600 -> 99.9 %, 8.76 h, 8,760: saves 78,840
        (0.99, 87.6, 87600.0, 0.999, 8.76, 8760.0, 78840.0),
        # never fails: nothing to save
        (1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0),
    ],
)
def test_a_nine_more_is_a_tenth_of_the_downtime(
    availability: float,
    down_hours: float,
    cost: float,
    after: float,
    down_after: float,
    cost_after: float,
    saving: float,
) -> None:
    more = extra_nine(service(availability, down_hours, cost))
    assert more.availability == pytest.approx(after, abs=1e-12)
    assert more.expected_down_hours_per_year == pytest.approx(down_after)
    assert more.expected_cost_per_year == pytest.approx(cost_after)
    assert more.saving_per_year == pytest.approx(saving)
