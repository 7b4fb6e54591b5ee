"""Single points of failure (semantics §5): for every business service, every other node
whose being down alone (all else ok) leaves the service non-ok, with the resulting state."""

from __future__ import annotations

from bizmap.analytics.spof import single_points_of_failure
from bizmap.domain.states import State
from helpers import SECTION_9_MODEL, graph_from_yaml

REDUNDANT_MODEL = """
services:
  - id: wiki
  - id: shop
    depends_on: [front, db, {id: metrics, effect: ignore}]
  - id: reports
    depends_on: [db, {id: mail, effect: soft}]
  - id: portal
    depends_on: [shop]
  - id: billing
    depends_on: [ledger]
  - id: search
    depends_on: [index]
components:
  - id: front
    depends_on:
      rule: any
      children: [web-1, web-2]
  - id: web-1
    depends_on: [net]
  - id: web-2
    depends_on: [net]
  - id: net
  - id: db
  - id: mail
  - id: metrics
  - id: ledger
    depends_on:
      rule: quorum
      need: 3
      children: [{id: l1, weight: 2}, l2, l3]
  - id: l1
  - id: l2
  - id: l3
  - id: index
    depends_on:
      rule: quorum
      need: "50%"
      children: [s1, s2, s3, {id: s4, effect: escalate}]
  - id: s1
  - id: s2
  - id: s3
  - id: s4
"""


def spof(text: str) -> dict[str, list[tuple[str, State]]]:
    result = single_points_of_failure(graph_from_yaml(text))
    ids = [service.id for service in result]
    assert ids == sorted(ids), "services sorted by id"
    table = {service.id: [(p.node, p.effect) for p in service.single_points] for service in result}
    for points in table.values():
        nodes = [node for node, _ in points]
        assert nodes == sorted(nodes), "nodes sorted by id"
    return table


def test_single_points_of_a_model_with_redundancy() -> None:
    table = spof(REDUNDANT_MODEL)
    assert list(table) == ["billing", "portal", "reports", "search", "shop", "wiki"]
    # shop = all(front, db); front = any(web-1, web-2); both webs need net:
    # web-1 or web-2 alone down -> front ok: not single points; net down -> both webs down;
    # metrics is ignored -> never a single point
    assert table["shop"] == [("db", State.DOWN), ("front", State.DOWN), ("net", State.DOWN)]
    # a service depending on a service: everything that fails shop fails portal, and shop itself
    assert table["portal"] == [
        ("db", State.DOWN),
        ("front", State.DOWN),
        ("net", State.DOWN),
        ("shop", State.DOWN),
    ]
    # a soft child down is seen as degraded: the service is degraded
    assert table["reports"] == [("db", State.DOWN), ("mail", State.DEGRADED)]
    # ledger: need 3 of l1 (2) + l2 + l3 = 4. l1 down: W_ok = 2 < 3, W_up = 2, no unknown -> down;
    # l2 down: W_ok = 3 -> ok; l3 likewise. ledger itself down -> down
    assert table["billing"] == [("l1", State.DOWN), ("ledger", State.DOWN)]
    # index: 50 % of 4 = 2: any one of s1..s4 down leaves 3 ok -> ok; only index itself
    assert table["search"] == [("index", State.DOWN)]
    # no dependencies: nothing but itself could fail it, and itself does not count
    assert table["wiki"] == []


def test_an_any_pair_is_not_a_single_point_but_the_shared_database_is() -> None:
    table = spof(
        """
        services:
          - id: orders
            depends_on: [app]
        components:
          - id: app
            depends_on:
              rule: any
              children: [app-1, app-2]
          - id: app-1
            depends_on: [db]
          - id: app-2
            depends_on: [db]
          - id: db
        """
    )
    assert table == {"orders": [("app", State.DOWN), ("db", State.DOWN)]}


def test_section_9_model_single_points() -> None:
    # app = quorum 50 % of a (2), b, c: q = 2. a down -> W_ok = 2 -> ok; b or c down -> W_ok = 3 -> ok.
    # only app itself fails orders (orders = all(app), so app down -> orders down)
    assert spof(SECTION_9_MODEL) == {"orders": [("app", State.DOWN)]}


def test_a_service_is_not_its_own_single_point_and_every_service_is_listed() -> None:
    table = spof(
        """
        services:
          - id: a-service
          - id: b-service
            depends_on: [a-service]
        """
    )
    assert table == {"a-service": [], "b-service": [("a-service", State.DOWN)]}


def test_escalate_and_soft_effects_give_the_resulting_state() -> None:
    table = spof(
        """
        services:
          - id: svc
            depends_on: [{id: x, effect: soft}, {id: y, effect: escalate}, {id: z, effect: ignore}]
        components:
          - id: x
          - id: y
          - id: z
        """
    )
    # x down -> seen degraded; y down -> down; z ignored
    assert table == {"svc": [("x", State.DEGRADED), ("y", State.DOWN)]}
