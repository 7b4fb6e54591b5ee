"""Compile a validated ``Model`` once into an immutable, index-based dependency graph.

Nodes are numbered; children and parents are tuples of integers; rules and effects are
small integer codes. Propagation (``bizmap.domain.propagate``) computes over this graph.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from operator import attrgetter
from typing import Final

from bizmap.domain.gc_pause import gc_paused
from bizmap.domain.model import (
    CalendarSpec,
    ImpactSpec,
    Model,
    ServiceSpec,
    SlaSpec,
    WorkaroundSpec,
)
from bizmap.domain.states import State

# Final: the compiled engine reads these as constants, not as module attributes
RULE_ALL: Final = 0
RULE_ANY: Final = 1
RULE_QUORUM: Final = 2
RULE_CODES = {"all": RULE_ALL, "any": RULE_ANY, "quorum": RULE_QUORUM}
RULE_NAMES = {code: name for name, code in RULE_CODES.items()}

EFFECT_HARD, EFFECT_SOFT, EFFECT_ESCALATE, EFFECT_IGNORE = 0, 1, 2, 3
EFFECT_CODES = {
    "hard": EFFECT_HARD,
    "soft": EFFECT_SOFT,
    "escalate": EFFECT_ESCALATE,
    "ignore": EFFECT_IGNORE,
}
EFFECT_NAMES = {code: name for name, code in EFFECT_CODES.items()}

HEAP_SHIFT: Final = 32  # node numbers fit in 32 bits; see CompiledGraph.upward

# How a parent sees a child's state through each edge effect (indexed by state value).
OK, DEGRADED, UNKNOWN, DOWN = (int(s) for s in State)
EFFECT_MAP: tuple[tuple[int, int, int, int], ...] = (
    (OK, DEGRADED, UNKNOWN, DOWN),  # hard: unchanged
    (OK, DEGRADED, DEGRADED, DEGRADED),  # soft: at most degraded
    (OK, DOWN, UNKNOWN, DOWN),  # escalate: degraded becomes down
    (OK, DEGRADED, UNKNOWN, DOWN),  # ignore: never consulted (the edge is not counted)
)


@dataclass(frozen=True)
class Selector:
    """One ``match`` selector: every label must equal, or full-match when written ``~regex``."""

    exact: tuple[tuple[str, str], ...]
    patterns: tuple[tuple[str, re.Pattern[str]], ...]

    def fits(self, labels: Mapping[str, str]) -> bool:
        for key, value in self.exact:
            if labels.get(key) != value:
                return False
        for key, pattern in self.patterns:
            text = labels.get(key)
            if text is None or pattern.fullmatch(text) is None:
                return False
        return True


def compile_selector(selector: Mapping[str, str]) -> Selector:
    if len(selector) == 1:  # the common case, a host's one label: nothing to sort
        ((key, value),) = selector.items()
        if not value.startswith("~"):
            return Selector(((key, value),), ())
    exact = tuple(sorted((k, v) for k, v in selector.items() if not v.startswith("~")))
    patterns = tuple(sorted((k, re.compile(v[1:])) for k, v in selector.items() if v.startswith("~")))
    return Selector(exact, patterns)


@dataclass(frozen=True)
class ServiceFacts:
    """What a business service carries besides its place in the graph."""

    index: int
    spec: ServiceSpec
    calendar: str  # calendar name, "24x7" for the built-in one
    impact: ImpactSpec | None
    workaround: WorkaroundSpec | None
    sla: SlaSpec | None
    sla_calendar: str

    @property
    def base_rate(self) -> float:
        return self.impact.base_rate if self.impact else 0.0

    @property
    def degraded_factor(self) -> float:
        return self.impact.degraded_factor if self.impact else 0.5

    @property
    def users(self) -> int:
        return self.impact.users if self.impact else 0

    @property
    def population(self) -> str | None:
        """The people its users are among (§3); None: a population of its own."""
        return self.impact.population if self.impact else None

    @property
    def safety_critical(self) -> bool:
        return self.impact.safety_critical if self.impact else False


@dataclass(frozen=True)
class MaintenanceWindow:
    id: str
    nodes: tuple[int, ...]
    start: datetime
    end: datetime
    reason: str | None


@dataclass(frozen=True, eq=False)
class CompiledGraph:
    """The model as arrays indexed by node number. Built by ``compile_model``; never mutated."""

    model: Model
    ids: tuple[str, ...]
    index: Mapping[str, int]
    names: tuple[str | None, ...]
    is_service: tuple[bool, ...]
    rule: tuple[int, ...]
    need: tuple[int, ...]  # quorum size in whole weight units (weights are integers)
    # counted (non-ignored) children: (child, weight, effect) per node
    children: tuple[tuple[tuple[int, int, int], ...], ...]
    ignored_children: tuple[tuple[int, ...], ...]
    # counted parents: (parent, weight, effect) per node
    parents: tuple[tuple[tuple[int, int, int], ...], ...]
    total_weight: tuple[int, ...]
    level: tuple[int, ...]  # 0 for leaves, else 1 + the highest child level
    topological: tuple[int, ...]  # children before parents
    services: tuple[ServiceFacts, ...]
    service_of: Mapping[int, ServiceFacts]
    selectors: tuple[tuple[Selector, int], ...]
    calendars: Mapping[str, CalendarSpec]
    maintenance: tuple[MaintenanceWindow, ...]

    @property
    def currency(self) -> str:
        return self.model.currency

    @cached_property
    def upward(self) -> tuple[tuple[tuple[int, int, tuple[int, int, int, int]], ...], ...]:
        """Per node, its counted parents as (heap key, weight, effect map) for propagation.

        The heap key ``level << HEAP_SHIFT | parent`` orders parents after their children.
        """
        level = self.level
        return tuple(
            tuple((level[p] << HEAP_SHIFT | p, w, EFFECT_MAP[e]) for p, w, e in edges)
            for edges in self.parents
        )

    def __len__(self) -> int:
        return len(self.ids)

    def node_index(self, node_id: str) -> int:
        return self.index[node_id]


def compile_model(model: Model) -> CompiledGraph:
    """Number the nodes, resolve references and order the graph; the model must be valid."""
    with gc_paused():
        return _compile(model)


_child_fields = attrgetter("id", "weight", "effect")
_links = attrgetter("depends_on", "match")


def _compile(model: Model) -> CompiledGraph:
    specs = [*model.services, *model.components]
    n = len(specs)
    n_services = len(model.services)
    ids = tuple(map(attrgetter("id"), specs))
    index = dict(zip(ids, range(n), strict=True))
    names = tuple(map(attrgetter("name"), specs))

    rule = [RULE_ALL] * n
    need = [0] * n
    children: list[tuple[tuple[int, int, int], ...]] = [()] * n
    ignored: list[tuple[int, ...]] = [()] * n
    parents: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
    total_weight = [0] * n
    selectors: list[tuple[Selector, int]] = []

    for i, (depends, match) in enumerate(map(_links, specs)):
        if depends is not None:
            counted = []
            skipped = []
            total = 0
            for child_id, weight, effect_name in map(_child_fields, depends.children):
                effect = EFFECT_CODES[effect_name]
                c = index[child_id]
                if effect == EFFECT_IGNORE:
                    skipped.append(c)
                else:
                    counted.append((c, weight, effect))
                    parents[c].append((i, weight, effect))
                    total += weight
            children[i] = tuple(counted)
            ignored[i] = tuple(skipped)
            total_weight[i] = total
            rule[i] = RULE_CODES[depends.rule]
            if depends.rule == "quorum":
                given = depends.need
                need[i] = given if isinstance(given, int) else math.ceil(depends.need_weight())
        for selector in match:
            selectors.append((compile_selector(selector), i))
    del specs

    level = _levels(children, parents)
    order = sorted(range(n), key=level.__getitem__)  # stable: by level, then by number

    services = []
    for i, spec in enumerate(model.services):
        calendar = spec.calendar or "24x7"
        sla_calendar = (spec.sla.calendar if spec.sla and spec.sla.calendar else None) or calendar
        services.append(ServiceFacts(i, spec, calendar, spec.impact, spec.workaround, spec.sla, sla_calendar))

    windows = tuple(
        MaintenanceWindow(m.id, tuple(index[x] for x in m.nodes), m.start, m.end, m.reason)
        for m in model.maintenance
    )
    return CompiledGraph(
        model=model,
        ids=ids,
        index=index,
        names=names,
        is_service=(True,) * n_services + (False,) * (n - n_services),
        rule=tuple(rule),
        need=tuple(need),
        children=tuple(children),
        ignored_children=tuple(ignored),
        parents=tuple(map(tuple, parents)),
        total_weight=tuple(total_weight),
        level=tuple(level),
        topological=tuple(order),
        services=tuple(services),
        service_of={s.index: s for s in services},
        selectors=tuple(selectors),
        calendars=dict(model.calendars),
        maintenance=windows,
    )


def _levels(
    children: Sequence[Sequence[tuple[int, int, int]]], parents: Sequence[Sequence[tuple[int, int, int]]]
) -> list[int]:
    """Height of every node over counted edges: 0 for leaves, else 1 + its highest child's.

    Climbs from the leaves: a node is done once all its children are, so each edge is
    followed once (the model is acyclic, as validation made sure).
    """
    pending = [len(counted) for counted in children]
    level = [0] * len(children)
    done = [node for node, count in enumerate(pending) if count == 0]
    for node in done:  # grows as nodes become done
        above = level[node] + 1
        for parent, _, _ in parents[node]:
            if level[parent] < above:
                level[parent] = above
            pending[parent] -= 1
            if pending[parent] == 0:
                done.append(parent)
    return level
