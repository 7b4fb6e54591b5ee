"""Events: appended in one transaction, idempotent on their id, listed in arrival order."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from storage_support import T0, arrived, event

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.storage import Store, StoredEvent, migrate
from bizmap.storage.store import _event_row


def test_an_id_twice_in_one_batch_is_stored_once_the_first_time(store: Store) -> None:
    batch = arrived(event("a", id="x"), event("b", id="x"), event("c", id="y"))

    assert store.append_events(batch) == (2, 1)

    assert [(e.event_id, e.node) for e in store.events()] == [("x", "a"), ("y", "c")]


def test_an_id_seen_in_an_earlier_batch_is_a_duplicate(store: Store) -> None:
    assert store.append_events(arrived(event(id="x"), event(id="y"))) == (2, 0)

    assert store.append_events(arrived(event(id="y"), event(id="x"))) == (0, 2)
    assert store.append_events(arrived(event(id="z"), event(id="x"), event(id="z"), event())) == (2, 2)

    assert [e.event_id for e in store.events()] == ["x", "y", "z", None]


def test_each_item_is_told_whether_it_was_accepted(store: Store) -> None:
    store.append_events(arrived(event(id="old")))

    flags = store.append_events_each(arrived(event(id="new"), event(id="old"), event(), event(id="new")))

    assert flags == [True, False, True, False]


def test_events_without_id_are_all_kept(store: Store) -> None:
    same = event(id=None)

    assert store.append_events(arrived(same, same, same)) == (3, 0)
    assert store.append_events(arrived(same)) == (1, 0)

    assert store.count_events() == 4


def test_an_empty_batch_stores_nothing(store: Store) -> None:
    assert store.append_events([]) == (0, 0)
    assert store.count_events() == 0


def test_duplicates_are_counted_across_many_pages_of_one_batch(store: Store) -> None:
    store.append_events(arrived(*(event(id=f"e{i}") for i in range(0, 2500, 2))))  # the even ones

    batch = arrived(*(event(id=f"e{i}") for i in range(2500)), event(id="e7"))

    assert store.append_events(batch) == (1250, 1251)
    assert store.count_events() == 2500


def test_unmatched_events_are_kept_and_listed_as_unmatched(store: Store) -> None:
    store.append_events(arrived(event("known", id="m")) + arrived(event("stray", id="u"), matched=False))

    assert [(e.event_id, e.matched) for e in store.events()] == [("m", True), ("u", False)]
    assert [e.event_id for e in store.events(matched=False)] == ["u"]
    assert [e.event_id for e in store.events(matched=True)] == ["m"]


def test_every_field_is_stored_and_the_time_defaults_to_the_receipt_time(store: Store) -> None:
    full = event(
        None, State.DEGRADED, T0 - 30, "full", labels={"instance": "web-1:9100", "job": "node"},
        key="disk", summary="disk full", source="nagios",
    )  # fmt: skip
    timeless = event("db-1", State.OK, None)

    store.append_events([(full, T0, True), (timeless, T0 + 5, False)])

    first, second = store.events()
    assert first == StoredEvent(
        seq=first.seq, event_id="full", received_at=T0, time=T0 - 30, node=None,
        labels={"instance": "web-1:9100", "job": "node"}, state=State.DEGRADED, key="disk",
        summary="disk full", source="nagios", matched=True,
    )  # fmt: skip
    assert first.to_event() == full
    assert isinstance(first.state, State)
    assert (second.time, second.received_at, second.key, second.labels) == (T0 + 5, T0 + 5, "default", None)
    assert second.event == Event(State.OK, T0 + 5, node="db-1")


def test_events_come_in_arrival_order_whatever_their_time(store: Store) -> None:
    store.append_events(arrived(event(time=T0 + 50, id="late"), event(time=T0, id="early")))
    store.append_events(arrived(event(time=T0 - 100, id="older")))

    found = store.events()

    assert [e.event_id for e in found] == ["late", "early", "older"]
    assert [e.seq for e in found] == sorted(e.seq for e in found)
    assert len({e.seq for e in found}) == 3
    assert store.last_seq() == found[-1].seq


def test_filters(store: Store) -> None:
    store.append_events(arrived(
        event("a", State.DOWN, T0, "1", source="nagios"),
        event("b", State.OK, T0 + 10, "2", source="alertmanager"),
        event("a", State.OK, T0 + 20, "3", source="alertmanager"),
        event("c", State.DOWN, T0 + 30, "4"),
    ))  # fmt: skip

    def ids(**filters: Any) -> list[str | None]:
        return [e.event_id for e in store.events(**filters)]

    assert ids(node="a") == ["1", "3"]
    assert ids(source="alertmanager") == ["2", "3"]
    assert ids(state=State.DOWN) == ["1", "4"]
    assert ids(state=0) == ["2", "3"]
    assert ids(time_from=T0 + 10) == ["2", "3", "4"]
    assert ids(time_to=T0 + 20) == ["1", "2"]  # the end is excluded
    assert ids(time_from=T0 + 10, time_to=T0 + 30) == ["2", "3"]
    assert ids(node="a", state=State.OK, source="alertmanager") == ["3"]
    assert ids(node="nowhere") == []


def test_paging_with_since_seq_and_limit(store: Store) -> None:
    store.append_events(arrived(*(event(id=str(i)) for i in range(5))))
    seqs = [e.seq for e in store.events()]

    assert [e.event_id for e in store.events(limit=2)] == ["0", "1"]
    assert [e.event_id for e in store.events(since_seq=seqs[1], limit=2)] == ["2", "3"]
    assert [e.event_id for e in store.events(since_seq=seqs[3])] == ["4"]
    assert store.events(since_seq=seqs[4]) == []


def test_iter_all_events_streams_everything_in_order(store: Store) -> None:
    store.append_events(arrived(*(event(id=str(i)) for i in range(7))))
    store.append_events(arrived(event(id="3"), event(id="7")))

    streamed = list(store.iter_all_events(chunk_size=2))

    assert streamed == store.events()
    assert [e.event_id for e in streamed] == [str(i) for i in range(8)]
    assert store.count_events() == 8


def test_existing_ids(store: Store) -> None:
    store.append_events(arrived(event(id="a"), event(id="b"), event()))

    assert store.existing_ids(["a", "c", "b", "a"]) == {"a", "b"}
    assert store.existing_ids([]) == set()


def test_a_batch_is_one_transaction_a_failure_stores_none_of_it(store: Store) -> None:
    store.append_events(arrived(event(id="before")))
    broken = event(id="broken", key=None)  # NOT NULL violated: the database refuses the row

    with pytest.raises(sa.exc.IntegrityError):
        store.append_events(arrived(event(id="fine"), broken))

    assert [e.event_id for e in store.events()] == ["before"]
    assert store.append_events(arrived(event(id="fine"))) == (1, 0)


def test_concurrent_writers_count_every_id_once(url: str, store: Store) -> None:
    """Writers in threads, each with its own store, send overlapping ids: each id is accepted once."""
    totals: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            with Store(url) as own:
                for batch in range(15):
                    ids = [f"{(batch * 10 + i + worker * 3) % 120}" for i in range(10)]
                    totals.append(own.append_events(arrived(*(event(id=i) for i in ids), event())))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    stored = store.events()
    with_id = {e.event_id for e in stored if e.event_id is not None}
    assert sum(accepted for accepted, _ in totals) == len(stored) == len(with_id) + 4 * 15
    assert sum(duplicates for _, duplicates in totals) == 4 * 15 * 10 - len(with_id)
    assert len({e.seq for e in stored}) == len(stored)


def test_an_appended_event_is_read_by_a_fresh_store(url: str, store: Store) -> None:
    store.append_events(arrived(event("db-1", id="kept", labels={"a": "b"})))

    with Store(url) as fresh:
        assert [(e.event_id, e.node, e.labels) for e in fresh.events()] == [("kept", "db-1", {"a": "b"})]
        assert fresh.append_events(arrived(event(id="kept"))) == (0, 1)


def test_sqlite_driver_path_stores_what_the_sqlalchemy_path_stores(tmp_path: Path) -> None:
    """On SQLite events go in through the driver (the hot path); every field must read back
    as it does when SQLAlchemy writes the row (labels as sorted JSON, matched as a boolean)."""
    items = [
        (
            event(id="a", labels={"z": "1", "a": "2"}, key="disk", summary="full", source="nagios"),
            T0 + 1,
            True,
        ),
        (event(node=None, labels={"job": "x"}, state=State.DEGRADED), T0 + 2, False),
        (event(id="c", time=None, state=State.OK), T0 + 3, True),
    ]
    stored = []
    for name, driver in (("driver", True), ("sqlalchemy", False)):
        url = f"sqlite:///{tmp_path / name}.db"
        migrate(url)
        with Store(url) as opened:
            if driver:
                assert opened.append_events_each(items) == [True, True, True]
            else:
                opened._insert_events([_event_row(*item) for item in items])
            stored.append([replace(e, seq=0) for e in opened.events()])
            with opened.engine.connect() as connection:
                raw = connection.exec_driver_sql("SELECT labels, matched FROM events ORDER BY seq").all()
            stored.append(raw)
    assert stored[0] == stored[2] and stored[1] == stored[3]
    assert stored[1][0] == ('{"a":"2","z":"1"}', 1)


def test_more_events_than_one_statement_holds_are_all_stored_in_order(tmp_path: Path) -> None:
    """The driver path inserts many rows a statement: a batch longer than a statement, with
    ids stored before and ids repeated in the batch, keeps every new event once, in order."""
    from bizmap.storage.store import _SQLITE_ROWS_PER_INSERT

    url = f"sqlite:///{tmp_path / 'bizmap.db'}"
    migrate(url)
    count = 2 * _SQLITE_ROWS_PER_INSERT + 7
    with Store(url) as store:
        assert store.append_events([(event(id="e5"), T0, True)]) == (1, 0)
        batch = [(event(id=f"e{i}"), T0 + i, True) for i in range(count)]
        batch.insert(50, (event(id="e3"), T0, True))  # a repeat within the batch
        accepted = store.append_events_each(batch)
        assert accepted.count(False) == 2  # e5 (stored before) and the second e3
        assert accepted[5] is False and accepted[50] is False
        ids = [e.event_id for e in store.events()]
    assert ids == ["e5"] + [f"e{i}" for i in range(count) if i != 5]
    assert len(ids) == len(set(ids)) == count
