"""What-if (semantics §5 and the §9 example): non-ok business services, cost per hour
(base × state factor, no calendar, planning or workaround), users and root causes."""

from __future__ import annotations

import pytest

from bizmap.analytics.whatif import ServiceImpact, what_if
from bizmap.domain.compile import CompiledGraph
from bizmap.domain.states import State
from helpers import SECTION_9_MODEL, graph_from_yaml


def run(graph: CompiledGraph, **states: list[str]):
    """``run(graph, down=["a"], degraded=["c"])`` like ``bizmap whatif --down a --degraded c``."""
    given = {graph.index[node]: State[name.upper()] for name, nodes in states.items() for node in nodes}
    return what_if(graph, given)


def test_section_9_what_if_down_a_degraded_c() -> None:
    graph = graph_from_yaml(SECTION_9_MODEL)
    result = run(graph, down=["a"], degraded=["c"])
    # total weight 2 + 1 + 1 = 4, q = 50 % × 4 = 2; W_ok = 1 (b) < 2, W_up = 2 (b, c) ≥ 2:
    # app degraded, orders degraded; base 1,000 + 10 × 50 = 1,500/h, × 0.5 = 750/h
    assert result.services == (
        ServiceImpact(
            id="orders",
            state=State.DEGRADED,
            cost_per_hour=750.0,
            users=10,
            safety_critical=False,
            root_causes=("a", "c"),
        ),
    )
    assert result.total_cost_per_hour == 750.0
    assert result.users_affected == 10


@pytest.mark.parametrize(
    ("states", "expected_state", "expected_cost", "expected_roots"),
    [
        # a down: W_ok = 1 + 1 = 2 ≥ 2 -> app ok -> orders ok
        ({"down": ["a"]}, None, None, None),
        # b, c down: W_ok = 2 (a) ≥ 2 -> ok
        ({"down": ["b", "c"]}, None, None, None),
        # a, b down: W_ok = W_up = 1 (c) < 2, W_unk = 0 -> down: 1,500/h
        ({"down": ["a", "b"]}, State.DOWN, 1500.0, ("a", "b")),
        # a unknown, b down: W_ok = W_up = 1 (c), W_unk = 2 -> 3 ≥ 2 -> unknown: 0/h
        ({"unknown": ["a"], "down": ["b"]}, State.UNKNOWN, 0.0, ("a", "b")),
        # orders itself degraded: 0.5 × 1,500 = 750/h, its own root cause
        ({"degraded": ["orders"]}, State.DEGRADED, 750.0, ("orders",)),
        # app itself down: 1,500/h
        ({"down": ["app"]}, State.DOWN, 1500.0, ("app",)),
    ],
)
def test_section_9_model_other_what_ifs(
    states: dict[str, list[str]],
    expected_state: State | None,
    expected_cost: float | None,
    expected_roots: tuple[str, ...] | None,
) -> None:
    graph = graph_from_yaml(SECTION_9_MODEL)
    result = run(graph, **states)
    if expected_state is None:
        assert result.services == ()
        assert result.total_cost_per_hour == 0
        assert result.users_affected == 0
        return
    (orders,) = result.services
    assert (orders.id, orders.state, orders.cost_per_hour, orders.root_causes) == (
        "orders",
        expected_state,
        expected_cost,
        expected_roots,
    )
    # users count fully whatever the non-ok state
    assert result.users_affected == 10


SORTING_MODEL = """
services:
  - id: alpha
    impact: {revenue_per_hour: 100, users: 3}
    depends_on: [db]
  - id: beta
    impact: {revenue_per_hour: 500, users: 4}
    depends_on: [db]
  - id: gamma
    impact: {revenue_per_hour: 500}
    depends_on: [db]
  - id: delta
    impact: {users: 20, cost_per_user_hour: 10, degraded_factor: 0.25}
    depends_on: [{id: db, effect: soft}]
  - id: epsilon
    depends_on: [db]
  - id: zeta
    impact: {revenue_per_hour: 1000, users: 7, safety_critical: true}
    depends_on: [cache]
  - id: eta
    impact: {revenue_per_hour: 9999, users: 100}
    depends_on: [other]
  - id: theta
    impact: {revenue_per_hour: 40, users: 2}
    depends_on: [beta]
components:
  - id: db
  - id: cache
  - id: other
"""


def test_services_are_sorted_by_cost_descending_then_id() -> None:
    graph = graph_from_yaml(SORTING_MODEL)
    result = run(graph, down=["db"], unknown=["cache"])
    # down: beta 500, gamma 500, alpha 100, theta 40 (through the service beta);
    # delta: base 20 × 10 = 200, db seen through soft as degraded, × 0.25 = 50;
    # zero cost, by id: epsilon (down, no impact), zeta (unknown costs 0); eta is ok and absent.
    # sorted by cost descending, ties by id (beta before gamma, epsilon before zeta)
    assert [(s.id, s.state, s.cost_per_hour) for s in result.services] == [
        ("beta", State.DOWN, 500.0),
        ("gamma", State.DOWN, 500.0),
        ("alpha", State.DOWN, 100.0),
        ("delta", State.DEGRADED, 50.0),
        ("theta", State.DOWN, 40.0),
        ("epsilon", State.DOWN, 0.0),
        ("zeta", State.UNKNOWN, 0.0),
    ]
    # 500 + 500 + 100 + 50 + 40 = 1,190
    assert result.total_cost_per_hour == 1190.0
    # users: beta 4 + gamma 0 + alpha 3 + delta 20 + theta 2 + epsilon 0 + zeta 7 = 36 (eta's 100 not)
    assert result.users_affected == 36


def test_root_causes_and_safety_flags_per_service() -> None:
    graph = graph_from_yaml(SORTING_MODEL)
    result = {s.id: s for s in run(graph, down=["db"], unknown=["cache"]).services}
    assert result["theta"].root_causes == ("db",)  # through the service beta
    assert result["zeta"].root_causes == ("cache",)
    assert result["zeta"].safety_critical is True
    assert result["alpha"].safety_critical is False


def test_unknown_costs_nothing_but_its_users_count() -> None:
    graph = graph_from_yaml(SORTING_MODEL)
    result = run(graph, unknown=["cache"])
    # zeta unknown: factor 0 -> 0/h; users 7
    assert [(s.id, s.state, s.cost_per_hour, s.users) for s in result.services] == [
        ("zeta", State.UNKNOWN, 0.0, 7)
    ]
    assert result.total_cost_per_hour == 0.0
    assert result.users_affected == 7


def test_degraded_factor_defaults_to_one_half() -> None:
    graph = graph_from_yaml(SORTING_MODEL)
    result = run(graph, degraded=["db"])
    costs = {s.id: s.cost_per_hour for s in result.services}
    # beta 500 × 0.5 = 250, gamma 250, alpha 50, theta 20; delta 200 × 0.25 = 50; epsilon 0
    assert costs == {
        "beta": 250.0,
        "gamma": 250.0,
        "alpha": 50.0,
        "delta": 50.0,
        "theta": 20.0,
        "epsilon": 0.0,
    }
    assert [s.id for s in result.services] == ["beta", "gamma", "alpha", "delta", "theta", "epsilon"]


def test_each_service_counts_its_users_once_even_when_hit_twice() -> None:
    graph = graph_from_yaml(SORTING_MODEL)
    # beta own down and db down: beta is listed once, its 4 users counted once
    result = run(graph, down=["db", "beta"])
    assert [s.id for s in result.services].count("beta") == 1
    # beta 4 + gamma 0 + alpha 3 + delta 20 + theta 2 + epsilon 0 = 29
    assert result.users_affected == 29


def test_nothing_failed_means_nothing_hit() -> None:
    graph = graph_from_yaml(SORTING_MODEL)
    result = run(graph)
    assert result.services == ()
    assert result.total_cost_per_hour == 0
    assert result.users_affected == 0


RANKED_MODEL = """\
currency: EUR
services:
  - {id: shop, impact: {revenue_per_hour: 1000}, depends_on: [web, db]}
  - {id: payroll, impact: {users: 20, cost_per_user_hour: 10}, depends_on: [db, hr-app]}
  - {id: wiki, impact: {users: 30, cost_per_user_hour: 0}, depends_on: [wiki-app]}
components:
  - {id: web}
  - {id: db}
  - {id: hr-app}
  - {id: wiki-app}
"""


def test_root_causes_are_ranked_by_what_each_costs_failing_alone() -> None:
    """db alone stops shop (1,000/h) and payroll (20 x 10 = 200/h): 1,200/h; web 1,000/h;
    hr-app 200/h; wiki-app 0/h but 30 people; zz-gone is not in the model: last."""
    from bizmap.analytics.whatif import rank_by_impact

    graph = graph_from_yaml(RANKED_MODEL)
    nodes = ["zz-gone", "wiki-app", "hr-app", "web", "db"]
    assert rank_by_impact(graph, nodes) == ["db", "web", "hr-app", "wiki-app", "zz-gone"]
    assert rank_by_impact(graph, []) == []
