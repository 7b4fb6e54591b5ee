"""Dark mode (issue 20): the system's choice by default, a toggle that the browser keeps, and
text that stays readable (WCAG AA, 4.5:1) in both themes."""

from __future__ import annotations

import re
from typing import Any

from ui_support import UiServer, login, shoot


def luminance(css: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", css)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(foreground: str, background: str) -> float:
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def colours(page: Any, selector: str) -> tuple[str, str]:
    """The text colour of ``selector`` and the background it is drawn on."""
    return page.evaluate(  # type: ignore[no-any-return]
        """(selector) => {
            const el = document.querySelector(selector);
            let node = el, bg = "rgba(0, 0, 0, 0)";
            while (node && (bg === "rgba(0, 0, 0, 0)" || bg === "transparent")) {
                bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
            }
            return [getComputedStyle(el).color, bg];
        }""",
        selector,
    )


def new_page(browser: Any, scheme: str) -> Any:
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, color_scheme=scheme, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def test_a_dark_system_gets_the_dark_theme_with_readable_text(browser: Any, server: UiServer) -> None:
    server.post_events([{"node": "db", "state": "down"}])
    page = new_page(browser, "dark")
    login(page, server, "read")
    page.locator(".badge-down").first.wait_for()
    text, background = colours(page, "main h1")
    assert luminance(background) < 0.05  # a dark page
    assert contrast(text, background) >= 4.5
    for selector in (".badge-down", ".tile dt", "main a"):
        assert contrast(*colours(page, selector)) >= 4.5, selector
    shoot(page, "overview-dark", full_page=False)
    page.context.close()


def test_the_toggle_switches_the_theme_and_the_browser_keeps_it(browser: Any, server: UiServer) -> None:
    page = new_page(browser, "light")
    login(page, server, "read")
    toggle = page.get_by_role("button", name="Dark mode")
    assert toggle.get_attribute("aria-pressed") == "false"
    light_text, light_background = colours(page, "main h1")
    assert luminance(light_background) > 0.9 and contrast(light_text, light_background) >= 4.5
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert luminance(colours(page, "main h1")[1]) < 0.05
    page.goto(server.url + "/ui/events")  # another page, the same choice
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert luminance(colours(page, "main h1")[1]) < 0.05
    page.get_by_role("button", name="Dark mode").click()  # and back
    assert luminance(colours(page, "main h1")[1]) > 0.9
    page.context.close()
