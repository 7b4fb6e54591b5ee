"""The decision pages in a real browser: a reader answers the BIA questionnaire for a
safety-critical service and sees its tier, reasons and mismatch; turns the dial and evaluates
a business case through their forms, on a desk and on a phone (screenshots in artifacts/)."""

from __future__ import annotations

from typing import Any

import pytest
from ui_support import UiServer, login, shoot


def test_a_reader_fills_the_bia_form_and_sees_the_tier(page: Any, server: UiServer) -> None:
    login(page, server, "read")
    page.get_by_role("link", name="Decisions").click()
    page.get_by_role("link", name="Business impact analysis").click()
    page.get_by_label("Start from the model's figures for").select_option("ward-care")
    page.get_by_role("button", name="Prefill the questionnaire").click()
    # Ward care, from the model: lives at stake, a paper workaround for as long as needed.
    assert page.get_by_label("Yes").first.is_checked()
    assert page.locator("#f-money-lost-per-hour").input_value() == "500"
    # safety threatened needs "after how long"; leave it empty first: the error sits by the field
    page.get_by_role("button", name="Assess").click()
    error = page.locator("#f-safety-after-hours-error-1")
    question = "“After how many hours down (with the workaround in use)?”"
    assert error.inner_text().startswith(f"{question} is required")
    page.locator("#f-safety-after-hours").fill("1")
    page.locator("#f-safety-after-hours").press("Enter")  # submits the form from the keyboard
    tier = page.locator("#bia-tier")
    tier.wait_for()
    # safety threatened: tier 0 whatever the money. Used 24x7 (no calendar) as asked: no hours
    # mismatch. An hour down costs 500 + 20 x 10 = 700; tier 0's 99.95 % avoids (99.95 - 98) %
    # of 8,760 h x 700 = 119,574 a year against the ladder's 250,000: a rolls-royce mismatch.
    assert tier.inner_text() == "Tier 0 (safety-critical)"
    assert "Mismatch (rolls royce)" in page.locator("#assessment").inner_text()
    assert "Maximum tolerable disruption" in page.locator("#assessment").inner_text()
    shoot(page, "decisions-bia-ward-care")
    page.get_by_role("link", name="See the portfolio").click()
    assert "Ward care" in page.locator("table").first.inner_text()
    shoot(page, "decisions-index")


def test_the_example_case_shows_figures_and_both_charts(page: Any, server: UiServer) -> None:
    login(page, server, "read")
    page.goto(server.url + "/ui/decisions/case")
    assert "Extend online hours" in page.get_by_label("Business case (YAML)").input_value()
    page.get_by_role("button", name="Evaluate", exact=True).click()
    page.locator("#case-npv").wait_for()
    assert page.locator("#case-npv").inner_text().startswith("€")
    charts = page.locator("figure.chart-figure svg")
    assert charts.count() == 2
    assert charts.first.bounding_box()["height"] > 100  # drawn, not an empty box
    assert "Extra online hours" in page.locator("#tornado-table").inner_text()
    shoot(page, "decisions-case")


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_the_dial_and_case_forms_work_and_fit(page: Any, server: UiServer, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    login(page, server, "read")
    page.goto(server.url + "/ui/decisions/availability")
    page.get_by_label("Yearly cost of the change").fill("1,000")
    page.locator("#change-0-kind").select_option(label="Set MTBF / MTTR")
    page.locator("#change-0-node").fill("db")
    page.locator("#change-0-mtbf_hours").fill("999")
    page.locator("#change-0-mttr_hours").fill("1")
    page.get_by_role("button", name="Turn the dial", exact=True).click()
    page.locator("#dial-net").wait_for()
    # db never failed (no MTBF in the model): giving it one only loses availability, so the
    # change avoids no cost and the net value is minus its yearly cost or worse
    assert page.locator("#dial-net").inner_text().startswith("-€")
    assert "set:" in page.locator("#changes").input_value()  # the YAML of what was typed
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"decisions-dial-form-{width}")
    page.goto(server.url + "/ui/decisions/case")
    assert page.locator("#cost-1-name").input_value() == "Implementation"  # the example, in the form
    page.get_by_role("button", name="Evaluate", exact=True).click()
    page.locator("#case-npv").wait_for()
    assert page.locator("#case-npv").inner_text().startswith("€")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, f"decisions-case-form-{width}")
