"""CloudEvents 1.0 JSON (structured and batch modes) to native events: docs/ingest.md."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.errors import EventError
from bizmap.ingest import events_from_cloudevent, events_from_cloudevents_batch

# 2026-11-27T00:00:00Z, by hand: 56 years since 1970 of which 14 leap (1972..2024) = 20,454
# days, plus 304 days for January..October 2026 and 26 days of November.
NOV_27 = (56 * 365 + 14 + 304 + 26) * 86400
assert NOV_27 == 1_795_737_600
TEN = NOV_27 + 10 * 3600  # "2026-11-27T10:00:00Z"
assert TEN == 1_795_773_600
# "2026-11-27T11:05:00+01:00" is 10:05 UTC; "2026-11-27T10:07:30.5Z" is 10:07:30.5.
TEN_05 = TEN + 5 * 60
TEN_07_30 = TEN + 7 * 60 + 30.5

# A batch (application/cloudevents-batch+json) from three producers.
BATCH: list[dict[str, Any]] = [
    {  # a node, and a time in data that overrides the envelope's
        "specversion": "1.0",
        "type": "io.bizmap.event",
        "source": "https://nagios.example.org/",
        "id": "b7c1e2d4-0001",
        "time": "2026-11-27T10:00:01Z",
        "datacontenttype": "application/json",
        "data": {
            "state": "down",
            "node": "web-1",
            "key": "disk",
            "time": "2026-11-27T10:00:00Z",
            "summary": "DISK CRITICAL - / 98% used",
        },
    },
    {  # labels, the envelope's time, an extension attribute, a +json content type
        "specversion": "1.0",
        "type": "io.bizmap.event",
        "source": "/zabbix/eu-1",
        "id": "83412",
        "time": "2026-11-27T11:05:00+01:00",
        "datacontenttype": "application/vnd.bizmap.event+json; charset=utf-8",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "data": {"state": "warning", "labels": {"instance": "db-1:5432", "job": "postgres"}},
    },
    {  # the subject names the node; no time at all; Nagios code as the state
        "specversion": "1.0",
        "type": "com.example.heartbeat.missed",
        "source": "urn:example:heartbeat",
        "id": "hb-2026-11-27-0042",
        "subject": "payroll-batch",
        "comexampleunset": None,
        "data": {"state": 3, "summary": "no heartbeat for 15 minutes"},
    },
]

EXPECTED = [
    Event(
        state=State.DOWN,
        time=TEN,
        node="web-1",
        key="disk",
        summary="DISK CRITICAL - / 98% used",
        source="https://nagios.example.org/",
        id="ce:https://nagios.example.org/:b7c1e2d4-0001",
    ),
    Event(
        state=State.DEGRADED,
        time=TEN_05,
        labels={"instance": "db-1:5432", "job": "postgres"},
        source="/zabbix/eu-1",
        id="ce:/zabbix/eu-1:83412",
    ),
    Event(
        state=State.UNKNOWN,
        time=None,
        node="payroll-batch",
        summary="no heartbeat for 15 minutes",
        source="urn:example:heartbeat",
        id="ce:urn:example:heartbeat:hb-2026-11-27-0042",
    ),
]


def envelope(index: int = 0, **changes: Any) -> dict[str, Any]:
    base = copy.deepcopy(BATCH[index])
    base.update(changes)
    return base


def test_a_batch() -> None:
    assert events_from_cloudevents_batch(copy.deepcopy(BATCH)) == EXPECTED


def test_each_envelope_alone() -> None:
    for index, expected in enumerate(EXPECTED):
        assert events_from_cloudevent(envelope(index)) == expected


def test_an_empty_batch_is_valid() -> None:
    assert events_from_cloudevents_batch([]) == []


# --- time ---------------------------------------------------------------------------------------


def test_data_time_overrides_the_envelope_time() -> None:
    event = events_from_cloudevent(envelope(0, time="2026-11-27T10:07:30.5Z"))
    assert event.time == TEN  # data.time
    data = {"state": "ok", "node": "web-1"}
    assert events_from_cloudevent(envelope(0, time="2026-11-27T10:07:30.5Z", data=data)).time == TEN_07_30


def test_null_data_time_falls_back_to_the_envelope() -> None:
    data = {"state": "ok", "node": "web-1", "time": None}
    assert events_from_cloudevent(envelope(0, data=data)).time == TEN + 1


def test_no_time_anywhere_is_none() -> None:
    event = events_from_cloudevent(envelope(0, time=None, data={"state": "ok", "node": "web-1"}))
    assert event.time is None


# --- node, subject ------------------------------------------------------------------------------


def test_subject_is_the_node_only_when_data_has_no_node_and_no_labels() -> None:
    with_node = events_from_cloudevent(envelope(0, subject="ignored"))
    assert with_node.node == "web-1"
    with_labels = events_from_cloudevent(envelope(1, subject="ignored"))
    assert with_labels.node is None
    assert with_labels.labels == {"instance": "db-1:5432", "job": "postgres"}
    empty_labels = events_from_cloudevent(envelope(2, data={"state": "down", "labels": {}}))
    assert empty_labels.node == "payroll-batch"


def test_null_attributes_are_absent() -> None:
    event = events_from_cloudevent(envelope(0, subject=None, time=None, datacontenttype=None))
    assert event == EXPECTED[0]


def test_data_is_copied_not_shared() -> None:
    item = envelope(1)
    event = events_from_cloudevent(item)
    item["data"]["labels"]["job"] = "other"
    assert event.labels == {"instance": "db-1:5432", "job": "postgres"}


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "APPLICATION/JSON",
        "text/json",
        "application/cloudevents+json",
        "application/json;x=1",
    ],
)
def test_json_content_types_are_accepted(content_type: str) -> None:
    assert events_from_cloudevent(envelope(0, datacontenttype=content_type)) == EXPECTED[0]


@pytest.mark.parametrize(("state", "expected"), [("OK", State.OK), ("crit", State.DOWN), (1, State.DEGRADED)])
def test_states_are_read_as_native_events_read_them(state: Any, expected: State) -> None:
    assert events_from_cloudevent(envelope(0, data={"state": state, "node": "web-1"})).state == expected


# --- ids ------------------------------------------------------------------------------------------


def test_a_redelivery_has_the_same_id() -> None:
    first = events_from_cloudevents_batch(copy.deepcopy(BATCH))
    again = events_from_cloudevents_batch(copy.deepcopy(BATCH))
    assert [event.id for event in first] == [event.id for event in again]


def test_the_same_id_from_another_source_is_another_event() -> None:
    one = events_from_cloudevent(envelope(0))
    other = events_from_cloudevent(envelope(0, source="https://nagios-2.example.org/"))
    assert one.id != other.id
    assert other.id == "ce:https://nagios-2.example.org/:b7c1e2d4-0001"
    assert other.source == "https://nagios-2.example.org/"


# --- refused envelopes, each naming its field -------------------------------------------------------

MALFORMED: list[tuple[str, dict[str, Any], str]] = [
    ("no specversion", {"specversion": None}, "specversion"),
    ("specversion 0.3", {"specversion": "0.3"}, "specversion"),
    ("specversion a number", {"specversion": 1.0}, "specversion"),
    ("no id", {"id": None}, "id"),
    ("empty id", {"id": ""}, "id"),
    ("id a number", {"id": 42}, "id"),
    ("no source", {"source": None}, "source"),
    ("empty source", {"source": ""}, "source"),
    ("no type", {"type": None}, "type"),
    ("type a list", {"type": ["a"]}, "type"),
    ("time not RFC 3339", {"time": "27/11/2026 10:00"}, "time"),
    ("time without offset", {"time": "2026-11-27T10:00:00"}, "time"),
    ("time a number", {"time": TEN}, "time"),
    ("subject a number", {"subject": 7}, "subject"),
    ("datacontenttype text", {"datacontenttype": "text/plain"}, "datacontenttype"),
    ("datacontenttype no subtype", {"datacontenttype": "json"}, "datacontenttype"),
    ("datacontenttype a number", {"datacontenttype": 1}, "datacontenttype"),
    ("binary data", {"data_base64": "eyJzdGF0ZSI6ImRvd24ifQ=="}, "data_base64"),
    ("data a string", {"data": '{"state": "down", "node": "web-1"}'}, "data"),
    ("data null", {"data": None}, "data"),
    ("data an array", {"data": [{"state": "down"}]}, "data"),
    ("no state", {"data": {"node": "web-1"}}, "data.state"),
    ("unknown state", {"data": {"node": "web-1", "state": "broken"}}, "data.state"),
    ("state code 4", {"data": {"node": "web-1", "state": 4}}, "data.state"),
    ("data.time bad", {"data": {"node": "web-1", "state": "ok", "time": "noon"}}, "data.time"),
    ("data.time a number", {"data": {"node": "web-1", "state": "ok", "time": TEN}}, "data.time"),
    ("data.node a number", {"data": {"node": 1, "state": "ok"}}, "data.node"),
    ("data.labels a list", {"data": {"labels": ["a"], "state": "ok"}}, "data.labels"),
    ("a label a number", {"data": {"labels": {"a": 1}, "state": "ok"}}, "data.labels"),
    ("empty key", {"data": {"node": "web-1", "state": "ok", "key": ""}}, "data.key"),
    ("summary a number", {"data": {"node": "web-1", "state": "ok", "summary": 3}}, "data.summary"),
    ("id in data", {"data": {"node": "web-1", "state": "ok", "id": "x"}}, "data.id"),
    ("source in data", {"data": {"node": "web-1", "state": "ok", "source": "x"}}, "data.source"),
    ("unknown member in data", {"data": {"node": "web-1", "state": "ok", "host": "x"}}, "data.host"),
    ("no node, labels or subject", {"data": {"state": "ok"}}, "data.node"),
    ("empty subject as the node", {"subject": "", "data": {"state": "ok"}}, "subject"),
]


@pytest.mark.parametrize(
    ("changes", "field"), [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED]
)
def test_malformed_envelope_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(EventError) as caught:
        events_from_cloudevent(envelope(0, **changes))
    assert caught.value.field == field
    assert caught.value.message


@pytest.mark.parametrize("member", ["id", "source", "type", "specversion", "data"])
def test_missing_required_member_names_it(member: str) -> None:
    item = envelope(0)
    del item[member]
    with pytest.raises(EventError) as caught:
        events_from_cloudevent(item)
    assert caught.value.field == member
    assert caught.value.message.startswith("missing")


@pytest.mark.parametrize("value", [None, [], "event", 3])
def test_an_envelope_that_is_not_an_object_is_refused(value: Any) -> None:
    with pytest.raises(EventError) as caught:
        events_from_cloudevent(value)
    assert caught.value.field == "event"


@pytest.mark.parametrize("value", [None, {}, BATCH[0], "[]"])
def test_a_batch_that_is_not_an_array_is_refused(value: Any) -> None:
    with pytest.raises(EventError) as caught:
        events_from_cloudevents_batch(value)
    assert caught.value.field == "batch"


@pytest.mark.parametrize(
    ("index", "item", "field"),
    [
        (3, envelope(2, id=None), "[3].id"),
        (1, "not an event", "[1]"),
        (2, envelope(0, data={"node": "web-1"}), "[2].data.state"),
        (0, envelope(1, specversion="1.1"), "[0].specversion"),
        (3, envelope(1, data={"state": "ok", "labels": {"job": 5}}), "[3].data.labels"),
    ],
)
def test_a_bad_envelope_in_a_batch_is_named_by_its_index(index: int, item: Any, field: str) -> None:
    items: list[Any] = [*copy.deepcopy(BATCH), envelope(1)]
    items[index] = item
    with pytest.raises(EventError) as caught:
        events_from_cloudevents_batch(items)
    assert caught.value.field == field


def test_messages_say_what_is_wrong() -> None:
    with pytest.raises(EventError) as caught:
        events_from_cloudevent(envelope(0, specversion="0.3"))
    assert str(caught.value) == "specversion: unsupported CloudEvents version '0.3': only \"1.0\""
    with pytest.raises(EventError) as caught:
        events_from_cloudevents_batch([envelope(0), envelope(0, data={"state": "ok"}, subject=None)])
    assert str(caught.value) == "[1].data.node: an event needs data.node, data.labels or a CloudEvent subject"


# --- hostile envelopes: each was a 500 (RecursionError) or is refused with the field named -------


def nested(depth: int) -> Any:
    """``[[[...]]]``, ``depth`` arrays deep (orjson reads up to 1,024)."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


HOSTILE: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "specversion nested",
        {"specversion": nested(1000)},
        "specversion",
        "unsupported CloudEvents version [[",
    ),
    (
        "data.state nested",
        {"data": {"node": "web-1", "state": nested(1000)}},
        "data.state",
        "unknown state [[",
    ),
    ("data.node nested", {"data": {"node": nested(1000), "state": "ok"}}, "data.node", "got [[["),
    ("data.key nested", {"data": {"node": "a", "state": "ok", "key": nested(1000)}}, "data.key", "got [[["),
    ("time after 9999", {"time": "9999-12-31T23:59:59-05:00"}, "time", "after 9999"),
    ("time before 1970", {"time": "1969-07-20T20:17:40Z"}, "time", "before 1970"),
    (
        "data.time after 9999",
        {"data": {"node": "a", "state": "ok", "time": "9999-12-31T23:59:59-00:01"}},
        "data.time",
        "after 9999",
    ),
    ("subject with NUL", {"subject": "payroll\x00", "data": {"state": "ok"}}, "subject", "U+0000"),
    ("data.node with a newline", {"data": {"node": "web-1\n", "state": "ok"}}, "data.node", "U+000A"),
    ("a label with NUL", {"data": {"labels": {"job": "\x00"}, "state": "ok"}}, "data.labels.job", "U+0000"),
    ("id with NUL", {"id": "b7c1\x00"}, "id", "U+0000"),
    ("source with NUL", {"source": "/zabbix\x00"}, "source", "U+0000"),
    (
        "data.summary with NUL",
        {"data": {"node": "a", "state": "ok", "summary": "\x00"}},
        "data.summary",
        "U+0000",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "gist"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_hostile_envelope_is_refused_naming_the_field(changes: dict[str, Any], field: str, gist: str) -> None:
    with pytest.raises(EventError) as caught:
        events_from_cloudevent(envelope(2 if "subject" in changes else 0, **changes))
    assert caught.value.field == field
    assert gist in caught.value.message
    assert len(caught.value.message) < 300  # a value is echoed cut short
