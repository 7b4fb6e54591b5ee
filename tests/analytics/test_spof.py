"""Single points of failure (semantics §5): only failure units are candidates; for every
business service, every failure unit whose being down alone (all else ok) leaves the service
non-ok, with the resulting state; and the failure units ranked by what each costs alone down."""

from __future__ import annotations

import pytest

from bizmap.analytics.spof import (
    RankedPoint,
    failure_units,
    ranked_single_points,
    single_points_of_failure,
    spof_document,
)
from bizmap.analytics.whatif import what_if
from bizmap.domain.states import State
from helpers import SECTION_9_MODEL, graph_from_yaml

# --- the failure-unit rule -------------------------------------------------------------------

UNITS_MODEL = """
services:
  - id: lone-service          # a service with no depends_on: a leaf
  - id: checked-service       # children and its own synthetic check
    depends_on: [plain-leaf]
    match: [{job: synthetic, target: checked}]
  - id: modelled-service      # children and mtbf_hours: §5 counts mtbf only on a component
    depends_on: [plain-leaf]
    mtbf_hours: 1000
    mttr_hours: 1
  - id: composite-service     # children only
    depends_on: [plain-leaf]
components:
  - id: plain-leaf
  - id: empty-leaf
    depends_on: []
  - id: watched
    depends_on: [plain-leaf]
    match: [{job: node, instance: watched}]
  - id: modelled
    depends_on: [plain-leaf]
    mtbf_hours: 4380
    mttr_hours: 2
  - id: group-of-one
    depends_on: [plain-leaf]
  - id: redundant-pair
    depends_on: {rule: any, children: [pair-1, pair-2]}
  - id: pair-1
    match: [{job: node, instance: pair-1}]
  - id: pair-2
    mtbf_hours: 8760
    mttr_hours: 1
"""


@pytest.mark.parametrize(
    ("node", "is_unit"),
    [
        ("plain-leaf", True),  # leaf: no depends_on
        ("empty-leaf", True),  # an empty depends_on is no dependency at all: a leaf
        ("pair-1", True),  # leaf with match
        ("pair-2", True),  # leaf with mtbf_hours
        ("lone-service", True),  # a service can be a leaf
        ("watched", True),  # children + match: it can fail by itself (its own monitoring)
        ("checked-service", True),  # children + match on a service
        ("modelled", True),  # a component with children + mtbf_hours
        ("modelled-service", False),  # §5: mtbf_hours makes a *component* a unit, not a service
        ("composite-service", False),  # a service with children only: fails only through them
        ("group-of-one", False),  # children only: a group, even of one child
        ("redundant-pair", False),  # the redundant pair: a group
    ],
)
def test_failure_unit_truth_table(node: str, is_unit: bool) -> None:
    graph = graph_from_yaml(UNITS_MODEL)
    assert (node in failure_units(graph)) is is_unit


def test_groups_are_never_listed_but_what_they_stand_on_is() -> None:
    table = spof(
        """
        services:
          - id: orders
            depends_on: [app, group-of-one, watched]
        components:
          - id: app
            depends_on: {rule: any, children: [app-1, app-2]}
          - id: app-1
            depends_on: [db]
          - id: app-2
            depends_on: [db]
          - id: db
          - id: group-of-one
            depends_on: [disk]
          - id: disk
          - id: watched
            depends_on: [net]
            match: [{job: blackbox, instance: watched}]
          - id: net
        """
    )
    # app: a group (either app server will do) -> never listed; app-1 or app-2 alone leave it up;
    # db takes both app servers and so app down -> listed. group-of-one: a group, but disk, the
    # leaf under it, is a real single point. watched has its own monitoring: listed, and so is net.
    assert table == {
        "orders": [("db", State.DOWN), ("disk", State.DOWN), ("net", State.DOWN), ("watched", State.DOWN)]
    }


# --- per service, as before but over failure units only ----------------------------------------

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
    # shop = all(front, db); front = any(web-1, web-2), a group; both webs need net:
    # web-1 or web-2 alone down -> front ok: not single points; net down -> both webs down;
    # metrics is ignored -> never a single point; front is a group -> not listed
    assert table["shop"] == [("db", State.DOWN), ("net", State.DOWN)]
    # a service depending on a service: what fails shop fails portal; shop itself has children
    # and no match, so it fails only through them and is not listed either
    assert table["portal"] == [("db", State.DOWN), ("net", State.DOWN)]
    # a soft child down is seen as degraded: the service is degraded
    assert table["reports"] == [("db", State.DOWN), ("mail", State.DEGRADED)]
    # ledger: need 3 of l1 (2) + l2 + l3 = 4. l1 down: W_ok = 2 < 3, W_up = 2, no unknown -> down;
    # l2 down: W_ok = 3 -> ok; l3 likewise. ledger is a group -> not listed
    assert table["billing"] == [("l1", State.DOWN)]
    # index: 50 % of 4 = 2: any one of s1..s4 down leaves 3 ok -> ok; index is a group
    assert table["search"] == []
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
    assert table == {"orders": [("db", State.DOWN)]}


def test_section_9_model_has_no_single_point() -> None:
    # app = quorum 50 % of a (2), b, c: q = 2. a down -> W_ok = 2 -> ok; b or c down -> W_ok = 3
    # -> ok. app itself is a group (children, no match, no mtbf): it is never a candidate
    assert spof(SECTION_9_MODEL) == {"orders": []}


def test_a_service_is_not_its_own_single_point_and_every_service_is_listed() -> None:
    table = spof(
        """
        services:
          - id: a-service
          - id: b-service
            depends_on: [a-service]
        """
    )
    # a-service is a leaf (a failure unit); it is b-service's single point, not its own
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


# --- ranked -----------------------------------------------------------------------------------

RANKED_MODEL = """
services:
  - id: checkout
    impact: {revenue_per_hour: 1000, users: 10, cost_per_user_hour: 20}
    depends_on: [app, {id: search, effect: soft}, {id: cache, effect: soft}]
  - id: backoffice
    impact: {users: 50, cost_per_user_hour: 30, degraded_factor: 0.4}
    depends_on: [db, {id: app, effect: soft}, {id: mail, effect: soft}]
  - id: mail
    impact: {users: 5, cost_per_user_hour: 10}
  - id: archive
    impact: {revenue_per_hour: 99999}
    depends_on: [tape]
components:
  - id: app
    depends_on: {rule: any, children: [app-1, app-2]}
  - id: app-1
    depends_on: [db]
  - id: app-2
    depends_on: [db]
  - id: db
  - id: search
  - id: cache
  - id: tape
    depends_on: {rule: any, children: [tape-1, tape-2]}
  - id: tape-1
  - id: tape-2
"""


def test_ranked_figures_worked_by_hand() -> None:
    graph = graph_from_yaml(RANKED_MODEL)
    # Base rates: checkout 1,000 + 10 x 20 = 1,200 (10 people); backoffice 0 + 50 x 30 = 1,500
    # (50 people), degraded 0.4 x 1,500 = 600; mail 5 x 10 = 50 (5 people).
    # db down: app-1 and app-2 down -> app down -> checkout down 1,200; backoffice down (db is a
    # hard child) 1,500. Total 2,700, 10 + 50 = 60 people.
    # mail down: mail itself down 50 and backoffice degraded 600 (soft child): 650, 5 + 50 = 55
    # people; it is a single point of backoffice only (a service is not its own).
    # cache, search down: checkout degraded, 0.5 x 1,200 = 600, 10 people each; tie -> by id.
    # app is a group (never listed); tape-1 or tape-2 alone leave tape up: archive has none.
    assert ranked_single_points(graph) == [
        RankedPoint("db", 2700.0, 60, ("backoffice", "checkout")),
        RankedPoint("mail", 650.0, 55, ("backoffice",)),
        RankedPoint("cache", 600.0, 10, ("checkout",)),
        RankedPoint("search", 600.0, 10, ("checkout",)),
    ]


def test_spof_document_carries_services_and_ranked() -> None:
    document = spof_document(graph_from_yaml(RANKED_MODEL))
    assert list(document) == ["services", "ranked"]
    assert [s["id"] for s in document["services"]] == ["archive", "backoffice", "checkout", "mail"]
    assert document["services"][1] == {
        "id": "backoffice",
        "single_points": [{"node": "db", "effect": "down"}, {"node": "mail", "effect": "degraded"}],
    }
    assert document["ranked"][:2] == [
        {"node": "db", "cost_per_hour": 2700.0, "users_affected": 60, "services": ["backoffice", "checkout"]},
        {"node": "mail", "cost_per_hour": 650.0, "users_affected": 55, "services": ["backoffice"]},
    ]


def test_ranked_figures_are_those_of_whatif_with_the_unit_alone_down() -> None:
    graph = graph_from_yaml(RANKED_MODEL)
    for point in ranked_single_points(graph):
        alone = what_if(graph, {graph.index[point.node]: State.DOWN})
        assert (point.cost_per_hour, point.users_affected) == (
            alone.total_cost_per_hour,
            alone.users_affected,
        )
