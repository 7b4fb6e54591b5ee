"""Root causes (semantics §2): every node with a non-ok own state reachable from X along
non-ignored edges through non-ok nodes only; X itself when its own state is non-ok."""

from __future__ import annotations

import pytest

from bizmap.domain.compile import CompiledGraph
from bizmap.domain.propagate import Propagation, root_causes
from helpers import graph_from_yaml, own_states


def causes(graph: CompiledGraph, states: dict[str, str], node: str) -> list[str]:
    propagation = Propagation(graph)
    propagation.set_own(own_states(graph, states))
    found = root_causes(graph, propagation, graph.index[node])
    assert len(found) == len(set(found)), "each root cause is listed once"
    return sorted(graph.ids[n] for n in found)


REPLICA_MODEL = """
services:
  - id: orders
    depends_on: [db]
components:
  - id: db
    depends_on:
      rule: any
      children: [primary, replica]
  - id: primary
  - id: replica
"""


def test_under_any_a_down_primary_beside_a_degraded_replica_are_both_root_causes() -> None:
    graph = graph_from_yaml(REPLICA_MODEL)
    # any(down, degraded) = degraded: db and orders are degraded; both leaves lie on non-ok paths
    assert causes(graph, {"primary": "down", "replica": "degraded"}, "orders") == ["primary", "replica"]
    assert causes(graph, {"primary": "down", "replica": "degraded"}, "db") == ["primary", "replica"]


def test_under_any_a_down_primary_beside_an_ok_replica_causes_nothing() -> None:
    graph = graph_from_yaml(REPLICA_MODEL)
    # any(down, ok) = ok: orders is ok and has no root causes
    assert causes(graph, {"primary": "down"}, "orders") == []
    # primary itself is non-ok with a non-ok own state: it is its own root cause
    assert causes(graph, {"primary": "down"}, "primary") == ["primary"]


def test_a_node_is_its_own_root_cause_when_its_own_state_is_non_ok() -> None:
    graph = graph_from_yaml(REPLICA_MODEL)
    # orders' own state is down, everything below is ok
    assert causes(graph, {"orders": "down"}, "orders") == ["orders"]
    # own degraded and a child path to a down leaf: both
    assert causes(graph, {"orders": "degraded", "primary": "down", "replica": "down"}, "orders") == [
        "orders",
        "primary",
        "replica",
    ]


def test_a_non_ok_node_with_an_ok_own_state_is_not_a_root_cause() -> None:
    graph = graph_from_yaml(REPLICA_MODEL)
    # db is down only because of its children: not listed
    assert causes(graph, {"primary": "down", "replica": "down"}, "orders") == ["primary", "replica"]


def test_an_ok_node_has_no_root_causes() -> None:
    graph = graph_from_yaml(REPLICA_MODEL)
    assert causes(graph, {}, "orders") == []


THROUGH_OK_MODEL = """
services:
  - id: shop
    depends_on: [front, pay]
components:
  - id: front
    depends_on:
      rule: any
      children: [web-1, web-2]
  - id: web-1
  - id: web-2
  - id: pay
    depends_on: [pay-app]
  - id: pay-app
    depends_on: [{id: metrics, effect: ignore}, db]
  - id: metrics
  - id: db
"""


def test_paths_through_ok_nodes_do_not_count() -> None:
    graph = graph_from_yaml(THROUGH_OK_MODEL)
    # web-1 down but web-2 ok: front is ok, so web-1 is no root cause of shop; db degraded is
    assert causes(graph, {"web-1": "down", "db": "degraded"}, "shop") == ["db"]


def test_ignored_edges_do_not_count() -> None:
    graph = graph_from_yaml(THROUGH_OK_MODEL)
    # metrics down reaches pay-app only over an ignored edge: pay-app stays ok, shop ok
    assert causes(graph, {"metrics": "down"}, "shop") == []
    # pay-app non-ok for its own reason: metrics still is not on a counted path
    assert causes(graph, {"metrics": "down", "db": "down"}, "shop") == ["db"]
    assert causes(graph, {"metrics": "down", "pay-app": "unknown"}, "pay-app") == ["pay-app"]


def test_intermediate_nodes_with_non_ok_own_state_are_root_causes_too() -> None:
    graph = graph_from_yaml(THROUGH_OK_MODEL)
    # pay-app own degraded, db down below it: both on the non-ok path shop -> pay -> pay-app -> db
    assert causes(graph, {"pay-app": "degraded", "db": "down"}, "shop") == ["db", "pay-app"]


QUORUM_MODEL = """
services:
  - id: svc
    depends_on: [app]
components:
  - id: app
    depends_on:
      rule: quorum
      need: 2
      children: [a, b, c]
  - id: a
  - id: b
  - id: c
  - id: d
"""


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        # 2 of 3 ok: app ok, so a down c is no root cause of svc
        ({"c": "down"}, []),
        # b degraded, c down: W_ok=1, W_up=2 -> app degraded; every non-ok leaf on a non-ok path counts
        ({"b": "degraded", "c": "down"}, ["b", "c"]),
        # a, b down: W_up = 1 < 2 -> app down
        ({"a": "down", "b": "down"}, ["a", "b"]),
        # d is not connected to svc at all
        ({"a": "down", "b": "down", "d": "down"}, ["a", "b"]),
    ],
)
def test_root_causes_under_quorum(states: dict[str, str], expected: list[str]) -> None:
    graph = graph_from_yaml(QUORUM_MODEL)
    assert causes(graph, states, "svc") == expected


DIAMOND_MODEL = """
services:
  - id: portal
    depends_on: [shop, {id: news, effect: soft}]
  - id: shop
    depends_on: [db]
  - id: news
    depends_on: [db, {id: cdn, effect: escalate}]
components:
  - id: db
  - id: cdn
"""


def test_a_shared_cause_reached_by_two_paths_is_listed_once() -> None:
    graph = graph_from_yaml(DIAMOND_MODEL)
    assert causes(graph, {"db": "down"}, "portal") == ["db"]


def test_soft_and_escalate_edges_still_carry_root_causes() -> None:
    graph = graph_from_yaml(DIAMOND_MODEL)
    # cdn degraded -> escalated: news down -> soft: portal degraded; the path is all non-ok
    assert causes(graph, {"cdn": "degraded"}, "portal") == ["cdn"]
    # a service below a service: shop own down is a root cause of portal
    assert causes(graph, {"shop": "down", "cdn": "degraded"}, "portal") == ["cdn", "shop"]
