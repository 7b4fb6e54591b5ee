"""Analyses over a compiled model: what-if, single points of failure (pure, no I/O)."""
