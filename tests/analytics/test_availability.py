"""Exact availability against closed forms worked out by hand (semantics §7)."""

from __future__ import annotations

import pytest

from bizmap.decisions.availability.predict import (
    availability_document,
    exact_availability,
    monte_carlo_availability,
    reliability_structure,
    rule_probability,
    service_availability,
)
from helpers import graph_from_yaml


def _availability(text: str, service: str = "s", year: int = 2026) -> float:
    found = {s.id: s for s in service_availability(graph_from_yaml(text), year)}
    assert found[service].method == "exact"
    return found[service].availability


# Own availabilities used below: mtbf/(mtbf+mttr): 99/1 -> 0.99, 95/5 -> 0.95, 90/10 -> 0.9,
# 80/20 -> 0.8, 70/30 -> 0.7, 60/40 -> 0.6, 50/50 -> 0.5.


def test_series_is_the_product() -> None:
    # all [a, b]: 0.99 x 0.95 = 0.9405
    value = _availability("""
        services: [{id: s, depends_on: [a, b]}]
        components:
          - {id: a, mtbf_hours: 99, mttr_hours: 1}
          - {id: b, mtbf_hours: 95, mttr_hours: 5}
    """)
    assert value == pytest.approx(0.9405, abs=1e-9)


def test_parallel_is_one_minus_the_product_of_unavailabilities() -> None:
    # any [a, b]: 1 - 0.01 x 0.05 = 0.9995
    value = _availability("""
        services: [{id: s, depends_on: {rule: any, children: [a, b]}}]
        components:
          - {id: a, mtbf_hours: 99, mttr_hours: 1}
          - {id: b, mtbf_hours: 95, mttr_hours: 5}
    """)
    assert value == pytest.approx(0.9995, abs=1e-9)


def test_two_of_three_equal_weights() -> None:
    # 2 of 3 at p = 0.9: 3p^2 - 2p^3 = 2.43 - 1.458 = 0.972
    value = _availability("""
        services: [{id: s, depends_on: {rule: quorum, need: 2, children: [a, b, c]}}]
        components:
          - {id: a, mtbf_hours: 90, mttr_hours: 10}
          - {id: b, mtbf_hours: 90, mttr_hours: 10}
          - {id: c, mtbf_hours: 90, mttr_hours: 10}
    """)
    assert value == pytest.approx(0.972, abs=1e-9)


def test_weighted_quorum() -> None:
    # need 3 of a (weight 2, 0.9), b (0.8), c (0.7): weight 3 needs a up and b or c up
    # (b + c = 2 < 3): 0.9 x (1 - 0.2 x 0.3) = 0.9 x 0.94 = 0.846
    value = _availability("""
        services: [{id: s, depends_on: {rule: quorum, need: 3, children: [{id: a, weight: 2}, b, c]}}]
        components:
          - {id: a, mtbf_hours: 90, mttr_hours: 10}
          - {id: b, mtbf_hours: 80, mttr_hours: 20}
          - {id: c, mtbf_hours: 70, mttr_hours: 30}
    """)
    assert value == pytest.approx(0.846, abs=1e-9)


def test_share_quorum_of_five_weights() -> None:
    # "60%" of weights 2 + 2 + 1 = 5 is q = 3: up weight >= 3 when both 2s are up (0.9 x 0.8 =
    # 0.72), or exactly one 2 is up and the 1 is up: (0.9 x 0.2 + 0.1 x 0.8) x 0.7 = 0.26 x 0.7
    # = 0.182; total 0.902
    value = _availability("""
        services: [{id: s, depends_on: {rule: quorum, need: "60%",
                    children: [{id: a, weight: 2}, {id: b, weight: 2}, c]}}]
        components:
          - {id: a, mtbf_hours: 90, mttr_hours: 10}
          - {id: b, mtbf_hours: 80, mttr_hours: 20}
          - {id: c, mtbf_hours: 70, mttr_hours: 30}
    """)
    assert value == pytest.approx(0.902, abs=1e-9)


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
# The bridge: 1 and 2 on the left, 4 and 5 on the right, 3 across; its minimal paths are
# 1-4, 2-5, 1-3-5, 2-3-4, so every component is shared. Conditioning on the bridge 3:
#   3 up (0.7):   (1 or 2) and (4 or 5) = (1 - 0.1 x 0.2) x (1 - 0.4 x 0.5) = 0.98 x 0.8 = 0.784
#   3 down (0.3): 1-4 or 2-5 = 1 - (1 - 0.9 x 0.6)(1 - 0.8 x 0.5) = 1 - 0.46 x 0.6 = 0.724
#   A = 0.7 x 0.784 + 0.3 x 0.724 = 0.5488 + 0.2172 = 0.766
BRIDGE_AVAILABILITY = 0.766


def test_bridge_with_shared_components() -> None:
    assert _availability(BRIDGE) == pytest.approx(BRIDGE_AVAILABILITY, abs=1e-9)


def test_component_shared_by_two_branches_of_an_any() -> None:
    # any [x, y], x = all [x1, shared], y = all [y1, shared]: the service needs `shared`
    # (0.9) and x1 or y1: 0.9 x (1 - 0.2 x 0.3) = 0.846. Treating the branches as independent
    # would give 1 - (1 - 0.72)(1 - 0.63) = 0.8964 instead.
    value = _availability("""
        services: [{id: s, depends_on: {rule: any, children: [x, y]}}]
        components:
          - {id: x, depends_on: [x1, shared]}
          - {id: y, depends_on: [y1, shared]}
          - {id: shared, mtbf_hours: 90, mttr_hours: 10}
          - {id: x1, mtbf_hours: 80, mttr_hours: 20}
          - {id: y1, mtbf_hours: 70, mttr_hours: 30}
    """)
    assert value == pytest.approx(0.846, abs=1e-9)


def test_shared_node_with_shared_children_below_several_levels() -> None:
    # core = any [sw1, sw2] (0.9 each: 0.99) under both hosts h1, h2 (0.8 each) and under the
    # service directly; cluster = any [h1, h2]. Service = all [cluster, core].
    # core up (0.99): cluster = 1 - 0.2^2 = 0.96; core down: everything down.
    # A = 0.99 x 0.96 = 0.9504
    value = _availability("""
        services: [{id: s, depends_on: [cluster, core]}]
        components:
          - {id: cluster, depends_on: {rule: any, children: [h1, h2]}}
          - {id: h1, depends_on: [core], mtbf_hours: 80, mttr_hours: 20}
          - {id: h2, depends_on: [core], mtbf_hours: 80, mttr_hours: 20}
          - {id: core, depends_on: {rule: any, children: [sw1, sw2]}}
          - {id: sw1, mtbf_hours: 90, mttr_hours: 10}
          - {id: sw2, mtbf_hours: 90, mttr_hours: 10}
    """)
    assert value == pytest.approx(0.9504, abs=1e-9)


def test_soft_and_ignore_children_never_take_the_service_down() -> None:
    # all [a, soft b, ignored c]: only a counts: 0.99
    value = _availability("""
        services:
          - id: s
            depends_on: [a, {id: b, effect: soft}, {id: c, effect: ignore}]
        components:
          - {id: a, mtbf_hours: 99, mttr_hours: 1}
          - {id: b, mtbf_hours: 50, mttr_hours: 50}
          - {id: c, mtbf_hours: 50, mttr_hours: 50}
    """)
    assert value == pytest.approx(0.99, abs=1e-9)


def test_soft_child_under_any_keeps_the_parent_up() -> None:
    # Decision: a soft child counts as always up (never brings its parent down). Under `any`
    # the parent is then never down by its rule, as in the state engine, where a down soft
    # child is seen as degraded and `any` takes the best: A = 1.
    value = _availability("""
        services: [{id: s, depends_on: {rule: any, children: [a, {id: b, effect: soft}]}}]
        components:
          - {id: a, mtbf_hours: 50, mttr_hours: 50}
          - {id: b, mtbf_hours: 50, mttr_hours: 50}
    """)
    assert value == 1.0


def test_escalate_counts_like_hard() -> None:
    value = _availability("""
        services: [{id: s, depends_on: [{id: a, effect: escalate}]}]
        components: [{id: a, mtbf_hours: 95, mttr_hours: 5}]
    """)
    assert value == pytest.approx(0.95, abs=1e-9)


def test_node_with_its_own_mtbf_and_children() -> None:
    # s itself 999/1 (0.999) and all [a (0.99)]: 0.999 x 0.99 = 0.98901
    value = _availability("""
        services: [{id: s, mtbf_hours: 999, mttr_hours: 1, depends_on: [a]}]
        components: [{id: a, mtbf_hours: 99, mttr_hours: 1}]
    """)
    assert value == pytest.approx(0.98901, abs=1e-9)


def test_nodes_without_mtbf_never_fail() -> None:
    assert _availability("services: [{id: s, depends_on: [a]}]\ncomponents: [{id: a}]") == 1.0


def test_down_hours_and_cost_on_an_office_calendar() -> None:
    # 2026 starts and ends on a Thursday: 52 weeks + 1 day -> 52 x 5 + 1 = 261 weekdays, no
    # holidays given, 8 hours each: 2,088 hours. A = 0.99: 0.01 x 2,088 = 20.88 down hours.
    # Base rate 1,000 + 10 x 50 = 1,500/h: 20.88 x 1,500 = 31,320 a year.
    graph = graph_from_yaml("""
        calendars:
          office: {timezone: Europe/Paris, hours: {mon-fri: "09:00-17:00"}}
        services:
          - id: s
            calendar: office
            impact: {revenue_per_hour: 1000, users: 10, cost_per_user_hour: 50}
            depends_on: [a]
        components: [{id: a, mtbf_hours: 99, mttr_hours: 1}]
    """)
    [found] = service_availability(graph, 2026)
    assert found.calendar_hours_per_year == pytest.approx(2088)
    assert found.expected_down_hours_per_year == pytest.approx(20.88, abs=1e-9)
    assert found.expected_cost_per_year == pytest.approx(31320, abs=1e-6)


def test_down_hours_on_24x7_in_common_and_leap_years() -> None:
    # 0.01 x 8,760 = 87.6 (2026); 0.01 x 8,784 = 87.84 (2028, a leap year)
    graph = graph_from_yaml("""
        services: [{id: s, depends_on: [a]}]
        components: [{id: a, mtbf_hours: 99, mttr_hours: 1}]
    """)
    assert service_availability(graph, 2026)[0].expected_down_hours_per_year == pytest.approx(87.6)
    assert service_availability(graph, 2028)[0].expected_down_hours_per_year == pytest.approx(87.84)


def test_too_many_shared_nodes_fall_back_to_monte_carlo_and_say_so() -> None:
    # 15 leaves, each used by two parents that the service needs: 2^15 = 32,768 joint states
    # of shared nodes, beyond the limit of 2^14. Exact value: every leaf up, 0.99^15.
    leaves = "\n".join(f"  - {{id: l{i}, mtbf_hours: 99, mttr_hours: 1}}" for i in range(15))
    parents = "\n".join(
        f"  - {{id: a{i}, depends_on: [l{i}]}}\n  - {{id: b{i}, depends_on: [l{i}]}}" for i in range(15)
    )
    needs = ", ".join(f"a{i}, b{i}" for i in range(15))
    graph = graph_from_yaml(
        f"services: [{{id: s, depends_on: [{needs}]}}]\ncomponents:\n{leaves}\n{parents}\n"
    )
    [found] = service_availability(graph, 2026)
    assert found.method == "monte-carlo"
    assert found.confidence_interval is not None and found.samples is not None
    low, high = found.confidence_interval
    assert low <= 0.99**15 <= high
    assert high - low < 0.01


def test_monte_carlo_interval_contains_the_exact_bridge_value() -> None:
    structure = reliability_structure(graph_from_yaml(BRIDGE))
    estimate = monte_carlo_availability(structure, 0, samples=200_000, seed=5)
    assert estimate.low <= BRIDGE_AVAILABILITY <= estimate.high
    assert exact_availability(structure, 0) == pytest.approx(BRIDGE_AVAILABILITY, abs=1e-9)


def test_rule_probability_truth_table() -> None:
    # threshold 0: always; more than the total: never; series, parallel, 2-of-3 at 0.5: 0.5
    assert rule_probability([(0.3, 1)], 0) == 1.0
    assert rule_probability([(0.3, 1)], 2) == 0.0
    assert rule_probability([(0.5, 1), (0.5, 1)], 2) == pytest.approx(0.25)
    assert rule_probability([(0.5, 1), (0.5, 1)], 1) == pytest.approx(0.75)
    assert rule_probability([(0.5, 1), (0.5, 1), (0.5, 1)], 2) == pytest.approx(0.5)


def test_services_sorted_by_id_and_money_rounded() -> None:
    graph = graph_from_yaml("""
        services:
          - {id: zeta, impact: {revenue_per_hour: 1.111}, depends_on: [a]}
          - {id: alpha, depends_on: [a]}
        components: [{id: a, mtbf_hours: 99, mttr_hours: 1}]
    """)
    document = availability_document(graph, 2026, service_availability(graph, 2026))
    assert [s["id"] for s in document["services"]] == ["alpha", "zeta"]
    # 87.6 h x 1.111 = 97.3236 -> 97.32
    assert document["services"][1]["expected_cost_per_year"] == 97.32
