"""Live read API beyond services and events: nodes, what-if and single points of failure over
the live state, the audit log, and /metrics."""

from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    """Add this area's routes to ``app``."""
