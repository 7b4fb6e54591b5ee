"""Fixtures of the consistency suite: one in-process server with the fixed clock for the whole
module, Chromium (Debian's, through Playwright) with its clock set to the same instant, and the
command line run in-process with its clock set to it too.

Without Chromium or Playwright the browser tests skip, saying why, except when CI=true.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from consistency_support import NOW, PASSWORD, Served, serve

import bizmap.cli.report

CHROMIUM = os.environ.get("BIZMAP_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    running, server, thread = serve(tmp_path_factory.mktemp("consistency"))
    try:
        yield running
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def cli_clock() -> Iterator[None]:
    """``bizmap report`` reads the clock as ``time.time()`` in its module: give it the server's now."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bizmap.cli.report, "time", SimpleNamespace(time=lambda: NOW))
        yield


@pytest.fixture(scope="module")
def browser_page(served: Served) -> Iterator[Any]:
    """A logged-in Chromium page whose clock is the server's fixed now (the pages tick with it)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        _unavailable(f"no Chromium at {CHROMIUM} (Debian package `chromium`)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.clock.set_fixed_time(NOW)
        page.goto(served.url + "/login")
        page.get_by_label("Name", exact=True).fill(served.user)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        page.wait_for_url("**/ui/overview")
        yield page
        browser.close()


def _unavailable(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (CI=true: the browser tests must run, not skip)")
    pytest.skip(why)
