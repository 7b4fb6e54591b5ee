"""The server's garbage collector settings (bizmap.live.heap): the model frozen, a reload freed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_web import make_tokens
from fastapi.testclient import TestClient

from bizmap.live.heap import THRESHOLDS
from bizmap.settings import Settings
from bizmap.web.app import create_app
from helpers import SECTION_9_MODEL


@pytest.fixture
def collector_restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_the_loaded_model_is_frozen_and_a_replaced_one_is_freed(
    tmp_path: Path, collector_restored: None
) -> None:
    database = f"sqlite:///{tmp_path / 'bizmap.db'}"
    tokens = make_tokens(database)
    model = tmp_path / "model.yaml"
    model.write_text(SECTION_9_MODEL)
    app = create_app(Settings(model=str(model), db=database), manage_heap=True)
    with TestClient(app) as client:
        assert gc.get_freeze_count() > 0  # the heap left after loading: out of the collector's way
        assert gc.get_threshold() == THRESHOLDS
        first_engine = weakref.ref(app.state.live.engine)
        first_graph = weakref.ref(app.state.live.graph)
        answer = client.post("/api/v1/model/reload", headers={"Authorization": f"Bearer {tokens['admin']}"})
        assert answer.status_code == 200, answer.text
        # frozen once, the replaced model and engine are still collected: no leak per reload
        assert first_engine() is None and first_graph() is None
        assert app.state.live.engine is not None


def test_an_app_in_a_shared_process_leaves_the_collector_alone(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'bizmap.db'}"
    make_tokens(database)
    model = tmp_path / "model.yaml"
    model.write_text(SECTION_9_MODEL)
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    with TestClient(create_app(Settings(model=str(model), db=database))):
        assert (gc.get_threshold(), gc.get_freeze_count()) == (thresholds, frozen)


class _Node:
    """Something that can sit in a reference cycle and be watched through a weak reference."""

    partner: object = None


def test_settling_again_collects_cycles_frozen_by_the_last_settling(collector_restored: None) -> None:
    from bizmap.live.heap import settle_heap

    first, second = _Node(), _Node()
    first.partner, second.partner = second, first  # a cycle: only the collector can free it
    watched = weakref.ref(first)
    settle_heap()  # frozen while in use (a model, say)
    del first, second  # then replaced
    settle_heap()
    assert watched() is None
