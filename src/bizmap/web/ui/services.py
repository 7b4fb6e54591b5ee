"""The service page: one business service's state, dependency graph with the root-cause path,
episodes, SLA error-budget burn for the current and previous periods, and its facts.

Every number comes from the engine's own functions (``service_now``, the timeline's
segments, ``episodes``, ``sla_periods``); this module only arranges them for the page, and
draws the SLA chart as inline SVG with a table beside it (charts have text equivalents).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response

from bizmap.domain.calendar import CalendarWindow, period_containing
from bizmap.domain.compile import EFFECT_NAMES, RULE_NAMES, CompiledGraph, ServiceFacts
from bizmap.domain.episodes import episodes
from bizmap.domain.propagate import OK
from bizmap.domain.sla import SlaPeriod, sla_periods
from bizmap.domain.states import STATE_LABELS
from bizmap.engine.live_engine import LiveEngine
from bizmap.web.api.services import service_json
from bizmap.web.common import live
from bizmap.web.sessions import ReadViewer
from bizmap.web.ui.render import render

EPISODE_DAYS = 30  # the episodes listed: this many days back (as far as the live history goes)
GRAPH_LIMIT = 400  # nodes drawn; a larger subgraph is cut (the table says so)
BURN_SAMPLES = 48  # points per period on the error-budget burn chart


@dataclass(frozen=True)
class BurnPeriod:
    """One SLA period: its figures so far and its burn curve (elapsed share, budget used share).

    Nothing is known before the server's start of measurement (semantics §10): a period wholly
    before it has no figures (``sla`` is None), one that began before it is ``partial``, measured
    from then.
    """

    label: str
    start: float  # the period's own start
    sla: SlaPeriod | None  # None: no data
    measured_from: float
    partial: bool
    budget_seconds: float  # of the time measured so far, as every surface gives it (semantics §10)
    points: tuple[tuple[float, float], ...]  # shares of the whole period's budget, if the rest stays up


def below(graph: CompiledGraph, root: int) -> list[int]:
    """``root`` and every node it depends on (ignored edges too), breadth first."""
    seen, order, queue = {root}, [root], deque([root])
    while queue:
        node = queue.popleft()
        for child in [c for c, _, _ in graph.children[node]] + list(graph.ignored_children[node]):
            if child not in seen:
                seen.add(child)
                order.append(child)
                queue.append(child)
    return order


def cause_paths(graph: CompiledGraph, state: Sequence[int], root: int, causes: set[int]) -> list[list[int]]:
    """For each root cause, one shortest path to it from ``root`` through non-ok nodes only."""
    parent: dict[int, int | None] = {root: None}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for child, _, _ in graph.children[node]:
            if child not in parent and state[child] != OK:
                parent[child] = node
                queue.append(child)
    paths: list[list[int]] = []
    for cause in sorted(causes, key=lambda n: graph.ids[n]):
        if cause not in parent:
            continue
        path: list[int] = []
        at: int | None = cause
        while at is not None:
            path.append(at)
            at = parent[at]
        paths.append(path[::-1])
    return paths


def graph_view(engine: LiveEngine, graph: CompiledGraph, root: int) -> dict[str, Any]:
    """Nodes and edges under ``root`` for Cytoscape and the table, marking the root-cause paths."""
    propagation = engine.timeline.propagation
    state, own = propagation.state, propagation.own
    _, _, roots = engine.timeline.status(root)
    paths = cause_paths(graph, state, root, set(roots))
    on_path = {node for path in paths for node in path}
    path_edges = {(a, b) for path in paths for a, b in pairwise(path)}
    nodes = below(graph, root)
    cut = len(nodes) > GRAPH_LIMIT
    shown = set(nodes[:GRAPH_LIMIT])
    rows, elements = [], []
    for node in nodes[:GRAPH_LIMIT]:
        label = graph.names[node] or graph.ids[node]
        kind = "service" if graph.is_service[node] else "component"
        elements.append(
            {
                "data": {
                    "id": graph.ids[node],
                    "label": label,
                    "state": STATE_LABELS[state[node]],
                    "kind": kind,
                    "cause": node in roots,
                    "path": node in on_path,
                }
            }
        )
        children = [(c, w, e) for c, w, e in graph.children[node]]
        children += [(c, 1, 3) for c in graph.ignored_children[node]]
        for child, _, effect in children:
            if child in shown:
                edge_id = f"{graph.ids[node]}->{graph.ids[child]}"
                elements.append(
                    {
                        "data": {
                            "id": edge_id,
                            "source": graph.ids[node],
                            "target": graph.ids[child],
                            "effect": EFFECT_NAMES[effect],
                            "path": (node, child) in path_edges,
                        }
                    }
                )
        rows.append(
            {
                "id": graph.ids[node],
                "label": label,
                "state": STATE_LABELS[state[node]],
                "own_state": STATE_LABELS[own[node]],
                "cause": node in roots,
                "rule": RULE_NAMES[graph.rule[node]] if children else "",
                "children": [
                    (graph.ids[c], EFFECT_NAMES[e]) for c, _, e in sorted(children, key=lambda x: x[0])
                ],
            }
        )
    return {
        "elements": elements,
        "rows": rows,
        "cut": cut,
        "total": len(nodes),
        "paths": [[graph.ids[n] for n in path] for path in paths],
        "causes": sorted(graph.ids[r] for r in roots),
    }


def burn_periods(engine: LiveEngine, facts: ServiceFacts, now: float) -> list[BurnPeriod]:
    """The previous and the current SLA period, each with its budget burn curve."""
    sla = facts.sla
    if sla is None:
        return []
    calendar = engine.calendar(facts.sla_calendar)
    end = max(now, engine.timeline.now, engine.start + 1e-6)
    current_start, current_end = period_containing(calendar.timezone, sla.period, end)
    previous_start, _ = period_containing(calendar.timezone, sla.period, current_start - 1)
    segments = engine.timeline.segments(facts.index, end, since=max(engine.start, previous_start))
    window = CalendarWindow(calendar, max(engine.start, previous_start), max(current_end, end))
    out = []
    for label, start, stop, until in (
        ("previous", previous_start, current_start, current_start),
        ("current", current_start, current_end, end),
    ):
        measured_from = max(start, engine.start, engine.known_from)
        found = sla_periods(facts, segments, window, measured_from, until) if measured_from < until else []
        if not found:  # before the first event: no data, not "100 % met"
            out.append(BurnPeriod(label, start, None, measured_from, False, 0.0, ()))
            continue
        so_far = found[-1]
        rest = sum(b - a for a, b in window.clip(until, stop)) if until < stop else 0.0
        whole = (1 - sla.target / 100) * (so_far.measured_seconds + rest)  # the chart's scale
        points = [((measured_from - start) / (stop - start), 0.0)]  # the curve begins with measurement
        for step in range(1, BURN_SAMPLES + 1):
            instant = measured_from + (until - measured_from) * step / BURN_SAMPLES
            part = sla_periods(facts, segments, window, measured_from, instant)
            used = part[-1].down_seconds if part else 0.0
            points.append(((instant - start) / (stop - start), used / whole if whole > 0 else 0.0))
        budget = (1 - sla.target / 100) * so_far.measured_seconds
        partial = measured_from > start
        out.append(BurnPeriod(label, start, so_far, measured_from, partial, budget, tuple(points)))
    return out


LABEL_HEIGHT = 14  # a 12 px label with its descent


def burn_chart(periods: list[BurnPeriod]) -> dict[str, Any]:
    """Coordinates for the inline SVG: x = share of the period elapsed, y = share of budget used."""
    width, height, left, bottom, top = 640, 260, 56, 36, 12
    periods = [p for p in periods if p.sla is not None]  # a period without data draws no line
    ceiling = max([1.0, *(y for p in periods for _, y in p.points)])
    ceiling = min(ceiling, 5.0)  # beyond 5x overspent the line is clipped (the table has the number)

    def x(share: float) -> float:
        return round(left + share * (width - left - 12), 1)

    def y(share: float) -> float:
        return round(height - bottom - min(share, ceiling) / ceiling * (height - bottom - top), 1)

    lines = [
        {
            "label": p.label,
            "points": " ".join(f"{x(a)},{y(b)}" for a, b in p.points),
        }
        for p in periods
    ]
    ticks = [{"y": y(share), "text": f"{round(share * 100)}%"} for share in (0, ceiling / 2, ceiling)]
    return {
        "width": width,
        "height": height,
        "lines": lines,
        "ticks": ticks,
        "budget_y": y(1.0),
        # above its line, unless the line is the top of the chart: then below it (never clipped)
        "budget_label_y": y(1.0) - 5 if y(1.0) - 5 >= LABEL_HEIGHT else y(1.0) + LABEL_HEIGHT + 2,
        "x0": x(0),
        "x1": x(1),
        "base_y": y(0),
    }


def episode_rows(engine: LiveEngine, graph: CompiledGraph, facts: ServiceFacts, now: float) -> list[Any]:
    end = max(now, engine.timeline.now, engine.start + 1e-6)
    since = max(engine.start, end - EPISODE_DAYS * 86400)
    segments = engine.timeline.segments(facts.index, end, since=since)
    window = CalendarWindow(engine.calendar(facts.calendar), since, end)
    found = episodes(facts, segments, window, end)
    return [
        {
            "start": e.start,
            "end": e.end,
            "worst_state": STATE_LABELS[e.worst_state],
            "planned": e.planned,
            "counted_seconds": e.counted_seconds,
            "cost": e.cost,
            "root_causes": sorted(graph.ids[r] for r in e.root_causes),
        }
        for e in reversed(found)
    ]


def register(app: FastAPI) -> None:
    """Add this area's pages to ``app``."""

    @app.get("/ui/services/{service_id}", include_in_schema=False)
    async def service_page(service_id: str, request: Request, viewer: ReadViewer) -> Response:
        server = live(request)
        graph, engine = server.graph, server.engine
        index = graph.index.get(service_id)
        if index is None or not graph.is_service[index]:
            raise HTTPException(404, f"no business service {service_id!r}")
        facts = graph.service_of[index]
        now = server.clock()
        periods = burn_periods(engine, facts, now)
        return render(
            request,
            "service.html",
            viewer,
            title=graph.names[index] or service_id,
            active="overview",
            service=service_json(engine.service_now(facts, now), graph.currency),
            spec=facts.spec,
            facts=facts,
            calendar=graph.calendars.get(facts.calendar),
            currency=graph.currency,
            graph=graph_view(engine, graph, index),
            episodes=episode_rows(engine, graph, facts, now),
            episode_days=EPISODE_DAYS,
            periods=periods,
            chart=burn_chart(periods) if any(p.sla is not None for p in periods) else None,
            measurement_start=engine.measurement_start,
        )
