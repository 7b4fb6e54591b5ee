"""Every decoder, fed anything, gives events bizmap can store and show, or a ``BizmapError``.

Property tests (Hypothesis) of the native decoders (``decode_event(s)`` on bytes,
``parse_event`` on decoded JSON) and of the Alertmanager, CloudEvents and Icinga adapters, with
three kinds of input: arbitrary bytes, arbitrary JSON values, and near-valid documents (a valid
document with one member replaced by an arbitrary value, removed, or one member added), which
are the ones that reach deep into a decoder. Nothing else may escape: no RecursionError, no
OverflowError, no msgspec error. An event that is accepted has a time in 1970..9999, plain
names (no control character) and no NUL in any text (PostgreSQL cannot store it).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bizmap.domain.calendar import format_time
from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.errors import BizmapError, EventError
from bizmap.ingest import (
    event_from_icinga,
    events_from_alertmanager,
    events_from_cloudevent,
    events_from_cloudevents_batch,
)
from bizmap.ingest.native import decode_event, decode_events, parse_event

FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RECEIVED = 1_795_773_602.5  # 2026-11-27T10:00:02.5Z, the receipt time handed to the Icinga adapter
CONTROL = {chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)]}

# --- valid documents, one per decoder --------------------------------------------------------------

NATIVE: dict[str, Any] = {
    "node": "web-1",
    "labels": {"job": "node", "instance": "web-1:9100"},
    "state": "down",
    "key": "disk",
    "time": "2026-11-27T10:00:00Z",
    "summary": "disk full",
    "source": "nagios",
    "id": "e1",
}
ALERTMANAGER: dict[str, Any] = {
    "version": "4",
    "status": "firing",
    "receiver": "bizmap",
    "groupLabels": {"alertname": "HighErrorRate"},
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "HighErrorRate", "bizmap_node": "checkout", "severity": "critical"},
            "annotations": {"summary": "error rate above 1%", "description": "5.2% fail"},
            "startsAt": "2026-11-27T10:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "fingerprint": "c3a1f2b4d5e6f708",
        },
        {
            "status": "resolved",
            "labels": {"alertname": "HighErrorRate", "instance": "checkout-2:8080"},
            "annotations": {"description": "1.4% fail"},
            "startsAt": "2026-11-27T08:55:00.123456789Z",
            "endsAt": "2026-11-27T10:04:30.25+01:00",
        },
    ],
}
CLOUDEVENT: dict[str, Any] = {
    "specversion": "1.0",
    "type": "io.bizmap.event",
    "source": "/zabbix/eu-1",
    "id": "83412",
    "time": "2026-11-27T11:05:00+01:00",
    "subject": "db-1",
    "datacontenttype": "application/json",
    "data": {
        "state": "warning",
        "node": "db-1",
        "key": "pg",
        "time": "2026-11-27T10:00:00Z",
        "summary": "slow",
    },
}
CLOUDEVENT_BY_SUBJECT: dict[str, Any] = {**CLOUDEVENT, "data": {"state": 2, "summary": "no heartbeat"}}
ICINGA_FILTER: dict[str, Any] = {
    "type": "Service",
    "filter": 'host.name==h && service.name=="disk /"',
    "filter_vars": {"h": "web-1"},
    "exit_status": 2,
    "plugin_output": "DISK CRITICAL - free space: / 512 MiB",
    "execution_start": 1_795_773_599.75,
    "execution_end": 1_795_773_600,
}
ICINGA_SHORTCUT: dict[str, Any] = {
    "service": "web-1!disk /",
    "exit_status": "1",
    "plugin_output": "DISK WARNING",
    "execution_end": "1795773600.5",
}

# (name, decoder, a valid input)
DECODERS: list[tuple[str, Callable[[Any], object], Any]] = [
    ("native", lambda value: parse_event(value, require_time=False), NATIVE),
    ("native, replayed", parse_event, NATIVE),
    ("alertmanager", events_from_alertmanager, ALERTMANAGER),
    ("cloudevent", events_from_cloudevent, CLOUDEVENT),
    ("cloudevent by subject", events_from_cloudevent, CLOUDEVENT_BY_SUBJECT),
    ("cloudevents batch", events_from_cloudevents_batch, [CLOUDEVENT, CLOUDEVENT_BY_SUBJECT]),
    ("icinga filter", lambda value: event_from_icinga(value, RECEIVED), ICINGA_FILTER),
    ("icinga shortcut", lambda value: event_from_icinga(value, RECEIVED), ICINGA_SHORTCUT),
]
IDS = [name for name, _, _ in DECODERS]

# --- strategies ---------------------------------------------------------------------------------------


def nested(depth: int, inner: Any = None) -> Any:
    value: Any = inner
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# RFC 3339 times of any year, with any offset: the edges 0001 and 9999 move out of range
times = st.builds(
    lambda moment, offset: moment.replace(tzinfo=offset).isoformat(), st.datetimes(), offsets
) | st.sampled_from(["1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"])
texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=20)  # control characters included
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**20, -(10**400), 253_402_300_800, -1, 0, 1, 2, 3, 4])
    | st.floats()  # inf and nan included
    | st.sampled_from([1e15, 1e308, -0.0, 2.5, 1_795_773_600.0])
    | texts
    | times
    | st.sampled_from(
        ["\x00", "a\x00b", "web-1\n", "\x1b[31m", "\x85", "host!svc", "Service", "Host", "4", "ok"]
    )
)
# values the standard library writes as JSON text (NaN and Infinity too, which are not JSON)
writable_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)
json_values = (
    writable_values
    | st.integers(min_value=4301, max_value=5000).map(lambda digits: 10**digits)  # too long for str()
    | st.integers(min_value=900, max_value=3000).map(nested)
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every member and item in ``value``, parents first."""
    members = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    )
    for name, member in members:
        yield (*prefix, name)
        yield from paths(member, (*prefix, name))


def changed(document: Any, path: tuple[Any, ...], value: Any, how: str, name: str = "extra") -> Any:
    """A copy of ``document`` with the member at ``path`` replaced, removed, or given a sibling."""
    result = copy.deepcopy(document)
    target = result
    for step in path[:-1]:
        target = target[step]
    last = path[-1]
    if how == "replace":
        target[last] = value
    elif how == "remove":
        del target[last]
    elif isinstance(target, dict):
        target[name] = value
    else:
        target.insert(last, value)
    return result


@st.composite
def near_valid(draw: st.DrawFn, document: Any) -> Any:
    """``document`` with one member changed: the strategy that reaches into the decoders."""
    path = draw(st.sampled_from(list(paths(document))))
    how = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
    return changed(document, path, draw(json_values), how, draw(texts))


# --- what every answer must be ------------------------------------------------------------------------


def assert_storable(event: Event) -> None:
    """An accepted event can be stored (PostgreSQL text, UTF-8) and shown (format_time)."""
    assert type(event) is Event and isinstance(event.state, State)
    if event.time is not None:
        assert 0 <= event.time < 253_402_300_800
        format_time(event.time)
    names = [event.key, *([] if event.node is None else [event.node])]
    names += [text for pair in (event.labels or {}).items() for text in pair]
    for name in names:
        assert isinstance(name, str) and not CONTROL & set(name), name
    for text in (event.summary, event.source, event.id):
        assert text is None or (isinstance(text, str) and "\x00" not in text)
    for text in [*names, event.summary, event.source, event.id]:
        if text is not None:
            text.encode()


def answer(decode: Callable[[Any], object], value: Any) -> list[Event] | BizmapError:
    """The events ``decode`` gives for ``value`` (each checked), or the ``BizmapError`` it raises."""
    try:
        result = decode(value)
    except BizmapError as error:
        assert str(error)
        if isinstance(error, EventError):
            assert isinstance(error.field, str) and error.message  # a field may be named "" by its sender
        return error
    events = result if isinstance(result, list) else [result]
    for event in events:
        assert_storable(event)  # type: ignore[arg-type]
    return events  # type: ignore[return-value]


# --- the valid documents are valid: the near-valid strategy starts from them --------------------------


@pytest.mark.parametrize(("decode", "document"), [case[1:] for case in DECODERS], ids=IDS)
def test_the_valid_documents_give_events(decode: Callable[[Any], object], document: Any) -> None:
    assert not isinstance(answer(decode, copy.deepcopy(document)), BizmapError)


# --- the adapters and parse_event, on decoded JSON ------------------------------------------------------


@pytest.mark.parametrize(("decode", "document"), [case[1:] for case in DECODERS], ids=IDS)
@FUZZ
@given(data=st.data())
def test_a_near_valid_document_gives_events_or_a_refusal(
    decode: Callable[[Any], object], document: Any, data: st.DataObject
) -> None:
    answer(decode, data.draw(near_valid(document)))


@pytest.mark.parametrize("decode", [case[1] for case in DECODERS], ids=IDS)
@FUZZ
@given(value=json_values)
def test_any_json_value_gives_events_or_a_refusal(decode: Callable[[Any], object], value: Any) -> None:
    answer(decode, value)


# --- the native decoders, on bytes -------------------------------------------------------------------

# JSON texts that msgspec and the checks after it have failed on, or might
HOSTILE_TEXTS = [
    "1e400",
    "-1e400",
    "1" * 400 + ".5",
    "9" * 4300,
    "9" * 4301,
    "NaN",
    "Infinity",
    '"\\u0000"',
    '"web\\n1"',
    '"\\ud800"',
    '"\\udc00x"',
    "[" * 1000 + "]" * 1000,
    "[" * 100_000 + "]" * 100_000,
    '{"a": ' * 1500 + "1" + "}" * 1500,
    '"9999-12-31T23:59:59-05:00"',
    '"0001-01-01T00:00:00+05:00"',
]
fragments = st.sampled_from(range(len(HOSTILE_TEXTS))).map(HOSTILE_TEXTS.__getitem__) | writable_values.map(
    json.dumps
)


def json_text(value: Any, path: tuple[Any, ...], fragment: str) -> str:
    """``value`` as JSON text, with the text at ``path`` replaced by ``fragment``."""
    if not path:
        return fragment
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        members = (
            f"{json.dumps(name)}: {json_text(member, rest, fragment) if name == head else json.dumps(member)}"
            for name, member in value.items()
        )
        return "{" + ", ".join(members) + "}"
    items = (
        json_text(item, rest, fragment) if index == head else json.dumps(item)
        for index, item in enumerate(value)
    )
    return "[" + ", ".join(items) + "]"


NATIVE_BATCH = [NATIVE, {"labels": {"job": "db"}, "state": 1}]
RAW_DECODERS: list[tuple[str, Callable[[bytes], object]]] = [
    ("decode_event", lambda raw: decode_event(raw, require_time=False)),
    ("decode_event, replayed", decode_event),
    ("decode_events", lambda raw: decode_events(raw, require_time=False)),
]
RAW_IDS = [name for name, _ in RAW_DECODERS]


@pytest.mark.parametrize("decode", [case[1] for case in RAW_DECODERS], ids=RAW_IDS)
@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_bytes_give_events_or_a_refusal(decode: Callable[[bytes], object], raw: bytes) -> None:
    answer(decode, raw)


@pytest.mark.parametrize("decode", [case[1] for case in RAW_DECODERS], ids=RAW_IDS)
@FUZZ
@given(text=fragments)
def test_any_json_text_gives_events_or_a_refusal(decode: Callable[[bytes], object], text: str) -> None:
    answer(decode, text.encode())


@pytest.mark.parametrize("decode", [case[1] for case in RAW_DECODERS], ids=RAW_IDS)
@FUZZ
@given(data=st.data())
def test_a_near_valid_text_gives_events_or_a_refusal(
    decode: Callable[[bytes], object], data: st.DataObject
) -> None:
    document: Any = data.draw(st.sampled_from([NATIVE, NATIVE_BATCH]))
    path = data.draw(st.sampled_from([(), *paths(document)]))
    answer(decode, json_text(document, path, data.draw(fragments)).encode())


# --- decoding text and checking decoded JSON agree (native.py's promise) -------------------------------

plain_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
    | times
)
plain_values = st.recursive(
    plain_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=8,
)


@FUZZ
@given(data=st.data())
def test_decoding_text_and_checking_json_give_the_same_answer(data: st.DataObject) -> None:
    """For JSON that orjson reads back unchanged: the same event, or the same field and message."""
    path = data.draw(st.sampled_from(list(paths(NATIVE))))
    document = changed(
        NATIVE, path, data.draw(plain_values), data.draw(st.sampled_from(["replace", "remove"]))
    )
    raw = orjson.dumps(document)
    from_text = answer(lambda raw: decode_event(raw, require_time=False), raw)
    from_json = answer(lambda value: parse_event(value, require_time=False), orjson.loads(raw))
    if isinstance(from_text, EventError) and isinstance(from_json, EventError):
        assert (from_text.field, from_text.message) == (from_json.field, from_json.message)
    else:
        assert from_text == from_json
