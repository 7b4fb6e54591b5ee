"""The web UI's operations pages: events, model and catalog, maintenance windows (UI part 2).

See bizmap.web.pages for how a page module registers its routes and renders templates.
"""

from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    """Add this area's pages to ``app`` (``bizmap.web.pages.register`` calls this)."""
