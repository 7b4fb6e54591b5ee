"""Business impact analysis over the HTTP API."""

from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""
