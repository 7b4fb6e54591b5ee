"""Part 2 pages in a real browser: what-if by clicking the graph and by keyboard, maintenance
windows added and ended, an unmatched event's near miss, and a screenshot of each page.

The model is ``ui_support.UI_MODEL``: ward-care (500 + 20 x 10 = 700 per hour) needs
records-app (db and network); billing (1,000 + 5 x 40 = 1,200 per hour) needs billing-app
(db); canteen (50 per hour, no people) needs network. db has the selector ``{job: postgres}``.
"""

from __future__ import annotations

import re
import time
from typing import Any

from ui_support import UiServer, now_text, shoot

WHATIF_TOTAL = ".whatif-total"


def click_graph_node(page: Any, node: str) -> None:
    """A real mouse click where Cytoscape drew ``node`` (the canvas has no DOM per node)."""
    page.wait_for_function("() => document.getElementById('whatif-cy')._cyreg?.cy")
    # Cytoscape caches where its canvas is and refreshes that on scroll events: let a
    # scroll that just happened reach it (two frames) before the click
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    point = page.evaluate(
        """(node) => {
            const holder = document.getElementById('whatif-cy');
            const position = holder._cyreg.cy.getElementById(node).renderedPosition();
            const box = holder.getBoundingClientRect();
            return {x: box.left + position.x, y: box.top + position.y};
        }""",
        node,
    )
    page.mouse.click(point["x"], point["y"])


def test_whatif_click_on_db_shows_both_services_and_the_cost(logged_in_page: Any, server: UiServer) -> None:
    page = logged_in_page
    page.goto(server.url + "/ui/whatif")
    page.locator("#whatif-cy").scroll_into_view_if_needed()
    click_graph_node(page, "db")
    # db down: records-app and billing-app down, so ward-care (700) and billing (1,200) are
    # down: 1,900 per hour; people 20 + 5 = 25
    page.wait_for_function(
        "() => document.querySelector('.whatif-total')?.innerText.includes('services hit')"
    )
    assert page.url == server.url + "/ui/whatif?down=db"  # the address can be shared
    total = page.locator(WHATIF_TOTAL)
    assert (
        re.sub(r"\s+", " ", total.inner_text())
        == "2 business services hit, €1,900 per hour, 25 people affected."
    )
    rows = page.locator("table.whatif-services tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-service") == "billing"  # highest cost first
    assert rows.nth(1).get_attribute("data-service") == "ward-care"
    assert "safety at stake" in rows.nth(1).inner_text()
    shoot(page, "whatif")
    # a second click on db takes it back: nothing is hit
    click_graph_node(page, "db")
    page.get_by_text("Nothing chosen yet").wait_for()
    assert page.locator(WHATIF_TOTAL).inner_text().startswith("No business service would be hit")


def test_whatif_by_keyboard_through_the_search_box(logged_in_page: Any, server: UiServer) -> None:
    page = logged_in_page
    page.goto(server.url + "/ui/whatif")
    page.get_by_label("Component or service").fill("network")
    page.get_by_label("fails as").select_option("down")
    page.get_by_label("Component or service").press("Enter")
    # network down: records-app down, so ward-care (700); canteen (50): 750 per hour, 20 people
    page.wait_for_function(
        "() => document.querySelector('.whatif-total')?.innerText.includes('€750 per hour')"
    )
    assert "20 people" in page.locator(WHATIF_TOTAL).inner_text()
    assert page.get_by_label("Component or service").input_value() == ""  # ready for the next one


def test_add_a_maintenance_window_and_end_it_early(logged_in_page: Any, server: UiServer) -> None:
    page = logged_in_page
    # The engine's clock moves with events only (a quiet server is still at its start).
    page.goto(server.url + "/ui/maintenance")
    page.get_by_label("Nodes").fill("db")
    page.get_by_label("Reason").fill("Database patching")
    page.get_by_label("Id (optional)").fill("mw-db")
    page.get_by_role("button", name="Add window").click()  # start now, end in an hour (defaults)
    page.get_by_text("Window mw-db added.").wait_for()
    row = page.locator("#window-mw-db")
    assert "Database patching" in row.inner_text() and "active" in row.inner_text()
    # The form's start is the page's minute; when a minute began between the event above and the
    # page, the window starts after the engine's clock: the next event brings it into force.
    server.post_events([{"node": "network", "state": "ok", "time": now_text()}])
    deadline = time.monotonic() + 10  # the engine applies an acknowledged event a moment later
    while not server.api("/api/v1/nodes/db")["in_maintenance"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.api("/api/v1/nodes/db")["in_maintenance"] is True
    shoot(page, "maintenance")
    row.get_by_role("button", name="End window mw-db now").click()
    page.get_by_text("Window mw-db ended.").wait_for()
    assert page.locator("#window-mw-db").count() == 0
    assert server.api("/api/v1/nodes/db")["in_maintenance"] is False
    actions = [e["action"] for e in server.api("/api/v1/audit?limit=5", role="admin")["entries"]]
    assert actions[:2] == ["maintenance.end", "maintenance.add"]


def test_an_unmatched_event_shows_its_near_miss(logged_in_page: Any, server: UiServer) -> None:
    page = logged_in_page
    answer = server.post_events(
        [
            {
                "labels": {"job": "postgress", "instance": "db-1"},
                "state": "down",
                "time": now_text(),
                "summary": "<b>db</b>",
            }
        ]
    )
    assert answer["unmatched"] == 1
    page.goto(server.url + "/ui/events?unmatched=1")
    near = page.locator(".near-miss").first
    text = re.sub(r"\s+", " ", near.inner_text())
    # db's selector {job: postgres} shares the key job, whose value differs by one letter
    assert "db wants job=postgres" in text
    assert "differs: job expected postgres, got postgress" in text
    assert page.get_by_role("cell", name="<b>db</b>").count() == 1  # shown as text, not markup
    shoot(page, "events")


def test_screenshots_of_the_spof_and_model_pages(logged_in_page: Any, server: UiServer) -> None:
    page = logged_in_page
    page.goto(server.url + "/ui/spof")
    # db alone takes ward-care and billing down: 700 + 1,200 = 1,900 per hour, 20 + 5 = 25
    # people, first; network: ward-care and canteen, 700 + 50 = 750, 20 people. records-app and
    # billing-app have children and no monitoring of their own: groups, never listed (§5).
    ranks = page.locator("table.spof tbody tr th code").all_inner_texts()
    assert ranks == ["db", "network"]
    first = page.locator("table.spof tbody tr").first.inner_text()
    assert re.search(r"€1,900\s+25\s", first), first
    shoot(page, "spof")
    page.goto(server.url + "/ui/model")
    assert "is valid: 3 business services" in page.locator("main").inner_text()
    shoot(page, "model")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(server.url + "/ui/whatif?down=db")
    shoot(page, "whatif-phone")


def test_the_whatif_answer_follows_the_live_state_without_a_reload(
    logged_in_page: Any, server: UiServer
) -> None:
    """db down, as a hypothesis, hits billing and ward-care. Then network really goes down, so
    ward-care is not working now already: the answer says so within seconds, without a reload,
    and what was being typed in the form is still there."""
    page = logged_in_page
    page.goto(server.url + "/ui/whatif?down=db")
    page.wait_for_selector("table.whatif-services tbody tr[data-service='ward-care']")
    assert "already not working now" not in page.locator("table.whatif-services").inner_text()
    page.fill("#whatif-add", "netw")  # typed, not sent
    try:
        server.post_events([{"node": "network", "state": "down", "summary": "core switch lost"}])
        page.wait_for_function(
            """() => document.querySelector("tr[data-service='ward-care']")
                ?.innerText.includes('already not working now')""",
            timeout=5_000,
        )
        assert page.input_value("#whatif-add") == "netw"
        assert page.url == server.url + "/ui/whatif?down=db"
    finally:
        server.post_events([{"node": "network", "state": "ok"}])
