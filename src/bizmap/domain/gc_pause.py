"""Pausing the cyclic garbage collector while building large, acyclic structures.

Validating and compiling a model allocate millions of small objects that are all kept;
each allocation burst would otherwise trigger collections that walk the whole, growing
heap and find nothing to free. Measured: validation twice as fast on 100,000 nodes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
