"""Pages for decisions: business impact analysis, availability and the dial, business cases."""

from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    """Add this area's pages to ``app``."""
