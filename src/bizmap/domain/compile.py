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
from fractions import Fraction
from functools import cached_property
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


def _compile(model: Model) -> CompiledGraph:
    ids = tuple(spec.id for spec in [*model.services, *model.components])
    index = {node_id: i for i, node_id in enumerate(ids)}
    n = len(ids)
    n_services = len(model.services)
    names = tuple(spec.name for spec in [*model.services, *model.components])

    rule = [RULE_ALL] * n
    need = [0] * n
    children: list[tuple[tuple[int, int, int], ...]] = [()] * n
    ignored: list[tuple[int, ...]] = [()] * n
    parents: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
    total_weight = [0] * n
    selectors: list[tuple[Selector, int]] = []

    for i, spec in enumerate([*model.services, *model.components]):
        depends = spec.depends_on
        if depends is not None:
            counted = []
            skipped = []
            for child in depends.children:
                effect = EFFECT_CODES[child.effect]
                c = index[child.id]
                if effect == EFFECT_IGNORE:
                    skipped.append(c)
                else:
                    counted.append((c, child.weight, effect))
                    parents[c].append((i, child.weight, effect))
            children[i] = tuple(counted)
            ignored[i] = tuple(skipped)
            total_weight[i] = sum(w for _, w, _ in counted)
            rule[i] = RULE_CODES[depends.rule]
            if depends.rule == "quorum":
                need[i] = math.ceil(Fraction(depends.need_weight()))
        for selector in spec.match:
            selectors.append((compile_selector(selector), i))

    level, order = _levels(n, children, ignored)

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
        is_service=tuple(i < n_services for i in range(n)),
        rule=tuple(rule),
        need=tuple(need),
        children=tuple(children),
        ignored_children=tuple(ignored),
        parents=tuple(tuple(p) for p in parents),
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
    n: int,
    children: Sequence[tuple[tuple[int, int, int], ...]],
    ignored: Sequence[tuple[int, ...]],
) -> tuple[list[int], list[int]]:
    """Height of every node over counted edges, and an order with children first."""
    level = [-1] * n
    for root in range(n):
        if level[root] >= 0:
            continue
        stack = [root]
        while stack:
            node = stack[-1]
            pending = [c for c, _, _ in children[node] if level[c] < 0]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            if level[node] < 0:
                level[node] = 1 + max((level[c] for c, _, _ in children[node]), default=-1)
    order = sorted(range(n), key=level.__getitem__)
    return level, order
