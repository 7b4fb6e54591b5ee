"""Time simulation of failures and repairs (semantics §7, ``--simulate YEARS --seed S``).

Every node with MTBF and MTTR alternates between up and down with exponential times
(means ``mtbf_hours`` and ``mttr_hours``), independently of the others. The run starts in
the steady state (each node down with probability ``mttr / (mtbf + mttr)``; by the memoryless
property the time left in its first state is again exponential), so no warm-up is needed.
States travel up the graph with the same up/down rules as the exact calculation
(``bizmap.decisions.availability.predict``). Each outage of a business service is then costed like an
episode (§3): only its in-calendar time counts, and the workaround covers the first
``max_hours`` of that time at its ``impact_factor``.

Simulated year k has the calendar of the year given (``year``): the process runs on without
a break, and its time is laid over that calendar year again and again. The availability's
95% confidence interval comes from batch means over ``BATCHES`` equal stretches of the run.
"""

from __future__ import annotations

import calendar as calendar_module
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from bizmap.decisions.availability.predict import Structure, reliability_structure
from bizmap.domain.calendar import BusinessCalendar, CalendarWindow
from bizmap.domain.compile import CompiledGraph, ServiceFacts
from bizmap.domain.cost import WorkaroundAllowance, counted_cost
from bizmap.domain.propagate import DOWN

BATCHES = 30
_T_975_29 = 2.045229642132703  # Student's t, 97.5th percentile, 29 degrees of freedom
HOUR = 3600.0


@dataclass(frozen=True)
class SimulatedService:
    """What one business service went through, per simulated year."""

    id: str
    failures_per_year: float
    mean_outage_hours: float | None  # None when it never failed
    down_hours_per_year: float  # every hour down, in calendar or not
    calendar_down_hours_per_year: float  # the hours that count (its calendar)
    cost_per_year: float  # in-calendar hours at the base rate, less what the workaround saves
    availability: float
    confidence_interval: tuple[float, float]


def year_seconds(year: int) -> float:
    return (366 if calendar_module.isleap(year) else 365) * 86400.0


def simulate(graph: CompiledGraph, years: int, seed: int, year: int) -> list[SimulatedService]:
    """Simulate ``years`` years and report every business service, sorted by id."""
    if years <= 0:
        raise ValueError("years must be at least 1")
    structure = reliability_structure(graph)
    length = year_seconds(year)
    horizon = years * length
    rng = np.random.default_rng(seed)
    specs = [*graph.model.services, *graph.model.components]

    own = [True] * len(graph)
    times: list[np.ndarray[Any, np.dtype[np.float64]]] = []
    nodes: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    states: list[np.ndarray[Any, np.dtype[np.bool_]]] = []
    for node, spec in enumerate(specs):
        if structure.own_up[node] >= 1.0 or spec.mtbf_hours is None or spec.mttr_hours is None:
            continue
        starts_up, flips = _alternating(rng, spec.mtbf_hours * HOUR, spec.mttr_hours * HOUR, horizon)
        own[node] = starts_up
        times.append(flips)
        nodes.append(np.full(len(flips), node, dtype=np.int64))
        # the first flip goes to the opposite of the starting state, then they alternate
        states.append((np.arange(len(flips)) % 2 == 1) == starts_up)

    outages = _service_outages(graph, structure, own, times, nodes, states, horizon)
    found = []
    for facts in graph.services:
        found.append(_report(graph, facts, outages[facts.index], years, year, length, horizon))
    found.sort(key=lambda s: s.id)
    return found


def _alternating(
    rng: np.random.Generator, mean_up: float, mean_down: float, horizon: float
) -> tuple[bool, np.ndarray[Any, np.dtype[np.float64]]]:
    """Start state and the flip times in [0, horizon) of one node's up/down renewal process."""
    starts_up = bool(rng.random() < mean_up / (mean_up + mean_down))
    first, second = (mean_up, mean_down) if starts_up else (mean_down, mean_up)
    pieces = []
    reached = 0.0
    while reached < horizon:
        cycles = max(16, int(1.2 * (horizon - reached) / (mean_up + mean_down)) + 16)
        durations = np.empty(2 * cycles)
        durations[0::2] = rng.exponential(first, cycles)
        durations[1::2] = rng.exponential(second, cycles)
        flips = reached + np.cumsum(durations)
        pieces.append(flips)
        reached = float(flips[-1])
    every = np.concatenate(pieces)
    return starts_up, every[every < horizon]


def _service_outages(
    graph: CompiledGraph,
    structure: Structure,
    own: list[bool],
    times: list[np.ndarray[Any, np.dtype[np.float64]]],
    nodes: list[np.ndarray[Any, np.dtype[np.int64]]],
    states: list[np.ndarray[Any, np.dtype[np.bool_]]],
    horizon: float,
) -> dict[int, list[tuple[float, float]]]:
    """Replay every node's flips in time order and keep each service's down intervals."""
    n = len(graph)
    parents: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for node in range(n):
        for child, weight in structure.children[node]:
            parents[child].append((node, weight))
    up = [True] * n
    up_weight = [0] * n
    for node in structure.topological:
        up_weight[node] = sum(w for c, w in structure.children[node] if up[c])
        up[node] = own[node] and up_weight[node] >= structure.threshold[node]

    services = {facts.index for facts in graph.services}
    went_down: dict[int, float] = {s: 0.0 for s in services if not up[s]}
    outages: dict[int, list[tuple[float, float]]] = {s: [] for s in services}

    def changed(node: int, now: float) -> None:
        if node in services:
            if up[node]:
                outages[node].append((went_down.pop(node), now))
            else:
                went_down[node] = now
        for parent, weight in parents[node]:
            up_weight[parent] += weight if up[node] else -weight
            after = own[parent] and up_weight[parent] >= structure.threshold[parent]
            if after != up[parent]:
                up[parent] = after
                changed(parent, now)

    if times:
        all_times = np.concatenate(times)
        order = np.argsort(all_times, kind="stable")
        all_nodes = np.concatenate(nodes)[order].tolist()
        all_states = np.concatenate(states)[order].tolist()
        for now, node, state in zip(all_times[order].tolist(), all_nodes, all_states, strict=True):
            own[node] = state
            after = state and up_weight[node] >= structure.threshold[node]
            if after != up[node]:
                up[node] = after
                changed(node, now)
    for service, start in went_down.items():
        outages[service].append((start, horizon))
    return outages


def _report(
    graph: CompiledGraph,
    facts: ServiceFacts,
    outages: list[tuple[float, float]],
    years: int,
    year: int,
    length: float,
    horizon: float,
) -> SimulatedService:
    spec = None if facts.calendar == "24x7" else graph.calendars[facts.calendar]
    business = BusinessCalendar(spec, facts.calendar)
    zone = UTC if business.always else business.tz
    year_start = datetime(year, 1, 1, tzinfo=zone).timestamp()
    window = CalendarWindow(business, year_start, year_start + length)

    counted = cost = down = 0.0
    batch_down = [0.0] * BATCHES
    batch_length = horizon / BATCHES
    for start, end in outages:
        down += end - start
        allowance = WorkaroundAllowance(facts)  # one outage is one episode
        for k in range(int(start // length), math.ceil(end / length)):
            lo, hi = max(start, k * length), min(end, (k + 1) * length)
            if hi <= lo:
                continue
            pieces = window.clip(year_start + lo - k * length, year_start + hi - k * length)
            seconds, money = counted_cost(facts, DOWN, pieces, allowance)
            counted += seconds
            cost += money
        for b in range(int(start // batch_length), min(BATCHES, math.ceil(end / batch_length))):
            lo, hi = max(start, b * batch_length), min(end, (b + 1) * batch_length)
            if hi > lo:
                batch_down[b] += hi - lo

    shares = [1.0 - d / batch_length for d in batch_down]
    mean = sum(shares) / BATCHES
    spread = math.sqrt(sum((s - mean) ** 2 for s in shares) / (BATCHES - 1))
    margin = _T_975_29 * spread / math.sqrt(BATCHES)
    failures = sum(1 for start, _ in outages if start > 0.0)
    finished = [end - start for start, end in outages if end < horizon]
    return SimulatedService(
        id=graph.ids[facts.index],
        failures_per_year=failures / years,
        mean_outage_hours=(sum(finished) / len(finished) / HOUR) if finished else None,
        down_hours_per_year=down / HOUR / years,
        calendar_down_hours_per_year=counted / HOUR / years,
        cost_per_year=cost / years,
        availability=1.0 - down / horizon,
        confidence_interval=(max(0.0, mean - margin), min(1.0, mean + margin)),
    )


def simulated_json(service: SimulatedService) -> dict[str, Any]:
    return {
        "failures_per_year": service.failures_per_year,
        "mean_outage_hours": service.mean_outage_hours,
        "down_hours_per_year": service.down_hours_per_year,
        "calendar_down_hours_per_year": service.calendar_down_hours_per_year,
        "cost_per_year": round(service.cost_per_year, 2),
        "availability": service.availability,
        "confidence_interval": list(service.confidence_interval),
    }


def add_simulation(
    document: dict[str, Any], simulated: list[SimulatedService], years: int, seed: int
) -> dict[str, Any]:
    """The availability document with each service's ``simulated`` figures and the run's settings."""
    by_id = {s.id: s for s in simulated}
    return {
        **document,
        "simulation": {"years": years, "seed": seed, "batches": BATCHES},
        "services": [{**s, "simulated": simulated_json(by_id[s["id"]])} for s in document["services"]],
        "simulated_cost_per_year": round(sum(s.cost_per_year for s in simulated), 2),
    }
