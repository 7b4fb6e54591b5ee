"""Steady-state availability of every business service from MTBF and MTTR (semantics §7).

Each node with ``mtbf_hours`` and ``mttr_hours`` is up by itself with probability
``mtbf / (mtbf + mttr)``, independently of every other node; a node without them never
fails by itself. A node is up when it is up by itself and its rule holds over the up/down
states of its counted children. ``soft`` and ``ignore`` children never bring a parent down:
they are left out of the failure analysis, which this module expresses by counting a soft
child as always up (for ``all`` that is the same as dropping it; for ``any`` and ``quorum``
it is what the state engine does, where a down soft child is seen as merely degraded).

Every rule becomes a threshold: "the weight of up, failure-prone children reaches t".

Exact evaluation. Below a service, a node reachable by two or more paths is *shared*; the
children of a shared node are shared too. The joint distribution of the up-states of the
shared nodes is built bottom-up (each shared node's state is a function of its children's
states and its own coin), and a shared node is summed out as soon as only already-processed
shared nodes use it. For each remaining joint state, the rest of the graph is a tree of
independent sub-structures, evaluated with series/parallel products and, for quorums, a
dynamic programme over the distribution of up weight. This is pivotal decomposition on the
shared nodes with the independent parts evaluated once each.

When the joint states to carry exceed ``EXACT_STATE_LIMIT``, the service is estimated by
Monte Carlo instead (seeded, with a 95% Wilson confidence interval) and says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bizmap.domain.calendar import BusinessCalendar
from bizmap.domain.compile import EFFECT_SOFT, RULE_ALL, RULE_ANY, CompiledGraph
from bizmap.errors import BizmapError

# Exact evaluation carries at most this many joint states of shared nodes (2**14); beyond it,
# Monte Carlo. A model whose shared nodes are few or nested (a core network under a cluster
# under a storage pair) stays far below it.
EXACT_STATE_LIMIT = 1 << 14
MONTE_CARLO_SAMPLES = 400_000
MONTE_CARLO_SEED = 0
_CHUNK = 50_000
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Structure:
    """The graph reduced to what matters for up/down: per node, its own availability, its
    failure-prone counted children with weights, and the up weight its rule needs."""

    own_up: tuple[float, ...]
    children: tuple[tuple[tuple[int, int], ...], ...]
    threshold: tuple[int, ...]  # rule holds when the up weight of ``children`` >= threshold
    can_fail: tuple[bool, ...]
    level: tuple[int, ...]
    topological: tuple[int, ...]  # children first


def own_availability(mtbf_hours: float | None, mttr_hours: float | None) -> float:
    """``mtbf / (mtbf + mttr)``; 1 for a node without them (it never fails by itself)."""
    if mtbf_hours is None or mttr_hours is None:
        return 1.0
    return mtbf_hours / (mtbf_hours + mttr_hours)


def reliability_structure(graph: CompiledGraph) -> Structure:
    """Reduce a compiled graph to thresholds over failure-prone children (see module doc)."""
    specs = [*graph.model.services, *graph.model.components]
    n = len(graph)
    own_up = [own_availability(spec.mtbf_hours, spec.mttr_hours) for spec in specs]
    children: list[tuple[tuple[int, int], ...]] = [()] * n
    threshold = [0] * n
    can_fail = [False] * n
    for node in graph.topological:
        counted = graph.children[node]
        # weight that is always up: soft children, and hard children that never fail
        steady = sum(w for c, w, e in counted if e == EFFECT_SOFT or not can_fail[c])
        prone = tuple((c, w) for c, w, e in counted if e != EFFECT_SOFT and can_fail[c])
        rule = graph.rule[node]
        if rule == RULE_ALL:
            needed = sum(w for _, w in prone)
        elif rule == RULE_ANY:
            needed = 0 if steady > 0 or not counted else 1
        else:
            needed = graph.need[node] - steady
        needed = max(needed, 0)
        children[node] = prone if needed > 0 else ()
        threshold[node] = needed
        can_fail[node] = own_up[node] < 1.0 or needed > 0
    return Structure(
        own_up=tuple(own_up),
        children=tuple(children),
        threshold=tuple(threshold),
        can_fail=tuple(can_fail),
        level=graph.level,
        topological=graph.topological,
    )


def rule_probability(children: Sequence[tuple[float, int]], threshold: int) -> float:
    """P(the up weight of independent children reaches ``threshold``); children: (P(up), weight)."""
    if threshold <= 0:
        return 1.0
    total = sum(w for _, w in children)
    if threshold > total:
        return 0.0
    if threshold == total:  # series: every child up
        return math.prod(p for p, _ in children)
    if threshold <= min(w for _, w in children):  # parallel: any child up is enough
        return 1.0 - math.prod(1.0 - p for p, _ in children)
    # quorum: distribution of the up weight, capped at the threshold
    dist = [1.0] + [0.0] * threshold
    for p, w in children:
        new = [0.0] * (threshold + 1)
        for k, mass in enumerate(dist):
            if mass:
                new[min(threshold, k + w)] += mass * p
                new[k] += mass * (1.0 - p)
        dist = new
    return dist[threshold]


class ExactTooLarge(BizmapError):
    """Exact evaluation would carry more joint states than the limit allows."""


def exact_availability(structure: Structure, root: int, state_limit: int = EXACT_STATE_LIMIT) -> float:
    """The exact probability that ``root`` is up; raises ``ExactTooLarge`` beyond the limit."""
    if not structure.can_fail[root]:
        return 1.0
    children, threshold, own_up = structure.children, structure.threshold, structure.own_up
    below = _below(structure, root)
    # paths from the root, capped at 2, parents before children
    paths = {root: 1}
    parents: dict[int, set[int]] = {v: set() for v in below}
    for node in sorted(below, key=lambda v: -structure.level[v]):
        for child, _ in children[node]:
            paths[child] = min(2, paths.get(child, 0) + paths[node])
            parents[child].add(node)
    shared = sorted((v for v in below if paths[v] >= 2), key=lambda v: structure.level[v])
    shared_set = set(shared)
    position_in_order = {v: i for i, v in enumerate(shared)}
    # a shared node used by a tree node stays to the end; else it goes after its last user
    keep = {v for v in shared if any(p not in shared_set for p in parents[v])}
    last_user: dict[int, list[int]] = {}
    for v in shared:
        if v not in keep:
            last = max(parents[v], key=position_in_order.__getitem__)
            last_user.setdefault(last, []).append(v)

    frontier: list[int] = []
    states: dict[tuple[bool, ...], float] = {(): 1.0}
    for node in shared:
        slot = {v: i for i, v in enumerate(frontier)}
        kids = [(slot[c], w) for c, w in children[node]]
        p = own_up[node]
        grown: dict[tuple[bool, ...], float] = {}
        for state, mass in states.items():
            holds = sum(w for i, w in kids if state[i]) >= threshold[node]
            if holds and p > 0.0:
                grown[(*state, True)] = grown.get((*state, True), 0.0) + mass * p
            down = mass * (1.0 - p) if holds else mass
            if down > 0.0:
                grown[(*state, False)] = grown.get((*state, False), 0.0) + down
        frontier.append(node)
        states = grown
        done = last_user.get(node)
        if done:
            frontier, states = _sum_out(frontier, states, set(done))
        if len(states) > state_limit:
            raise ExactTooLarge(f"{len(states)} joint states of shared nodes (limit {state_limit})")

    slot = {v: i for i, v in enumerate(frontier)}
    touches: dict[int, bool] = {}

    def touches_frontier(node: int) -> bool:
        if node in slot:
            return True
        if node not in touches:
            touches[node] = any(touches_frontier(c) for c, _ in children[node])
        return touches[node]

    fixed: dict[int, float] = {}

    def up(node: int, state: tuple[bool, ...]) -> float:
        if node in slot:
            return 1.0 if state[slot[node]] else 0.0
        if node in fixed:
            return fixed[node]
        value = own_up[node] * rule_probability(
            [(up(c, state), w) for c, w in children[node]], threshold[node]
        )
        if not touches_frontier(node):
            fixed[node] = value
        return value

    return sum(mass * up(root, state) for state, mass in states.items())


def _below(structure: Structure, root: int) -> set[int]:
    seen = {root}
    stack = [root]
    while stack:
        for child, _ in structure.children[stack.pop()]:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def _sum_out(
    frontier: list[int], states: Mapping[tuple[bool, ...], float], gone: set[int]
) -> tuple[list[int], dict[tuple[bool, ...], float]]:
    kept = [i for i, v in enumerate(frontier) if v not in gone]
    merged: dict[tuple[bool, ...], float] = {}
    for state, mass in states.items():
        key = tuple(state[i] for i in kept)
        merged[key] = merged.get(key, 0.0) + mass
    return [frontier[i] for i in kept], merged


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with its 95% Wilson confidence interval."""

    value: float
    low: float
    high: float
    samples: int


def monte_carlo_availability(
    structure: Structure, root: int, samples: int = MONTE_CARLO_SAMPLES, seed: int = MONTE_CARLO_SEED
) -> Estimate:
    """Sample every node's own state independently and count how often ``root`` is up."""
    import numpy as np  # here: the server and the CLI start without numpy

    rng = np.random.default_rng(seed)
    order = sorted(_below(structure, root), key=lambda v: structure.level[v])
    up_count = 0
    remaining = samples
    while remaining > 0:
        size = min(_CHUNK, remaining)
        remaining -= size
        up: dict[int, np.ndarray[Any, np.dtype[np.bool_]]] = {}
        for node in order:
            p = structure.own_up[node]
            state = rng.random(size) < p if p < 1.0 else np.ones(size, dtype=np.bool_)
            kids = structure.children[node]
            if kids:
                weight = np.zeros(size, dtype=np.int64)
                for child, w in kids:
                    weight += w * up[child]
                state &= weight >= structure.threshold[node]
            up[node] = state
        up_count += int(up[root].sum())
    low, high = wilson_interval(up_count, samples)
    return Estimate(up_count / samples, low, high, samples)


def wilson_interval(successes: int, trials: int, z: float = _Z95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (sound near 0 and 1)."""
    if trials == 0:
        return 0.0, 1.0
    share = successes / trials
    denominator = 1 + z * z / trials
    centre = (share + z * z / (2 * trials)) / denominator
    spread = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - spread), min(1.0, centre + spread)


@dataclass(frozen=True)
class ServiceAvailability:
    """One business service: availability, how it was found, and what downtime costs a year."""

    id: str
    availability: float
    method: str  # "exact" or "monte-carlo"
    calendar: str
    calendar_hours_per_year: float
    expected_down_hours_per_year: float
    expected_cost_per_year: float
    base_rate: float
    confidence_interval: tuple[float, float] | None = None
    samples: int | None = None


@dataclass(frozen=True)
class ExtraNine:
    """The same service with one more nine: a tenth of the unavailability, so a tenth of the
    expected downtime and of its cost (both are proportional to it). What it would cost to get
    there is the dial's question (``bizmap availability --dial``): which replica, which MTTR."""

    availability: float
    expected_down_hours_per_year: float
    expected_cost_per_year: float
    saving_per_year: float  # the downtime cost it avoids a year


def extra_nine(service: ServiceAvailability) -> ExtraNine:
    after = 1 - (1 - service.availability) / 10
    cost_after = service.expected_cost_per_year / 10
    return ExtraNine(
        availability=after,
        expected_down_hours_per_year=service.expected_down_hours_per_year / 10,
        expected_cost_per_year=cost_after,
        saving_per_year=service.expected_cost_per_year - cost_after,
    )


def calendar_hours(graph: CompiledGraph, name: str, year: int) -> float:
    """Hours of the calendar ``name`` in the calendar year ``year`` (24x7: 8,760 or 8,784)."""
    spec = None if name == "24x7" else graph.calendars[name]
    return BusinessCalendar(spec, name).hours_in_year(year)


def service_availability(
    graph: CompiledGraph,
    year: int,
    *,
    state_limit: int = EXACT_STATE_LIMIT,
    samples: int = MONTE_CARLO_SAMPLES,
    seed: int = MONTE_CARLO_SEED,
) -> list[ServiceAvailability]:
    """Every business service, sorted by id (semantics §7)."""
    structure = reliability_structure(graph)
    hours: dict[str, float] = {}
    found = []
    for facts in graph.services:
        if facts.calendar not in hours:
            hours[facts.calendar] = calendar_hours(graph, facts.calendar, year)
        interval: tuple[float, float] | None = None
        drawn: int | None = None
        try:
            value = exact_availability(structure, facts.index, state_limit)
            method = "exact"
        except ExactTooLarge:
            estimate = monte_carlo_availability(structure, facts.index, samples, seed)
            value, method = estimate.value, "monte-carlo"
            interval, drawn = (estimate.low, estimate.high), estimate.samples
        value = min(1.0, max(0.0, value))
        down_hours = (1.0 - value) * hours[facts.calendar]
        found.append(
            ServiceAvailability(
                id=graph.ids[facts.index],
                availability=value,
                method=method,
                calendar=facts.calendar,
                calendar_hours_per_year=hours[facts.calendar],
                expected_down_hours_per_year=down_hours,
                expected_cost_per_year=down_hours * facts.base_rate,
                base_rate=facts.base_rate,
                confidence_interval=interval,
                samples=drawn,
            )
        )
    found.sort(key=lambda s: s.id)
    return found


def nines(availability: float) -> float:
    """-log10(1 - A): 99.9 % is 3 nines; infinite when the service never fails."""
    if availability >= 1.0:
        return math.inf
    return -math.log10(1.0 - availability)


def percent_text(availability: float) -> str:
    """Enough decimals to show the first digit that is not a 9: 99.99134 %."""
    if availability >= 1.0:
        return "100 %"
    decimals = max(2, min(10, math.floor(nines(availability))))
    return f"{availability * 100:.{decimals}f} %"


def nines_text(availability: float) -> str:
    """2.57; "never down" when the service never fails."""
    value = nines(availability)
    return "never down" if math.isinf(value) else f"{value:.2f}"


def service_json(service: ServiceAvailability) -> dict[str, Any]:
    """One service as in semantics §7, plus its calendar and, for Monte Carlo, the interval."""
    body: dict[str, Any] = {
        "id": service.id,
        "availability": service.availability,
        "method": service.method,
        "expected_down_hours_per_year": service.expected_down_hours_per_year,
        "expected_cost_per_year": round(service.expected_cost_per_year, 2),
        "calendar": service.calendar,
        "calendar_hours_per_year": service.calendar_hours_per_year,
    }
    if service.confidence_interval is not None:
        body["confidence_interval"] = list(service.confidence_interval)
        body["samples"] = service.samples
    more = extra_nine(service)
    body["extra_nine"] = {
        "availability": more.availability,
        "expected_down_hours_per_year": more.expected_down_hours_per_year,
        "expected_cost_per_year": round(more.expected_cost_per_year, 2),
        "saving_per_year": round(more.saving_per_year, 2),
    }
    return body


def availability_document(
    graph: CompiledGraph, year: int, services: Iterable[ServiceAvailability]
) -> dict[str, Any]:
    """The ``bizmap availability --json`` document of semantics §7."""
    listed = list(services)
    return {
        "currency": graph.currency,
        "year": year,
        "services": [service_json(s) for s in listed],
        "expected_cost_per_year": round(sum(s.expected_cost_per_year for s in listed), 2),
    }
