"""What if these components fail? Services hit, cost per hour and people affected (§5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bizmap.domain.compile import CompiledGraph
from bizmap.domain.cost import cost_per_hour
from bizmap.domain.people import people_affected
from bizmap.domain.propagate import OK, Propagation, root_causes
from bizmap.domain.states import State


@dataclass(frozen=True)
class ServiceImpact:
    id: str
    state: State
    cost_per_hour: float
    users: int
    safety_critical: bool
    root_causes: tuple[str, ...]
    population: str | None = None  # the people its users are among (§3)


@dataclass(frozen=True)
class WhatIf:
    services: tuple[ServiceImpact, ...]

    @property
    def total_cost_per_hour(self) -> float:
        return sum(s.cost_per_hour for s in self.services)

    @property
    def users_affected(self) -> int:
        """Timeless (§3): every non-ok service counts, a shared population once."""
        return people_affected(self.services)


def what_if(graph: CompiledGraph, states: Mapping[int, State]) -> WhatIf:
    """Set the own states of some nodes (all else ok) and report the non-ok business services.

    Sorted by cost per hour, highest first, then by id.
    """
    propagation = Propagation(graph)
    propagation.set_own({node: int(state) for node, state in states.items()})
    return impact_of(graph, propagation)


def rank_by_impact(graph: CompiledGraph, nodes: Iterable[str]) -> list[str]:
    """``nodes`` by what each would cost an hour failing alone (down), most first; then by the
    people it would stop, then by id. Ids not in the model come last (a report of an old
    incident may name nodes a newer model dropped)."""

    def key(node: str) -> tuple[int, float, int, str]:
        index = graph.index.get(node)
        if index is None:
            return (1, 0.0, 0, node)
        alone = what_if(graph, {index: State.DOWN})
        return (0, -alone.total_cost_per_hour, -alone.users_affected, node)

    return sorted(nodes, key=key)


def impact_of(graph: CompiledGraph, propagation: Propagation) -> WhatIf:
    """The non-ok business services of a propagated state, costed without calendar or workaround."""
    hit = []
    for facts in graph.services:
        state = propagation.state[facts.index]
        if state == OK:
            continue
        roots = sorted(graph.ids[n] for n in root_causes(graph, propagation, facts.index))
        hit.append(
            ServiceImpact(
                id=graph.ids[facts.index],
                state=State(state),
                cost_per_hour=cost_per_hour(facts, state),
                users=facts.users,
                safety_critical=facts.safety_critical,
                root_causes=tuple(roots),
                population=facts.population,
            )
        )
    hit.sort(key=lambda s: (-s.cost_per_hour, s.id))
    return WhatIf(tuple(hit))


def whatif_document(result: WhatIf) -> dict[str, Any]:
    """The `whatif --json` document of semantics §5 (also served by the API)."""
    return {
        "services": [
            {
                "id": s.id,
                "state": s.state.label,
                "cost_per_hour": round(s.cost_per_hour, 2),
                "users": s.users,
                "safety_critical": s.safety_critical,
                "root_causes": list(s.root_causes),
            }
            for s in result.services
        ],
        "total_cost_per_hour": round(result.total_cost_per_hour, 2),
        "users_affected": result.users_affected,
    }
