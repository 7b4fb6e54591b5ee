"""Single points of failure: nodes whose failure alone leaves a business service non-ok (§5)."""

from __future__ import annotations

from dataclasses import dataclass

from bizmap.domain.compile import CompiledGraph
from bizmap.domain.cost import cost_per_hour
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


def single_points_of_failure(graph: CompiledGraph) -> list[ServiceSinglePoints]:
    """For every business service, every other node whose being down alone leaves it non-ok.

    Each node is failed in turn and propagated incrementally, so the cost is the sum of the
    nodes' ancestor counts rather than a full recomputation per node.
    """
    propagation = Propagation(graph)
    found: dict[int, list[SinglePoint]] = {s.index: [] for s in graph.services}
    services = {s.index for s in graph.services}
    for node in range(len(graph)):
        changed = propagation.set_own({node: DOWN})
        for other in changed:
            if other in services and other != node and propagation.state[other] != OK:
                found[other].append(SinglePoint(graph.ids[node], State(propagation.state[other])))
        propagation.set_own({node: OK})
    result = [
        ServiceSinglePoints(graph.ids[index], tuple(sorted(points, key=lambda p: p.node)))
        for index, points in found.items()
    ]
    result.sort(key=lambda s: s.id)
    return result


def ranked_by_cost(graph: CompiledGraph) -> list[tuple[str, float, list[str]]]:
    """Nodes ranked by the cost per hour their failure alone would cause: (node, cost, services)."""
    by_node: dict[str, tuple[float, list[str]]] = {}
    facts = {graph.ids[s.index]: s for s in graph.services}
    for service in single_points_of_failure(graph):
        for point in service.single_points:
            cost, hit = by_node.get(point.node, (0.0, []))
            by_node[point.node] = (
                cost + cost_per_hour(facts[service.id], int(point.effect)),
                [*hit, service.id],
            )
    ranked = [(node, cost, hit) for node, (cost, hit) in by_node.items()]
    ranked.sort(key=lambda item: (-item[1], item[0]))
    return ranked
