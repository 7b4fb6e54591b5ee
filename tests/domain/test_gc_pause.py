"""Pausing the garbage collector: what is built during the pause leaves the young generation.

Everything allocated during ``gc_paused`` goes to the oldest generation when it ends, so that
no young collection walks it; garbage among it is still found by a full collection; and
nothing frozen by someone else (the server's settled heap) is thawed.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bizmap.domain.gc_pause import gc_paused


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def collector() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    gc.collect()
    yield
    gc.unfreeze()
    if not was_enabled:
        gc.disable()


def test_what_is_built_during_the_pause_leaves_the_young_generation(collector: None) -> None:
    with gc_paused():
        assert not gc.isenabled()
        kept = [[i] for i in range(10_000)]
        assert gc.get_count()[0] >= 10_000
    assert gc.isenabled()
    assert gc.get_count() == (0, 0, 0)
    assert gc.get_freeze_count() == 0
    assert len(kept) == 10_000


def test_a_cycle_dropped_during_the_pause_is_still_collected(collector: None) -> None:
    with gc_paused():
        a, b = Node(), Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
        del a, b
    assert alive() is not None  # in a cycle: only the collector frees it
    gc.collect()
    assert alive() is None


def test_what_someone_else_froze_stays_frozen(collector: None) -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    with gc_paused():
        built = [[i] for i in range(1_000)]
    assert gc.get_freeze_count() == frozen
    assert len(built) == 1_000


def test_a_collector_disabled_before_stays_disabled(collector: None) -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()
