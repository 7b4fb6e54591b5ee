"""An HTML report from the API, opened in Chromium under its own Content-Security-Policy (not
bypassed, unlike the other browser tests): it renders whole, charts included, and the browser
reports no violation, so the policy forbids nothing the document needs."""

from __future__ import annotations

from typing import Any

from ui_support import UiServer, now_text, shoot


def test_a_review_renders_under_its_policy(browser: Any, server: UiServer) -> None:
    server.post_events(
        [
            {"node": "db", "state": "down", "time": now_text(-120)},
            {"node": "db", "state": "ok", "time": now_text(-60)},
        ]
    )
    month = now_text()[:7]
    context = browser.new_context(
        viewport={"width": 1000, "height": 900}, extra_http_headers=server.headers("read")
    )
    try:
        page = context.new_page()
        complaints: list[str] = []
        page.on("console", lambda message: complaints.append(message.text))
        page.on("pageerror", lambda error: complaints.append(str(error)))
        answer = page.goto(f"{server.url}/api/v1/reports/review?period={month}&format=html")
        assert answer is not None and answer.status == 200
        assert "sandbox" in answer.headers["content-security-policy"]
        assert page.get_by_role("heading", level=1).inner_text().strip()
        chart = page.locator(".chart svg").first
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        # the <style> block applied: the title's kind line is upper case, as the stylesheet says
        kind = page.locator(".title-block .kind").first
        assert kind.evaluate("node => getComputedStyle(node).textTransform") == "uppercase"
        shoot(page, "report-review-under-csp")
        assert not [text for text in complaints if "Content Security Policy" in text], complaints
    finally:
        context.close()
