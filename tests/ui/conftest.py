"""Browser tests: Playwright drives Debian's Chromium (no browser download) against a real
``bizmap serve`` subprocess on SQLite. Fixtures for every UI test (part 2 reuses them):

- ``browser``: headless Chromium, one per session;
- ``ui_model``: the model file served (override it in a test module for another model);
- ``server``: a ``UiServer`` (``ui_support``) with tokens of every role and users
  ``read-user``/``operate-user``/``admin-user`` (passwords in ``ui_support.PASSWORDS``);
- ``page``: a fresh browser page (own cookies); ``logged_in_page``: one logged in as
  ``operate-user``.

Helpers are in ``ui_support`` (import them from there, not from ``conftest``: several
``conftest`` modules are on sys.path in a whole-suite run): ``login(page, server, role)`` logs
a page in with a password; ``shoot(page, name)`` saves a full-page screenshot in
``tests/ui/artifacts/NAME.png`` (``full_page=False``: the viewport only).

Without Chromium or Playwright the tests skip, saying why, except when CI=true: then they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_support import UI_MODEL, UiServer, login, shoot, start_server

__all__ = ["login", "shoot"]  # still importable from here when this conftest is the one found

CHROMIUM = os.environ.get("BIZMAP_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (CI=true: the browser tests must run, not skip)")
    pytest.skip(why)


@pytest.fixture(scope="module")  # not session: its event loop would outlive tests/ui
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        _unavailable(f"no Chromium at {CHROMIUM} (Debian package `chromium`)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def ui_model(tmp_path: Path) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(UI_MODEL)
    return path


@pytest.fixture
def server(ui_model: Path, tmp_path: Path) -> Iterator[UiServer]:
    running = start_server(ui_model, tmp_path)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp: Playwright's polling helpers evaluate strings, which the pages' policy forbids;
    # bypassing it also makes the escaping tests prove the escaping, not the policy
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def logged_in_page(page: Any, server: UiServer) -> Any:
    login(page, server, "operate")
    return page
