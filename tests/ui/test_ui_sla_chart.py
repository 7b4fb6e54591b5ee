"""The SLA error-budget chart of a service page in a real browser: every label inside the chart.

Issue 20: "whole budget" was clipped at the top when the budget was not overspent (the
budget line is then the chart's top line and its label sat above the drawing).
"""

from __future__ import annotations

from typing import Any

import pytest
from ui_support import UiServer, login, now_text, shoot

LABELS_OUTSIDE = """svg => {
  const box = svg.viewBox.baseVal;
  return Array.from(svg.querySelectorAll('text')).map(t => {
    const b = t.getBBox();
    return {text: t.textContent, inside: b.x >= 0 && b.y >= 0 && b.x + b.width <= box.width
                                          && b.y + b.height <= box.height};
  }).filter(l => !l.inside).map(l => l.text);
}"""


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_every_label_of_the_budget_chart_is_inside_it(
    page: Any, server: UiServer, width: int, height: int
) -> None:
    server.post_events([{"node": "billing-app", "state": "down", "time": now_text(-60)}])
    page.set_viewport_size({"width": width, "height": height})
    login(page, server, "read")
    page.goto(server.url + "/ui/services/billing")
    chart = page.locator('svg[aria-labelledby="burn-title"]')
    chart.wait_for()
    labels = chart.locator("text").all_text_contents()
    assert "whole budget" in labels
    assert chart.evaluate(LABELS_OUTSIDE) == []
    chart.screenshot(path=str(shoot(page, f"sla-chart-{width}", full_page=False)))
