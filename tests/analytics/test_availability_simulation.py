"""The time simulation agrees with the exact steady state, and costs outages like episodes."""

from __future__ import annotations

import pytest

from bizmap.decisions.availability.predict import service_availability
from bizmap.decisions.availability.simulation import simulate
from helpers import graph_from_yaml

# The bridge of test_availability: exact availability 0.766 (worked out there by conditioning).
BRIDGE = """
    services:
      - id: s
        depends_on: {rule: any, children: [p14, p25, p135, p234]}
    components:
      - {id: p14, depends_on: [c1, c4]}
      - {id: p25, depends_on: [c2, c5]}
      - {id: p135, depends_on: [c1, c3, c5]}
      - {id: p234, depends_on: [c2, c3, c4]}
      - {id: c1, mtbf_hours: 90, mttr_hours: 10}
      - {id: c2, mtbf_hours: 80, mttr_hours: 20}
      - {id: c3, mtbf_hours: 70, mttr_hours: 30}
      - {id: c4, mtbf_hours: 60, mttr_hours: 40}
      - {id: c5, mtbf_hours: 50, mttr_hours: 50}
"""
BRIDGE_AVAILABILITY = 0.766


def test_simulated_bridge_interval_contains_the_exact_value() -> None:
    [simulated] = simulate(graph_from_yaml(BRIDGE), years=300, seed=7, year=2026)
    low, high = simulated.confidence_interval
    assert low <= BRIDGE_AVAILABILITY <= high
    assert high - low < 0.02


def test_hospital_like_shared_structure_agrees_with_exact() -> None:
    text = """
        services: [{id: s, depends_on: [cluster, core]}]
        components:
          - {id: cluster, depends_on: {rule: any, children: [h1, h2]}}
          - {id: h1, depends_on: [core], mtbf_hours: 80, mttr_hours: 20}
          - {id: h2, depends_on: [core], mtbf_hours: 80, mttr_hours: 20}
          - {id: core, depends_on: {rule: any, children: [sw1, sw2]}}
          - {id: sw1, mtbf_hours: 90, mttr_hours: 10}
          - {id: sw2, mtbf_hours: 90, mttr_hours: 10}
    """
    graph = graph_from_yaml(text)
    [exact] = service_availability(graph, 2026)
    [simulated] = simulate(graph, years=200, seed=11, year=2026)
    low, high = simulated.confidence_interval
    assert low <= exact.availability <= high  # 0.9504, see test_availability


ONE_COMPONENT = """
    services:
      - id: s
        impact: {revenue_per_hour: 1000}
        {extra}
        depends_on: [a]
    components: [{id: a, mtbf_hours: 100, mttr_hours: 10}]
"""


def test_failures_a_year_and_mean_outage_of_one_component() -> None:
    # Cycles of 100 + 10 hours on average: 8,760 / 110 = 79.64 failures a year, outages of
    # 10 hours on average, down 10/110 of the time = 796.4 hours a year on 24x7.
    [simulated] = simulate(graph_from_yaml(ONE_COMPONENT.replace("{extra}", "")), 300, 3, 2026)
    assert simulated.failures_per_year == pytest.approx(79.64, rel=0.03)
    assert simulated.mean_outage_hours == pytest.approx(10, rel=0.03)
    assert simulated.down_hours_per_year == pytest.approx(796.4, rel=0.03)
    # 24x7 and no workaround: every down hour counts at the full 1,000/h
    assert simulated.calendar_down_hours_per_year == pytest.approx(simulated.down_hours_per_year)
    assert simulated.cost_per_year == pytest.approx(1000 * simulated.down_hours_per_year)


def test_unlimited_workaround_halves_the_cost() -> None:
    # impact_factor 0.5 with no max_hours covers every counted hour: cost = 0.5 x 1,000 x hours
    text = ONE_COMPONENT.replace("{extra}", "workaround: {impact_factor: 0.5}")
    [simulated] = simulate(graph_from_yaml(text), 50, 3, 2026)
    assert simulated.cost_per_year == pytest.approx(500 * simulated.calendar_down_hours_per_year)


def test_workaround_covers_only_the_first_hours_of_each_outage() -> None:
    # max_hours 0: the workaround covers nothing, so the cost is the full rate again
    text = ONE_COMPONENT.replace("{extra}", "workaround: {impact_factor: 0.5, max_hours: 0}")
    [simulated] = simulate(graph_from_yaml(text), 50, 3, 2026)
    assert simulated.cost_per_year == pytest.approx(1000 * simulated.calendar_down_hours_per_year)


def test_calendar_counts_only_office_hours() -> None:
    # mon-fri 09:00-17:00 in 2026 is 2,088 of 8,760 hours (23.8 %); outages fall anywhere, so
    # about that share of down hours counts.
    text = """
        calendars: {office: {timezone: Europe/Paris, hours: {mon-fri: "09:00-17:00"}}}
        services: [{id: s, calendar: office, impact: {revenue_per_hour: 100}, depends_on: [a]}]
        components: [{id: a, mtbf_hours: 100, mttr_hours: 10}]
    """
    [simulated] = simulate(graph_from_yaml(text), 300, 5, 2026)
    share = simulated.calendar_down_hours_per_year / simulated.down_hours_per_year
    assert share == pytest.approx(2088 / 8760, rel=0.05)
    assert simulated.cost_per_year == pytest.approx(100 * simulated.calendar_down_hours_per_year)


def test_same_seed_same_result() -> None:
    graph = graph_from_yaml(BRIDGE)
    assert simulate(graph, 20, 9, 2026) == simulate(graph, 20, 9, 2026)
