"""``bizmap availability``: steady-state availability, time simulation, the dial (semantics §7)."""

from __future__ import annotations
