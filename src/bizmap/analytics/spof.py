"""Single points of failure (semantics §5): the failure units whose being down alone leaves a
business service non-ok, per service and ranked by what each would cost an hour."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bizmap.analytics.whatif import impact_of
from bizmap.domain.compile import CompiledGraph
from bizmap.domain.propagate import DOWN, OK, Propagation
from bizmap.domain.states import State


@dataclass(frozen=True)
class SinglePoint:
    node: str
    effect: State


@dataclass(frozen=True)
class ServiceSinglePoints:
    id: str
    single_points: tuple[SinglePoint, ...]


@dataclass(frozen=True)
class RankedPoint:
    """A failure unit that is a single point of at least one service, with the what-if of it
    alone down: ``cost_per_hour`` and ``users_affected`` count every service it leaves non-ok
    (itself included when it is a service); ``services`` are those it is a single point of."""

    node: str
    cost_per_hour: float
    users_affected: int
    services: tuple[str, ...]


def failure_units(graph: CompiledGraph) -> frozenset[str]:
    """The nodes that can fail by themselves: a leaf (no ``depends_on``), a node with ``match``
    selectors (its own monitoring), or a component with ``mtbf_hours``.

    Any other node is a group (a redundant pair, a cluster): it fails only through its
    children, so naming it as a single point would point at what is already redundant.
    """
    units = set()
    for specs, is_component in ((graph.model.services, False), (graph.model.components, True)):
        for spec in specs:
            leaf = spec.depends_on is None or not spec.depends_on.children
            if leaf or spec.match or (is_component and spec.mtbf_hours is not None):
                units.add(spec.id)
    return frozenset(units)


def single_points_of_failure(graph: CompiledGraph) -> list[ServiceSinglePoints]:
    """For every business service, every other failure unit whose being down alone leaves it
    non-ok, with the state it is left in. Services sorted by id, nodes by id."""
    return _analyse(graph)[0]


def ranked_single_points(graph: CompiledGraph) -> list[RankedPoint]:
    """Each single point with the what-if of it alone down, costliest first, then by node id.

    This is the order of every list of single points a person reads.
    """
    return _analyse(graph)[1]


def _analyse(graph: CompiledGraph) -> tuple[list[ServiceSinglePoints], list[RankedPoint]]:
    """Fail each failure unit in turn, propagated incrementally on one propagation, so the cost
    is the sum of the units' ancestor counts rather than a full recomputation per unit; a unit
    that hits a service is priced there by what-if's own ``impact_of`` (no pricing of our own).
    """
    propagation = Propagation(graph)
    found: dict[int, list[SinglePoint]] = {s.index: [] for s in graph.services}
    services = {s.index for s in graph.services}
    units = failure_units(graph)
    ranked = []
    for node in range(len(graph)):
        if graph.ids[node] not in units:
            continue
        changed = propagation.set_own({node: DOWN})
        hit = []
        for other in changed:
            if other in services and other != node and propagation.state[other] != OK:
                found[other].append(SinglePoint(graph.ids[node], State(propagation.state[other])))
                hit.append(graph.ids[other])
        if hit:
            alone = impact_of(graph, propagation)  # = what_if(graph, {node: DOWN})
            ranked.append(
                RankedPoint(
                    graph.ids[node], alone.total_cost_per_hour, alone.users_affected, tuple(sorted(hit))
                )
            )
        propagation.set_own({node: OK})
    per_service = [
        ServiceSinglePoints(graph.ids[index], tuple(sorted(points, key=lambda p: p.node)))
        for index, points in found.items()
    ]
    per_service.sort(key=lambda s: s.id)
    ranked.sort(key=lambda point: (-point.cost_per_hour, point.node))
    return per_service, ranked


def spof_document(graph: CompiledGraph) -> dict[str, Any]:
    """The `spof --json` document of semantics §5: ``services`` and ``ranked``."""
    per_service, ranked = _analyse(graph)
    return {
        "services": [
            {
                "id": s.id,
                "single_points": [{"node": p.node, "effect": p.effect.label} for p in s.single_points],
            }
            for s in per_service
        ],
        "ranked": [
            {
                "node": point.node,
                "cost_per_hour": round(point.cost_per_hour, 2),
                "users_affected": point.users_affected,
                "services": list(point.services),
            }
            for point in ranked
        ],
    }
