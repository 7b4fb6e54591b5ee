"""Pausing the cyclic garbage collector while building large, acyclic structures.

Validating and compiling a model allocate millions of small objects that are all kept;
each allocation burst would otherwise trigger collections that walk the whole, growing
heap and find nothing to free. Measured: validation twice as fast on 100,000 nodes.

When the pause ends, everything allocated during it is still in the youngest generation, so
the first young collection would walk all of it, and the next middle one again: 8 % of the
time of validating and compiling a million nodes (py-spy). Instead it goes straight to the
oldest generation (``gc.freeze()`` then ``gc.unfreeze()`` moves every tracked object there
without looking at it), where a full collection still finds any garbage among it. This is
skipped while anything is frozen (``bizmap.live.heap``), since it would thaw that too.
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
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()
