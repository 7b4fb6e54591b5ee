"""Propagation of states through a compiled graph (semantics §2).

Each node keeps, per state, the total weight of its counted children that it sees in that
state (after the edge effect). A rule is then a constant-time look at four numbers, and a
child's change costs one subtraction and one addition at each parent. A change to a node's
own state re-evaluates only its ancestors, in level order, and stops wherever a state does
not change. ``recompute_all`` rebuilds everything from the own states, for bursts and checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from bizmap.domain.compile import (
    EFFECT_MAP,
    HEAP_SHIFT,
    RULE_ALL,
    RULE_ANY,
    CompiledGraph,
)
from bizmap.domain.states import State

# Final: compiled, these are constants rather than module attributes looked up at each use
OK: Final = 0
DEGRADED: Final = 1
UNKNOWN: Final = 2
DOWN: Final = 3
_MASK: Final = (1 << HEAP_SHIFT) - 1


def evaluate_rule(rule: int, need: int, buckets: list[int], total: int) -> int:
    """Derived state from the weights seen ok/degraded/unknown/down (``buckets``)."""
    if total == 0:
        return OK
    w_ok, w_degraded, w_unknown, w_down = buckets
    if rule == RULE_ALL:
        if w_down:
            return DOWN
        if w_unknown:
            return UNKNOWN
        return DEGRADED if w_degraded else OK
    if rule == RULE_ANY:
        if w_ok:
            return OK
        if w_degraded:
            return DEGRADED
        return UNKNOWN if w_unknown else DOWN
    # quorum: need is the smallest whole weight that satisfies q (weights are integers)
    if w_ok >= need:
        return OK
    if w_ok + w_degraded >= need:
        return DEGRADED
    if w_ok + w_degraded + w_unknown >= need:
        return UNKNOWN
    return DOWN


class Propagation:
    """Own states in, node states out; incremental by default, full on request."""

    __slots__ = (
        "_buckets",
        "_level",
        "_need",
        "_pending",
        "_queued",
        "_rule",
        "_total",
        "_upward",
        "graph",
        "own",
        "state",
    )

    def __init__(self, graph: CompiledGraph) -> None:
        self.graph = graph
        n = len(graph)
        self.own: list[int] = [OK] * n
        self.state: list[int] = [OK] * n
        # all children start ok: each node sees its whole counted weight as ok
        self._buckets: list[list[int]] = [[w, 0, 0, 0] for w in graph.total_weight]
        # the graph's arrays, held here: compiled, reading an attribute of this class is direct
        self._rule = graph.rule
        self._need = graph.need
        self._total = graph.total_weight
        self._level = graph.level
        # effect maps typed as plain tuples: compiled, a fixed-size tuple would be rebuilt to be indexed
        self._upward: tuple[tuple[tuple[int, int, tuple[int, ...]], ...], ...] = graph.upward
        # nodes waiting to be re-evaluated, one list per level (a parent's level is above all its
        # children's), and whether each node is waiting: a queue with no heap and no allocation
        self._pending: list[list[int]] = [[] for _ in range(max(graph.level, default=-1) + 1)]
        self._queued: list[bool] = [False] * n

    def set_own(self, changes: Mapping[int, int] | Iterable[tuple[int, int]]) -> list[int]:
        """Set own states and propagate; return the nodes whose state changed, children first."""
        items = changes.items() if isinstance(changes, Mapping) else changes
        level, own, pending, queued = self._level, self.own, self._pending, self._queued
        first = len(pending)
        for node, value in items:
            if own[node] != value:
                own[node] = int(value)
                if not queued[node]:
                    queued[node] = True
                    at = level[node]
                    pending[at].append(node)
                    if at < first:
                        first = at
        return self._drain(first)

    def set_own_one(self, node: int, value: int) -> list[int]:
        """``set_own`` for one node."""
        if self.own[node] == value:
            return []
        self.own[node] = value
        at = self._level[node]
        self._queued[node] = True
        self._pending[at].append(node)
        return self._drain(at)

    def _drain(self, first: int) -> list[int]:
        # Level by level from ``first`` up, and by node number within a level: children always
        # come before their parents (the order a heap keyed on (level, node) would give), and a
        # node queued by several children is evaluated once, after all of them.
        rule, need, total, upward = self._rule, self._need, self._total, self._upward
        own, state, buckets = self.own, self.state, self._buckets
        pending, queued = self._pending, self._queued
        changed: list[int] = []
        mask = _MASK
        for at in range(first, len(pending)):
            nodes = pending[at]
            if not nodes:
                continue
            if len(nodes) > 1:
                nodes.sort()
            for node in nodes:  # parents go to higher levels: this list does not grow meanwhile
                queued[node] = False
                mine = own[node]
                if total[node]:
                    derived = evaluate_rule(rule[node], need[node], buckets[node], total[node])
                    new = mine if mine > derived else derived
                else:
                    new = mine
                old = state[node]
                if new == old:
                    continue
                state[node] = new
                changed.append(node)
                for parent_key, weight, mapping in upward[node]:
                    seen_old = mapping[old]
                    seen_new = mapping[new]
                    if seen_old != seen_new:
                        parent = parent_key & mask
                        bucket = buckets[parent]
                        bucket[seen_old] = bucket[seen_old] - weight  # not -=: compiled, -= is generic
                        bucket[seen_new] = bucket[seen_new] + weight
                        if not queued[parent]:
                            queued[parent] = True
                            pending[parent_key >> HEAP_SHIFT].append(parent)
            nodes.clear()
        return changed

    def recompute_all(self) -> list[int]:
        """Recompute every state from the own states; return the nodes whose state changed."""
        graph = self.graph
        rule, need, total, children = graph.rule, graph.need, graph.total_weight, graph.children
        own, state = self.own, self.state
        previous = list(state)
        buckets: list[list[int]] = [[0, 0, 0, 0] for _ in range(len(graph))]
        for node in graph.topological:
            bucket = buckets[node]
            for child, weight, effect in children[node]:
                bucket[EFFECT_MAP[effect][state[child]]] += weight
            derived = evaluate_rule(rule[node], need[node], bucket, total[node])
            state[node] = own[node] if own[node] > derived else derived
        self._buckets = buckets
        return [node for node in graph.topological if state[node] != previous[node]]

    def node_state(self, node: int) -> State:
        return State(self.state[node])

    def reset(self) -> None:
        """Every own state back to ok."""
        changes = {i: OK for i, s in enumerate(self.own) if s != OK}
        self.set_own(changes)


def root_causes(graph: CompiledGraph, propagation: Propagation, node: int) -> list[int]:
    """Nodes with a non-ok own state reachable from ``node`` through non-ok nodes only."""
    state, own, children = propagation.state, propagation.own, graph.children
    if state[node] == OK:
        return []
    found: list[int] = []
    seen = {node}
    stack = [node]
    while stack:
        current = stack.pop()
        if own[current] != OK:
            found.append(current)
        for child, _, _ in children[current]:
            if child not in seen and state[child] != OK:
                seen.add(child)
                stack.append(child)
    return found


def affected_ancestors(graph: CompiledGraph, propagation: Propagation, sources: Iterable[int]) -> set[int]:
    """Nodes whose root causes may have changed after ``sources`` changed state or own state.

    Walks up from the sources through nodes that are non-ok now (an ok node breaks every
    path through it, before and after, unless it is itself a source).
    """
    state, parents = propagation.state, graph.parents
    seen: set[int] = set()
    stack = list(sources)
    seen.update(stack)
    while stack:
        node = stack.pop()
        for parent, _, _ in parents[node]:
            if parent not in seen and state[parent] != OK:
                seen.add(parent)
                stack.append(parent)
    return seen
