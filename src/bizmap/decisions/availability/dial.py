"""The availability dial: what a change to the estate is worth a year (semantics §7, issue 6).

A change document names changes (add a replica under an ``any``/``quorum`` group, set a
component's MTBF/MTTR, turn a single point of failure into a redundant pair) and their
yearly cost. The changes are applied to a copy of the model, which is validated and compiled
again like any model; availability is computed before and after, and the yearly downtime
cost avoided is set against the yearly cost:

    downtime_cost_avoided_per_year = Σ expected cost a year before − Σ expected cost a year after
    net_value_per_year = downtime_cost_avoided_per_year − yearly_cost
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pydantic import Field, model_validator

from bizmap.decisions.availability.predict import (
    EXACT_STATE_LIMIT,
    ServiceAvailability,
    service_availability,
    service_json,
)
from bizmap.domain.compile import CompiledGraph, compile_model
from bizmap.domain.model import Model, NodeId, Strict
from bizmap.domain.validate import Document, ModelInvalid, validate_documents
from bizmap.errors import BizmapError


class AddReplica(Strict):
    """Add ``id``, a copy of ``copy_of`` (same dependencies, MTBF and MTTR), to the group ``to``."""

    to: NodeId
    id: NodeId
    copy_of: NodeId
    weight: int | None = Field(None, gt=0)  # default: the weight of copy_of's edge, else 1
    mtbf_hours: float | None = Field(None, gt=0)
    mttr_hours: float | None = Field(None, ge=0)


class SetReliability(Strict):
    """Give ``node`` a new MTBF and/or MTTR."""

    node: NodeId
    mtbf_hours: float | None = Field(None, gt=0)
    mttr_hours: float | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _something_to_set(self) -> SetReliability:
        if self.mtbf_hours is None and self.mttr_hours is None:
            raise ValueError("set needs mtbf_hours, mttr_hours or both")
        return self


class RemoveSinglePoint(Strict):
    """Pair ``node`` with ``replica`` (a copy of it) under a new ``any`` node ``group``; every
    parent of ``node`` then depends on the group instead."""

    node: NodeId
    replica: NodeId
    group: NodeId | None = None  # default: "<node>-pair"


class Change(Strict):
    """One change: exactly one of its keys."""

    add_replica: AddReplica | None = None
    set: SetReliability | None = None
    remove_single_point: RemoveSinglePoint | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Change:
        given = [k for k in ("add_replica", "set", "remove_single_point") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a change has exactly one of add_replica, set, remove_single_point"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @property
    def kind(self) -> str:
        for key in ("add_replica", "set", "remove_single_point"):
            if getattr(self, key) is not None:
                return key
        raise AssertionError("validated: one key is set")


class DialSpec(Strict):
    """A change document."""

    name: str | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    yearly_cost: float = Field(ge=0)
    changes: list[Change] = Field(min_length=1)


class DialError(BizmapError):
    """A change that cannot be applied: ``index`` of the change (0-based) and the key at fault."""

    def __init__(self, message: str, index: int | None = None, key: tuple[str, ...] = ()) -> None:
        self.message, self.index, self.key = message, index, key
        super().__init__(message)


def apply_changes(model: Model, dial: DialSpec, label: str = "change file") -> Model:
    """A new, validated model with every change applied in order; the given one is untouched."""
    data: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    for index, change in enumerate(dial.changes):
        nodes = {n["id"]: n for n in [*data["services"], *data["components"]]}
        services = {n["id"] for n in data["services"]}
        if change.add_replica is not None:
            _add_replica(data, nodes, services, change.add_replica, index)
        elif change.set is not None:
            _set(nodes, change.set, index)
        elif change.remove_single_point is not None:
            _remove_single_point(data, nodes, services, change.remove_single_point, index)
    try:
        return validate_documents([Document(label, data)])
    except ModelInvalid as invalid:
        messages = "; ".join(p.message for p in invalid.problems)
        raise DialError(f"the changed model is invalid: {messages}") from None


def _require(nodes: dict[str, Any], node_id: str, index: int, kind: str, key: str) -> dict[str, Any]:
    if node_id not in nodes:
        raise DialError(f"unknown node {node_id!r}", index, (kind, key))
    found: dict[str, Any] = nodes[node_id]
    return found


def _fresh(nodes: dict[str, Any], node_id: str, index: int, kind: str, key: str) -> None:
    if node_id in nodes:
        raise DialError(f"id {node_id!r} is already taken in the model", index, (kind, key))


def _copy_of(original: dict[str, Any], new_id: str, what: str) -> dict[str, Any]:
    replica = copy.deepcopy(original)
    replica["id"] = new_id
    replica.pop("match", None)  # monitoring events keep going to the original
    replica["name"] = f"{original.get('name') or original['id']} ({what})"
    return replica


def _add_replica(
    data: dict[str, Any], nodes: dict[str, Any], services: set[str], change: AddReplica, index: int
) -> None:
    kind = "add_replica"
    group = _require(nodes, change.to, index, kind, "to")
    source = _require(nodes, change.copy_of, index, kind, "copy_of")
    _fresh(nodes, change.id, index, kind, "id")
    if change.copy_of in services:
        raise DialError(
            f"{change.copy_of!r} is a business service; copy a component", index, (kind, "copy_of")
        )
    depends = group.get("depends_on") or {}
    rule = depends.get("rule", "all")
    if rule not in ("any", "quorum"):
        raise DialError(
            f"{change.to!r} has rule {rule!r}; a replica adds redundancy only under an "
            "`any` or `quorum` rule (use remove_single_point to pair a single node)",
            index,
            (kind, "to"),
        )
    edge = next((c for c in depends["children"] if c["id"] == change.copy_of), None)
    replica = _copy_of(source, change.id, "replica")
    if change.mtbf_hours is not None:
        replica["mtbf_hours"] = change.mtbf_hours
    if change.mttr_hours is not None:
        replica["mttr_hours"] = change.mttr_hours
    data["components"].append(replica)
    weight = change.weight or (edge["weight"] if edge else 1)
    depends["children"].append(
        {"id": change.id, "weight": weight, "effect": edge["effect"] if edge else "hard"}
    )


def _set(nodes: dict[str, Any], change: SetReliability, index: int) -> None:
    node = _require(nodes, change.node, index, "set", "node")
    if change.mtbf_hours is not None:
        node["mtbf_hours"] = change.mtbf_hours
    if change.mttr_hours is not None:
        node["mttr_hours"] = change.mttr_hours
    if ("mtbf_hours" in node) != ("mttr_hours" in node):
        missing = "mttr_hours" if "mttr_hours" not in node else "mtbf_hours"
        raise DialError(
            f"{change.node!r} has no {missing}; give both mtbf_hours and mttr_hours",
            index,
            ("set", "node"),
        )


def _remove_single_point(
    data: dict[str, Any], nodes: dict[str, Any], services: set[str], change: RemoveSinglePoint, index: int
) -> None:
    kind = "remove_single_point"
    original = _require(nodes, change.node, index, kind, "node")
    if change.node in services:
        raise DialError(f"{change.node!r} is a business service; pair a component", index, (kind, "node"))
    group_id = change.group or f"{change.node}-pair"
    _fresh(nodes, change.replica, index, kind, "replica")
    _fresh(nodes, group_id, index, kind, "group" if change.group else "node")
    if change.replica == group_id:
        raise DialError(f"replica and group must differ ({group_id!r})", index, (kind, "replica"))
    for parent in nodes.values():
        for child in (parent.get("depends_on") or {}).get("children", []):
            if child["id"] == change.node:
                child["id"] = group_id
    data["components"].append(_copy_of(original, change.replica, "replica"))
    data["components"].append(
        {
            "id": group_id,
            "name": f"{original.get('name') or original['id']} (redundant pair)",
            "depends_on": {"rule": "any", "children": [{"id": change.node}, {"id": change.replica}]},
        }
    )


@dataclass(frozen=True)
class DialResult:
    name: str | None
    currency: str
    year: int
    yearly_cost: float
    before: list[ServiceAvailability]
    after: list[ServiceAvailability]
    after_graph: CompiledGraph

    @property
    def cost_before(self) -> float:
        return sum(s.expected_cost_per_year for s in self.before)

    @property
    def cost_after(self) -> float:
        return sum(s.expected_cost_per_year for s in self.after)

    @property
    def avoided(self) -> float:
        return self.cost_before - self.cost_after

    @property
    def net_value(self) -> float:
        return self.avoided - self.yearly_cost


def turn_dial(
    graph: CompiledGraph,
    dial: DialSpec,
    year: int,
    label: str = "change file",
    state_limit: int = EXACT_STATE_LIMIT,
) -> DialResult:
    """Apply the changes and compare availability and yearly downtime cost before and after."""
    if dial.currency is not None and dial.currency != graph.currency:
        raise DialError(
            f"currency {dial.currency} disagrees with the model's {graph.currency}: "
            "the yearly cost must be in the model's currency",
            key=("currency",),
        )
    after_graph = compile_model(apply_changes(graph.model, dial, label))
    return DialResult(
        name=dial.name,
        currency=graph.currency,
        year=year,
        yearly_cost=dial.yearly_cost,
        before=service_availability(graph, year, state_limit=state_limit),
        after=service_availability(after_graph, year, state_limit=state_limit),
        after_graph=after_graph,
    )


def dial_document(result: DialResult) -> dict[str, Any]:
    """The dial's JSON: before/after per service, the yearly cost avoided and the net value."""
    after = {s.id: s for s in result.after}
    return {
        "name": result.name,
        "currency": result.currency,
        "year": result.year,
        "yearly_cost": round(result.yearly_cost, 2),
        "services": [
            {
                "id": s.id,
                "before": service_json(s),
                "after": service_json(after[s.id]),
                "downtime_cost_avoided_per_year": round(
                    s.expected_cost_per_year - after[s.id].expected_cost_per_year, 2
                ),
            }
            for s in result.before
        ],
        "expected_cost_per_year_before": round(result.cost_before, 2),
        "expected_cost_per_year_after": round(result.cost_after, 2),
        "downtime_cost_avoided_per_year": round(result.avoided, 2),
        "net_value_per_year": round(result.net_value, 2),
    }
