"""The server's heap and Python's cyclic garbage collector.

A running server holds a large, long-lived heap (the compiled model, the router's caches,
the framework) and allocates many short-lived objects per request (events, rows, futures).
With the collector's defaults, those short-lived objects reach the oldest generation while
their group waits for its commit, so full collections come every few seconds, each walking
the whole heap: about 0.5 s with a 10,000-node model, 15 % of the server's time under load
and the worst of its response times.

So, once the model is loaded (at start and after every reload), what is left after a full
collection is frozen: the collector leaves it alone from then on (reference counting still
frees it), and young collections run less often. ``bench/bench_ingest.py`` measures the effect.
"""

from __future__ import annotations

import gc

# Collections of the youngest generation every 20,000 net allocations of container objects
# (Python's default: 700), of the middle one every 20 of those, of the oldest one every 20 of
# those (and only when a quarter of it is new since the last, as always).
THRESHOLDS = (20_000, 20, 20)


def settle_heap(collect: bool = True) -> None:
    """Collect everything, then freeze what is left (call after loading or reloading a model).

    What an earlier call froze is thawed first, so that a replaced model's objects, which are
    garbage now, can be collected. After a reload, while events are taken, ``collect=False``
    skips the full collection (half a second with a 10,000-node model, every event waiting):
    the replaced model's objects are freed by their reference counts, and only what is held in
    reference cycles, a little per reload, stays until a restart.
    """
    gc.unfreeze()
    if collect:
        gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
