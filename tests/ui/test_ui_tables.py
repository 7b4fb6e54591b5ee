"""Tables in real Chromium at 1440x900 and on a phone (390x844): the page never scrolls sideways,
money is never clipped, ids are never cut at a hyphen, and a table too wide for a phone turns
into a stack of cards, each value labelled with its column's heading. The viewer's choice of
time zone in the top bar, with the browser's own zone, works in the browser too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_support import UI_MODEL, UiServer, login, now_text, shoot, start_server

SIZES = [(1440, 900), (390, 844)]
PAGES = [
    "/ui/overview",
    "/ui/incidents",
    "/ui/events",
    "/ui/whatif?down=db,network",
    "/ui/services/ward-care",
    "/ui/spof",
    "/ui/maintenance",
]

# What the reader would see cut: the page wider than the window, a table wider than its place,
# a money or count cell narrower than its text, an id broken over two lines.
MEASURE = """() => {
  const page = document.documentElement;
  const tables = [...document.querySelectorAll("main table")];
  return {
    page_overflow: page.scrollWidth - page.clientWidth,
    tables_too_wide: tables.filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
      .map(t => t.className),
    clipped_figures: [...document.querySelectorAll("main td.num, main .tile dd")]
      .filter(c => c.scrollWidth > c.clientWidth + 1
        || c.getBoundingClientRect().right > page.clientWidth + 1)
      .map(c => c.textContent.trim()),
    broken_ids: [...document.querySelectorAll("main .id-list .id")]
      .filter(s => s.getClientRects().length > 1).map(s => s.textContent),
    stacked: tables.filter(t => t.classList.contains("stacked")).length,
    money: [...document.querySelectorAll("main td.num")].map(c => c.textContent.trim())
      .filter(t => t.startsWith("€")),
  };
}"""


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """The UI model with the shared database and the network down, and an event nobody expects."""
    workdir = tmp_path_factory.mktemp("tables")
    model = workdir / "model.yaml"
    model.write_text(UI_MODEL)
    running = start_server(model, workdir)
    try:
        running.post_events(
            [
                {
                    "node": "db",
                    "state": "down",
                    "time": now_text(-120),
                    "summary": "primary database unreachable",
                },
                {"node": "network", "state": "down", "time": now_text(-60), "summary": "core switch lost"},
                {
                    "labels": {"job": "postgres-exporter", "instance": "db-replica-2.example.org:9187"},
                    "state": "down",
                },
            ]
        )
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def hospital_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """The hospital example (long names, many services) with its DNS appliance down."""
    running = start_server(
        Path(__file__).resolve().parents[2] / "examples" / "hospital", tmp_path_factory.mktemp("h")
    )
    try:
        running.post_events([{"node": "dns-core", "state": "down", "time": now_text(-300)}])
        yield running
    finally:
        running.stop()


def _page(browser: Any, width: int, height: int, **context: Any) -> Any:
    opened = browser.new_context(viewport={"width": width, "height": height}, **context)
    opened.set_default_timeout(10_000)
    return opened.new_page()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_no_page_scrolls_sideways_and_no_figure_is_clipped(
    browser: Any, busy_server: UiServer, width: int, height: int
) -> None:
    page = _page(browser, width, height)
    login(page, busy_server, "operate")
    for path in PAGES:
        page.goto(busy_server.url + path)
        page.wait_for_load_state("networkidle")
        seen = page.evaluate(MEASURE)
        where = f"{path} at {width}x{height}"
        assert seen["page_overflow"] <= 0, f"{where}: the page scrolls sideways by {seen['page_overflow']} px"
        assert seen["tables_too_wide"] == [], (
            f"{where}: tables wider than their place: {seen['tables_too_wide']}"
        )
        assert seen["clipped_figures"] == [], f"{where}: figures clipped: {seen['clipped_figures']}"
        assert seen["broken_ids"] == [], f"{where}: ids cut over two lines: {seen['broken_ids']}"
        if path.startswith("/ui/whatif"):
            # db and network down: ward-care 700, billing 1,200, canteen 50 an hour (ui_support)
            assert sorted(seen["money"]) == ["€1,200", "€50", "€700"], where
        shoot(page, f"tables-{path.strip('/').split('?')[0].replace('/', '-')}-{width}")
    page.context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_hospitals_what_if_and_incidents_fit(
    browser: Any, hospital_server: UiServer, width: int, height: int
) -> None:
    page = _page(browser, width, height)
    login(page, hospital_server, "operate")
    for path in ("/ui/whatif?down=dns-core", "/ui/incidents", "/ui/overview", "/ui/spof"):
        page.goto(hospital_server.url + path)
        page.wait_for_load_state("networkidle")
        seen = page.evaluate(MEASURE)
        where = f"hospital {path} at {width}x{height}"
        assert seen["page_overflow"] <= 0, f"{where}: the page scrolls sideways by {seen['page_overflow']} px"
        assert seen["tables_too_wide"] == [], (
            f"{where}: tables wider than their place: {seen['tables_too_wide']}"
        )
        assert seen["clipped_figures"] == [], f"{where}: figures clipped: {seen['clipped_figures']}"
        assert seen["broken_ids"] == [], f"{where}: ids cut over two lines: {seen['broken_ids']}"
        if width == 1440:
            assert seen["stacked"] == 0, f"{where}: a table turned into cards on a wide screen"
    page.context.close()


def test_on_a_phone_the_incidents_are_cards_with_every_value_labelled(
    browser: Any, busy_server: UiServer
) -> None:
    phone = _page(browser, 390, 844)
    login(phone, busy_server, "operate")
    phone.goto(busy_server.url + "/ui/incidents")
    table = phone.locator("main table")
    assert "stacked" in (table.get_attribute("class") or "")
    first = table.locator("tbody tr").first
    labels = first.locator("[data-label]").evaluate_all("cells => cells.map(c => c.dataset.label)")
    assert labels == [
        "Incident",
        "Status",
        "Opened",
        "Business services",
        "Root causes",
        "People",
        "Cost",
        "Acknowledged",
    ]
    # the label is shown before each value, on the card
    shown = first.locator('[data-label="Root causes"]').evaluate(
        "c => getComputedStyle(c, '::before').content + ' ' + c.textContent"
    )
    assert shown == '"Root causes" db, network'
    phone.context.close()
    # the same page on a wide screen stays a table, "Acknowledged" whole in its heading
    wide = _page(browser, 1440, 900)
    login(wide, busy_server, "operate")
    wide.goto(busy_server.url + "/ui/incidents")
    assert "stacked" not in (wide.locator("main table").get_attribute("class") or "")
    heading = wide.get_by_role("columnheader", name="Acknowledged")
    assert heading.evaluate("h => h.scrollWidth <= h.clientWidth")
    wide.context.close()


def test_a_viewer_in_new_york_chooses_the_browsers_zone(browser: Any, busy_server: UiServer) -> None:
    page = _page(browser, 1440, 900, timezone_id="America/New_York")
    login(page, busy_server, "operate")
    page.goto(busy_server.url + "/ui/events")
    first = page.locator("main table time").first
    utc = first.get_attribute("datetime")
    assert utc is not None and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", utc)
    assert first.text_content().endswith(" UTC")  # the UI model names no zone: the organisation's is UTC
    choice = page.get_by_label("Times in")
    assert "America/New_York (this browser)" in choice.inner_text()
    with page.expect_navigation():
        choice.select_option("browser")
    assert page.url.endswith("/ui/events")
    shown = page.locator("main table time").first.text_content()
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d E[SD]T", shown), shown
    assert page.get_by_label("Times in").input_value() == "browser"
    page.goto(busy_server.url + "/ui/incidents")  # the choice stays
    assert re.search(r"E[SD]T$", page.locator("main table time").first.text_content())
    page.context.close()


def test_without_scripts_a_wide_table_scrolls_in_its_own_frame_not_the_page(
    browser: Any, busy_server: UiServer
) -> None:
    page = _page(browser, 390, 844, java_script_enabled=False)
    login(page, busy_server, "operate")
    for path in ("/ui/events", "/ui/incidents", "/ui/spof"):
        page.goto(busy_server.url + path)
        seen = page.evaluate(MEASURE)  # Playwright's own world runs with the page's scripts off
        assert seen["stacked"] == 0  # no script made cards
        assert seen["page_overflow"] <= 0, f"{path}: the page scrolls sideways by {seen['page_overflow']} px"
    page.context.close()
