"""The dependency graphs in a real browser (issue 20, graphs): labels never on one another, zoom
and fit by buttons, the what-if graph filtered to one business service's subgraph, and the
root-cause path highlighted, at 1440x900 and on a phone (390x844).

The model is ``ui_support.UI_MODEL``: ward-care needs records-app (db and network); billing
needs billing-app (db); canteen needs network.
"""

from __future__ import annotations

from typing import Any

import pytest
from ui_support import UiServer, login

SIZES = [(1440, 900), (390, 844)]


OVERLAPS = """(id) => {
    const cy = document.getElementById(id)._cyreg.cy;
    const boxes = cy.nodes(':visible').map(n => [n.id(), n.boundingBox({includeLabels: true})]);
    const hits = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const [a, p] = boxes[i], [b, q] = boxes[j];
        if (p.x1 < q.x2 && q.x1 < p.x2 && p.y1 < q.y2 && q.y1 < p.y2) hits.push(a + '/' + b);
    }
    return hits;
}"""


def ready(page: Any, holder: str) -> None:
    page.wait_for_function(f"() => document.getElementById('{holder}')?._cyreg?.cy")
    page.wait_for_selector(".graph-tools")


def zoom(page: Any, holder: str) -> float:
    return float(page.evaluate(f"() => document.getElementById('{holder}')._cyreg.cy.zoom()"))


def visible(page: Any, holder: str, count: int | None = None) -> list[str]:
    """The nodes drawn (once ``count`` of them are: the style is redrawn on the next frame)."""
    nodes = f"document.getElementById('{holder}')._cyreg.cy.nodes(':visible')"
    if count is not None:
        page.wait_for_function(f"() => {nodes}.length === {count}")
    return sorted(page.evaluate(f"() => {nodes}.map(n => n.id())"))


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_whatif_graph_zooms_filters_and_shows_the_path(
    page: Any, server: UiServer, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    login(page, server, "operate")
    page.goto(server.url + "/ui/whatif?down=db")
    ready(page, "whatif-cy")
    assert page.evaluate(OVERLAPS, "whatif-cy") == []
    before = zoom(page, "whatif-cy")
    page.get_by_role("button", name="Zoom in").click()
    assert zoom(page, "whatif-cy") == pytest.approx(before * 1.25, rel=0.01)
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Zoom out").click()
    assert zoom(page, "whatif-cy") < before
    # db down: the path from each service it hurts down to db is drawn in red
    page.wait_for_function("() => document.getElementById('whatif-cy')._cyreg.cy.edges('.path').length > 0")
    path = sorted(
        page.evaluate("() => document.getElementById('whatif-cy')._cyreg.cy.edges('.path').map(e => e.id())")
    )
    assert path == ["billing->billing-app", "billing-app->db", "records-app->db", "ward-care->records-app"]
    # one service's subgraph: billing and what it depends on
    page.select_option("select.graph-filter", "billing")
    assert visible(page, "whatif-cy", 3) == ["billing", "billing-app", "db"]
    assert page.evaluate(OVERLAPS, "whatif-cy") == []
    page.select_option("select.graph-filter", index=0)  # the whole model
    assert len(visible(page, "whatif-cy", 7)) == 7
    page.get_by_role("button", name="Fit the graph to its frame").click()
    # the page itself never scrolls sideways for the graph or its tools
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_service_graph_has_its_tools_and_no_label_on_another(
    page: Any, server: UiServer, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    login(page, server, "read")
    page.goto(server.url + "/ui/services/ward-care")
    ready(page, "graph")
    assert visible(page, "graph") == ["db", "network", "records-app", "ward-care"]
    assert page.evaluate(OVERLAPS, "graph") == []
    before = zoom(page, "graph")
    page.get_by_role("button", name="Zoom in").click()
    assert zoom(page, "graph") == pytest.approx(before * 1.25, rel=0.01)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
