"""``bizmap case``: business cases (semantics §8)."""

from __future__ import annotations
