"""Web pages for analysis: what-if (``/ui/whatif``) and single points of failure (``/ui/spof``).

The pages call the functions the JSON API calls (``bizmap.web.api.live``: the live copy of
the own states, the hypothesis check, ``spof_document``), so a page and the API never
disagree. What-if is read-only and answers GET requests, so its URL can be shared and it
works without JavaScript; htmx swaps in the result panel as the user picks components.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import Response

from bizmap.analytics.whatif import impact_of, whatif_document
from bizmap.domain.compile import EFFECT_NAMES, RULE_NAMES, CompiledGraph
from bizmap.domain.propagate import Propagation
from bizmap.domain.states import STATE_LABELS
from bizmap.live.runtime import Live
from bizmap.web.api.live import WhatIfBody, _BadNode, _hypothesis, live_copy, spof_document
from bizmap.web.common import live
from bizmap.web.sessions import ReadViewer
from bizmap.web.ui.render import render

CHOSEN_STATES = ("down", "degraded", "unknown")
GRAPH_LIMIT = 1500  # nodes: a bigger model is not drawn (the browser would choke); search still works
SUGGEST_LIMIT = 5000  # nodes: a bigger model gets no suggestions list (the page would be megabytes)


# --- what-if -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatIfView:
    """What the what-if panel shows: the choice, the answer, or why the choice was refused."""

    chosen: dict[str, list[str]]  # state name -> node ids, as the user gave them
    error: str | None
    document: dict[str, Any] | None  # the API's what-if document (currency included)
    already: frozenset[str]  # business services non-ok live, before the hypothesis
    node_states: dict[str, str]  # every non-ok node under the hypothesis, for the graph


def chosen_from_query(request: Request) -> dict[str, list[str]]:
    """Node ids per state from ``?down=a&down=b,c&degraded=d``; ``add``/``add_state`` append one."""
    chosen: dict[str, list[str]] = {}
    for state in CHOSEN_STATES:
        ids = [part.strip() for value in request.query_params.getlist(state) for part in value.split(",")]
        chosen[state] = list(dict.fromkeys(i for i in ids if i))
    added = request.query_params.get("add", "").strip()
    add_state = request.query_params.get("add_state", "down")
    if added and add_state in CHOSEN_STATES:
        for state in CHOSEN_STATES:  # choosing a node again moves it to the new state
            if added in chosen[state]:
                chosen[state].remove(added)
        chosen[add_state].append(added)
    return chosen


def whatif_view(server: Live, chosen: dict[str, list[str]]) -> WhatIfView:
    """The API's what-if (``POST /api/v1/whatif``) for ``chosen``, on top of the live state."""
    graph = server.graph
    propagation = live_copy(server)
    already = frozenset(s.id for s in impact_of(graph, propagation).services)
    try:
        hypothesis = _hypothesis(graph, WhatIfBody(**chosen))
    except _BadNode as error:
        return WhatIfView(chosen, f"{error.field}: {error.message}", None, already, {})
    propagation.set_own(hypothesis)  # on top of the live own states, as the API does
    document = {"currency": graph.currency, **whatif_document(impact_of(graph, propagation))}
    return WhatIfView(chosen, None, document, already, _non_ok(graph, propagation))


def _non_ok(graph: CompiledGraph, propagation: Propagation) -> dict[str, str]:
    return {graph.ids[i]: STATE_LABELS[s] for i, s in enumerate(propagation.state) if s}


def graph_elements(graph: CompiledGraph) -> list[dict[str, Any]]:
    """The model as Cytoscape.js elements: nodes (business services marked) and dependency edges."""
    elements: list[dict[str, Any]] = [
        {
            "data": {
                "id": node_id,
                "label": graph.names[i] or node_id,
                "kind": "service" if graph.is_service[i] else "component",
            }
        }
        for i, node_id in enumerate(graph.ids)
    ]
    for parent, children in enumerate(graph.children):
        for child, _, effect in children:
            elements.append(
                {
                    "data": {
                        "id": f"{graph.ids[parent]}->{graph.ids[child]}",
                        "source": graph.ids[parent],
                        "target": graph.ids[child],
                        "effect": EFFECT_NAMES[effect],
                    }
                }
            )
    return elements


def panel_query(chosen: dict[str, list[str]]) -> str:
    """The query string that asks for ``chosen`` again (``down=a,b&degraded=c``)."""
    return urlencode([(state, ",".join(ids)) for state, ids in chosen.items() if ids])


def without(chosen: dict[str, list[str]], node: str) -> dict[str, list[str]]:
    return {state: [i for i in ids if i != node] for state, ids in chosen.items()}


def register(app: FastAPI) -> None:
    """Add the what-if and single points of failure pages to ``app``."""

    spof_cache: dict[str, Any] = {}

    def whatif_context(request: Request) -> dict[str, Any]:
        server = live(request)
        view = whatif_view(server, chosen_from_query(request))
        removal = {
            node: panel_query(without(view.chosen, node)) for ids in view.chosen.values() for node in ids
        }
        return {
            "view": view,
            "query": panel_query(view.chosen),
            "removal": removal,
            # the graph's colours; a model too big to draw gets none
            "script_data": {
                "chosen": view.chosen,
                "states": view.node_states if len(server.graph) <= GRAPH_LIMIT else {},
            },
        }

    @app.get("/ui/whatif", include_in_schema=False)
    async def whatif_page(request: Request, viewer: ReadViewer) -> Response:
        graph = live(request).graph
        drawn = len(graph) <= GRAPH_LIMIT
        suggested = graph.ids if len(graph) <= SUGGEST_LIMIT else ()
        return render(
            request,
            "whatif.html",
            viewer,
            title="What if",
            active="whatif",
            node_count=len(graph),
            nodes=[(node_id, graph.names[graph.index[node_id]]) for node_id in suggested],
            drawn=drawn,
            elements=graph_elements(graph) if drawn else [],
            dependencies=dependency_lines(graph) if drawn else [],
            **whatif_context(request),
        )

    @app.get("/ui/whatif/panel", include_in_schema=False)
    async def whatif_panel(request: Request, viewer: ReadViewer) -> Response:
        """The form and the answer alone, swapped in by htmx; the address bar shows the page."""
        context = whatif_context(request)
        response = render(request, "whatif_panel.html", viewer, title="What if", **context)
        query = context["query"]
        response.headers["HX-Push-Url"] = "/ui/whatif" + (f"?{query}" if query else "")
        return response

    @app.get("/ui/spof", include_in_schema=False)
    async def spof_page(request: Request, viewer: ReadViewer) -> Response:
        graph = live(request).graph
        if spof_cache.get("graph") is not graph:  # computed once per model, as the API does
            spof_cache["document"] = await asyncio.to_thread(spof_document, graph)
            spof_cache["graph"] = graph
        document: dict[str, Any] = spof_cache["document"]
        effects = {
            (service["id"], point["node"]): point["effect"]
            for service in document["services"]
            for point in service["single_points"]
        }
        rows = [
            {
                "node": row["node"],
                "name": graph.names[graph.index[row["node"]]],
                "kind": "service" if graph.is_service[graph.index[row["node"]]] else "component",
                "cost_per_hour": row["cost_per_hour"],
                "users_affected": row["users_affected"],
                "services": [(s, effects[(s, row["node"])]) for s in row["services"]],
            }
            for row in document["ranked"]
        ]
        unprotected = [s["id"] for s in document["services"] if not s["single_points"]]
        return render(
            request,
            "spof.html",
            viewer,
            title="Single points of failure",
            active="spof",
            rows=rows,
            currency=document["currency"],
            without_single_points=unprotected,
        )


def dependency_lines(graph: CompiledGraph) -> list[dict[str, Any]]:
    """The graph as text: every node with a rule and the nodes it depends on."""
    lines = []
    for index, node_id in enumerate(graph.ids):
        children = graph.children[index]
        if not children and not graph.ignored_children[index]:
            continue
        lines.append(
            {
                "id": node_id,
                "kind": "service" if graph.is_service[index] else "component",
                "rule": RULE_NAMES[graph.rule[index]],
                "need": graph.need[index],
                "children": [(graph.ids[c], w, EFFECT_NAMES[e]) for c, w, e in children]
                + [(graph.ids[c], 0, "ignore") for c in graph.ignored_children[index]],
            }
        )
    return lines
