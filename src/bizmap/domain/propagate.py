"""Propagation of states through a compiled graph (semantics §2).

Each node keeps, per state, the total weight of its counted children that it sees in that
state (after the edge effect). A rule is then a constant-time look at four numbers, and a
child's change costs one subtraction and one addition at each parent. A change to a node's
own state re-evaluates only its ancestors, in level order, and stops wherever a state does
not change. ``recompute_all`` rebuilds everything from the own states, for bursts and checks.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping

from bizmap.domain.compile import (
    EFFECT_MAP,
    HEAP_SHIFT,
    RULE_ALL,
    RULE_ANY,
    CompiledGraph,
)
from bizmap.domain.states import State

OK, DEGRADED, UNKNOWN, DOWN = 0, 1, 2, 3
_MASK = (1 << HEAP_SHIFT) - 1


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

    __slots__ = ("_buckets", "graph", "own", "state")

    def __init__(self, graph: CompiledGraph) -> None:
        self.graph = graph
        n = len(graph)
        self.own: list[int] = [OK] * n
        self.state: list[int] = [OK] * n
        # all children start ok: each node sees its whole counted weight as ok
        self._buckets: list[list[int]] = [[w, 0, 0, 0] for w in graph.total_weight]

    def set_own(self, changes: Mapping[int, int] | Iterable[tuple[int, int]]) -> list[int]:
        """Set own states and propagate; return the nodes whose state changed, children first."""
        items = changes.items() if isinstance(changes, Mapping) else changes
        level = self.graph.level
        own = self.own
        heap: list[int] = []
        for node, value in items:
            if own[node] != value:
                own[node] = int(value)
                heap.append(level[node] << HEAP_SHIFT | node)
        if not heap:
            return []
        heapq.heapify(heap)
        return self._drain(heap)

    def set_own_one(self, node: int, value: int) -> list[int]:
        """``set_own`` for one node."""
        if self.own[node] == value:
            return []
        self.own[node] = value
        return self._drain([self.graph.level[node] << HEAP_SHIFT | node])

    def _drain(self, heap: list[int]) -> list[int]:
        # Heap keys are level << _SHIFT | node, so children (lower levels) always come out
        # before their parents, and a node queued twice comes out twice in a row.
        graph = self.graph
        upward, rule, need, total = graph.upward, graph.rule, graph.need, graph.total_weight
        own, state, buckets = self.own, self.state, self._buckets
        changed: list[int] = []
        pop, push = heapq.heappop, heapq.heappush
        mask = _MASK
        previous_key = -1
        while heap:
            key = pop(heap)
            if key == previous_key:
                continue
            previous_key = key
            node = key & mask
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
                    bucket = buckets[parent_key & mask]
                    bucket[seen_old] -= weight
                    bucket[seen_new] += weight
                    push(heap, parent_key)
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
