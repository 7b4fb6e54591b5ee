"""Native events (semantics §6): ``parse_event`` on decoded JSON, ``decode_event(s)`` on JSON text.

The two must agree: same events from good input, same field and message for bad input.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.engine.replay import read_event_log
from bizmap.errors import EventError, EventLineError
from bizmap.ingest import native as events_module
from bizmap.ingest.native import decode_event, decode_events, parse_event

# 2026-11-27T00:00:00Z, by hand: 56 years since 1970 of which 14 leap (1972..2024) = 20,454
# days, plus 304 days for January..October 2026 and 26 days of November.
NOV_27 = (56 * 365 + 14 + 304 + 26) * 86400
assert NOV_27 == 1_795_737_600
TEN = NOV_27 + 10 * 3600  # 2026-11-27T10:00:00Z

T = "2026-11-27T10:00:00Z"


def text(**fields: Any) -> str:
    return json.dumps(fields)


# --- good events ---------------------------------------------------------------------------------

GOOD: dict[str, tuple[str, Event]] = {
    "node": (text(node="web-1", state="down", time=T), Event(State.DOWN, TEN, node="web-1")),
    "labels": (
        text(labels={"instance": "web-1:9100", "job": "node"}, state="ok", time=T),
        Event(State.OK, TEN, labels={"instance": "web-1:9100", "job": "node"}),
    ),
    "every-field": (
        text(
            node="web-1",
            labels={"instance": "web-1:9100"},
            state="down",
            key="disk",
            time=T,
            summary="disk full",
            source="nagios",
            id="6f1c",
        ),
        Event(State.DOWN, TEN, "web-1", {"instance": "web-1:9100"}, "disk", "disk full", "nagios", "6f1c"),
    ),
    "nulls-are-absent": (
        text(node="web-1", labels=None, state="ok", time=T, summary=None, source=None, id=None),
        Event(State.OK, TEN, node="web-1"),
    ),
    "node-with-empty-labels": (
        text(node="web-1", labels={}, state="ok", time=T),
        Event(State.OK, TEN, node="web-1", labels={}),
    ),
    "unicode": (
        text(node="réseau-é", state="ok", time=T, summary="panne ⚡"),
        Event(State.OK, TEN, node="réseau-é", summary="panne ⚡"),
    ),
    "fraction": (
        text(node="a", state="ok", time="2026-11-27T10:00:00.25Z"),
        Event(State.OK, TEN + 0.25, node="a"),
    ),
    "fraction-and-offset": (
        text(node="a", state="ok", time="2026-11-27T10:00:00.123456+01:00"),
        Event(State.OK, ((NOV_27 + 9 * 3600) * 10**6 + 123_456) / 10**6, node="a"),
    ),
    "plus-one-hour": (
        text(node="a", state="ok", time="2026-11-27T11:00:00+01:00"),
        Event(State.OK, TEN, "a"),
    ),
    "minus-five-thirty": (
        text(node="a", state="ok", time="2026-11-27T04:30:00-05:30"),
        Event(State.OK, TEN, "a"),
    ),
    "zero-offset": (text(node="a", state="ok", time="2026-11-27T10:00:00+00:00"), Event(State.OK, TEN, "a")),
    # parse_time's leniencies (lowercase z, surrounding blanks), taken by the slow path alike.
    "lowercase-z": (text(node="a", state="ok", time="2026-11-27T10:00:00z"), Event(State.OK, TEN, "a")),
    "blanks-around-time": (text(node="a", state="ok", time=f" {T} "), Event(State.OK, TEN, "a")),
}

SPELLINGS: dict[str | int, State] = {
    "ok": State.OK,
    "up": State.OK,
    "OK": State.OK,
    "Up": State.OK,
    "degraded": State.DEGRADED,
    "warning": State.DEGRADED,
    "WARN": State.DEGRADED,
    "Degraded": State.DEGRADED,
    "unknown": State.UNKNOWN,
    "UNKNOWN": State.UNKNOWN,
    "down": State.DOWN,
    "critical": State.DOWN,
    "CRIT": State.DOWN,
    "Error": State.DOWN,
    "DoWn": State.DOWN,
    " down ": State.DOWN,
    0: State.OK,
    1: State.DEGRADED,
    2: State.DOWN,
    3: State.UNKNOWN,
}
for spelling, expected_state in SPELLINGS.items():
    GOOD[f"state-{spelling!r}"] = (text(node="a", state=spelling, time=T), Event(expected_state, TEN, "a"))


@pytest.mark.parametrize(("raw", "expected"), GOOD.values(), ids=GOOD.keys())
def test_good_events_decode_and_parse_alike(raw: str, expected: Event) -> None:
    assert decode_event(raw) == expected
    assert decode_event(raw.encode()) == expected
    assert parse_event(orjson.loads(raw)) == expected
    assert decode_event(raw) == parse_event(orjson.loads(raw))
    assert decode_events(raw) == [expected]
    assert decode_event(raw, require_time=False) == parse_event(orjson.loads(raw), require_time=False)


@pytest.mark.parametrize(("spelling", "state"), SPELLINGS.items(), ids=[repr(s) for s in SPELLINGS])
def test_state_spellings(spelling: str | int, state: State) -> None:
    event = decode_event(text(node="a", state=spelling, time=T))
    assert event.state is state


def test_z_and_an_offset_are_the_same_instant() -> None:
    utc = decode_event(text(node="a", state="ok", time="2026-11-27T10:00:00Z"))
    paris = decode_event(text(node="a", state="ok", time="2026-11-27T11:00:00+01:00"))
    assert utc.time == paris.time == 1_795_773_600


def test_time_is_optional_live() -> None:
    raw = text(node="a", state="down")
    assert decode_event(raw, require_time=False) == Event(State.DOWN, None, "a")
    assert parse_event(orjson.loads(raw), require_time=False) == Event(State.DOWN, None, "a")


def test_a_decoded_event_is_a_frozen_event() -> None:
    """``decode_event`` fills the slots directly; the result must be an ordinary ``Event``."""
    assert {f.name for f in dataclasses.fields(Event)} == set(events_module._FIELDS)
    event = decode_event(text(node="a", state="down", time=T, key="disk", id="x"))
    assert type(event) is Event
    assert event == Event(State.DOWN, TEN, "a", key="disk", id="x")
    assert hash(event) == hash(Event(State.DOWN, TEN, "a", key="disk", id="x"))
    assert repr(event) == repr(Event(State.DOWN, float(TEN), "a", key="disk", id="x"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.state = State.OK  # type: ignore[misc]
    assert dataclasses.replace(event, key="cpu").key == "cpu"


# --- bad events: the field named, and what is wrong ----------------------------------------------

BAD: dict[str, tuple[str, str, str]] = {
    "state-missing": (text(node="a", time=T), "state", "missing"),
    "state-true": (text(node="a", state=True, time=T), "state", "unknown state True"),
    "state-false": (text(node="a", state=False, time=T), "state", "unknown state False"),
    "state-null": (text(node="a", state=None, time=T), "state", "unknown state None"),
    "state-4": (text(node="a", state=4, time=T), "state", "Nagios codes are 0 (ok)"),
    "state-minus-1": (text(node="a", state=-1, time=T), "state", "unknown state code -1"),
    "state-float": (text(node="a", state=1.0, time=T), "state", "expected a name or a Nagios code 0-3"),
    "state-name": (text(node="a", state="broken", time=T), "state", "use one of ok, up, degraded"),
    "state-empty": (text(node="a", state="", time=T), "state", "unknown state ''"),
    "state-object": (text(node="a", state={"x": 1}, time=T), "state", "expected a name or a Nagios code"),
    "time-missing": (text(node="a", state="ok"), "time", "missing: replayed events need an RFC 3339 time"),
    "time-null": (text(node="a", state="ok", time=None), "time", "missing"),
    "time-no-offset": (text(node="a", state="ok", time="2026-11-27T10:00:00"), "time", "no UTC offset"),
    "time-date-only": (text(node="a", state="ok", time="2026-11-27"), "time", "no UTC offset"),
    "time-not-a-time": (text(node="a", state="ok", time="yesterday"), "time", "not an RFC 3339 time"),
    "time-number": (text(node="a", state="ok", time=1795773600), "time", "must be an RFC 3339 string"),
    "node-number": (text(node=5, state="ok", time=T), "node", "must be a node id string, got 5"),
    "labels-number-value": (text(labels={"a": 1}, state="ok", time=T), "labels", "string labels"),
    "labels-list": (text(labels=["a"], state="ok", time=T), "labels", "string labels"),
    "no-node-no-labels": (text(state="ok", time=T), "node", "needs a node or labels"),
    "empty-labels-only": (text(labels={}, state="ok", time=T), "node", "needs a node or labels"),
    "key-empty": (text(node="a", state="ok", time=T, key=""), "key", "must be a non-empty string, got ''"),
    "key-null": (text(node="a", state="ok", time=T, key=None), "key", "must be a non-empty string, got None"),
    "key-number": (text(node="a", state="ok", time=T, key=3), "key", "must be a non-empty string, got 3"),
    "summary-number": (text(node="a", state="ok", time=T, summary=3), "summary", "must be a string, got 3"),
    "source-list": (text(node="a", state="ok", time=T, source=[]), "source", "must be a string"),
    "id-number": (text(node="a", state="ok", time=T, id=7), "id", "must be a string, got 7"),
    "unknown-field": (text(node="a", state="ok", time=T, colour="red"), "colour", "unknown field; allowed"),
    "unknown-field-wins": (text(node=5, state="ok", time=T, colour="red"), "colour", "unknown field"),
    "first-problem-wins": (text(node=5, state="bad", time=T), "state", "unknown state 'bad'"),
    "array": ("[1, 2]", "event", "an event must be a JSON object, got an array"),
    "string": ('"down"', "event", "an event must be a JSON object, got a string"),
    # times bizmap can neither show nor store: before the POSIX epoch, after the year 9999 in UTC
    "time-before-1970": (text(node="a", state="ok", time="1969-12-31T23:59:59Z"), "time", "before 1970"),
    "time-year-1-east": (text(node="a", state="ok", time="0001-01-01T00:00:00+05:00"), "time", "before 1970"),
    "time-after-9999": (text(node="a", state="ok", time="9999-12-31T23:59:59-05:00"), "time", "after 9999"),
    # control characters in what names a node: refused, the character shown by its code
    "node-nul": (text(node="web\u00001", state="ok", time=T), "node", "control character U+0000"),
    "node-newline": (text(node="web-1\n", state="ok", time=T), "node", "control character U+000A"),
    "node-del": (text(node="web\u007f", state="ok", time=T), "node", "control character U+007F"),
    "node-c1": (text(node="web\u0085", state="ok", time=T), "node", "control character U+0085"),
    "label-value-nul": (text(labels={"job": "x\u0000"}, state="ok", time=T), "labels.job", "U+0000"),
    "label-name-tab": (text(labels={"j\tob": "x"}, state="ok", time=T), "labels", "U+0009"),
    "key-escape": (text(node="a", key="\u001b[31m", state="ok", time=T), "key", "U+001B"),
    # NUL cannot be stored (PostgreSQL text refuses it) in any text of an event
    "summary-nul": (text(node="a", summary="a\u0000b", state="ok", time=T), "summary", "U+0000"),
    "source-nul": (text(node="a", source="\u0000", state="ok", time=T), "source", "U+0000"),
    "id-nul": (text(node="a", id="e\u00001", state="ok", time=T), "id", "U+0000"),
    "id-newline": (text(node="a", id="e1\n", state="ok", time=T), "id", "control character U+000A"),
    # empty names: an empty id would make every such event a duplicate of the first
    "node-empty": (text(node="", state="ok", time=T), "node", "must not be empty"),
    "id-empty": (text(node="a", id="", state="ok", time=T), "id", "must not be empty"),
}


@pytest.mark.parametrize(("raw", "field", "gist"), BAD.values(), ids=BAD.keys())
def test_bad_events_name_the_field(raw: str, field: str, gist: str) -> None:
    with pytest.raises(EventError) as decoded:
        decode_event(raw)
    assert decoded.value.field == field
    assert gist in decoded.value.message
    with pytest.raises(EventError) as parsed:
        parse_event(orjson.loads(raw))
    assert (parsed.value.field, parsed.value.message) == (decoded.value.field, decoded.value.message)


def test_a_boolean_is_not_a_nagios_code() -> None:
    """JSON ``true`` would be 1 (degraded) if booleans passed for integers anywhere."""
    for value in (True, False):
        raw = text(node="a", state=value, time=T)
        with pytest.raises(EventError, match="state"):
            decode_event(raw)
        with pytest.raises(EventError, match="state"):
            parse_event(orjson.loads(raw))
    # what the fast path relies on: msgspec refuses a boolean for an ``int`` field
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b"true", type=str | int)


def test_a_huge_integer_is_not_a_nagios_code() -> None:
    """orjson turns integers beyond 64 bits into floats; msgspec keeps them integers."""
    with pytest.raises(EventError) as raised:
        decode_event(text(node="a", state=10**20, time=T))
    assert raised.value.field == "state"
    assert "unknown state code 100000000000000000000: Nagios codes are 0" in raised.value.message


def deep(depth: int, inner: str = "[]") -> str:
    """JSON text: ``inner`` inside ``depth`` arrays."""
    return "[" * depth + inner + "]" * depth


# Each was a 500 with a traceback: RecursionError or msgspec's ValidationError while explaining.
HOSTILE: dict[str, tuple[str, str, str]] = {
    "array-1000-deep": (deep(1000), "[0]", "nested too deep"),
    "array-100000-deep": (deep(100_000), "[0]", "nested too deep"),
    "state-1000-deep": (f'{{"node": "a", "state": {deep(1000)}}}', "state", "nested too deep"),
    "node-1000-deep": (f'{{"node": {deep(1000)}, "state": "ok"}}', "node", "nested too deep"),
    "label-1000-deep": (f'{{"labels": {{"job": {deep(1000)}}}, "state": "ok"}}', "labels", "too deep"),
    "unknown-1000-deep": (f'{{"node": "a", "state": "ok", "x": {deep(1000)}}}', "x", "nested too deep"),
    "objects-1000-deep": (
        '{"node": "a", "state": "ok", "x": ' + '{"a": ' * 1000 + "1" + "}" * 1001,
        "x",
        "deep",
    ),
    "state-1e400": ('{"node": "a", "state": 1e400}', "state", "1e400 (out of range)"),
    "state-minus-1e400": ('{"node": "a", "state": -1e400}', "state", "-1e400 (out of range)"),
    "time-1e400": ('{"node": "a", "state": "ok", "time": 1e400}', "time", "got 1e400 (out of range)"),
    "node-1e400": ('{"node": 1e400, "state": "ok"}', "node", "got 1e400 (out of range)"),
    "key-1e400": ('{"node": "a", "state": "ok", "key": 1e400}', "key", "got 1e400 (out of range)"),
    "label-1e400": ('{"labels": {"job": 1e400}, "state": "ok"}', "labels", "string labels"),
    "summary-1e400": ('{"node": "a", "state": "ok", "summary": 1e400}', "summary", "1e400 (out of range)"),
    "unknown-1e400": ('{"node": "a", "state": "ok", "x": 1e400}', "x", "unknown field"),
    "second-event-1e400": (
        '[{"node": "a", "state": "ok"}, {"node": "a", "state": 1e400}]',
        "[1].state",
        "1e400",
    ),
    "document-1e400": ("1e400", "event", "got a number out of range"),
    "integer-4301-digits": (
        '{"node": "a", "state": ' + "9" * 4301 + "}",
        "state",
        "Integer value out of range",
    ),
}


@pytest.mark.parametrize(("raw", "field", "gist"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_documents_are_refused_naming_the_field(raw: str, field: str, gist: str) -> None:
    with pytest.raises(EventError) as raised:
        decode_events(raw, require_time=False)
    assert raised.value.field == field
    assert gist in raised.value.message
    assert len(raised.value.message) < 300  # what is echoed is cut short
    if raw.startswith("{"):  # one event: decode_event says the same
        with pytest.raises(EventError) as one:
            decode_event(raw, require_time=False)
        assert (one.value.field, one.value.message) == (raised.value.field, raised.value.message)


def test_a_deep_value_that_can_be_read_is_echoed_cut_short() -> None:
    """500 levels are decoded; the message shows the value's start, not all of it."""
    with pytest.raises(EventError) as raised:
        decode_event(f'{{"node": {deep(500)}, "state": "ok"}}', require_time=False)
    assert raised.value.field == "node"
    assert raised.value.message.startswith("must be a node id string, got [[")
    assert len(raised.value.message) < 100
    with pytest.raises(EventError) as parsed:
        parse_event({"node": "a", "state": orjson.loads(deep(1000))})
    assert parsed.value.field == "state"
    assert "expected a name or a Nagios code 0-3" in parsed.value.message


def test_the_first_and_last_representable_times_are_taken() -> None:
    assert decode_event(text(node="a", state="ok", time="1970-01-01T00:00:00Z")).time == 0
    last = decode_event(text(node="a", state="ok", time="9999-12-31T23:59:59Z")).time
    assert last == 253_402_300_799  # the 8,030 years 1970..9999 of 365 days, 1,947 leap days, less 1 s
    assert last == (8030 * 365 + 1947) * 86400 - 1


def test_printable_unicode_and_line_breaks_in_a_summary_are_taken() -> None:
    raw = text(
        node="wéb-1 ☃", labels={"zone": "Zürich\u00a0A"}, key="disk /", summary="line 1\n\tline 2", state=2
    )
    assert decode_events(raw, require_time=False) == [
        Event(State.DOWN, None, "wéb-1 ☃", {"zone": "Zürich\u00a0A"}, "disk /", "line 1\n\tline 2")
    ]


@pytest.mark.parametrize(
    ("raw", "gist"),
    [
        ('{"node": "a", "state": ', "not valid JSON"),
        ('{"node": "a", "state": "ok"} trailing', "not valid JSON: trailing characters"),
        # of the wrong type first (msgspec stops there), then malformed: found by the fuzz tests
        ("0\x00", "not valid JSON: trailing characters"),
        ('{"node": "a", "state": true} trailing', "not valid JSON: trailing characters"),
        ("{'node': 'a'}", "not valid JSON"),
        ('{"node": "a", "state": NaN}', "not valid JSON"),
        ("", "empty"),
        ("  \n", "empty"),
    ],
)
def test_malformed_json(raw: str, gist: str) -> None:
    for decode in (decode_event, decode_events):
        with pytest.raises(EventError) as raised:
            decode(raw)
        assert raised.value.field == "json"
        assert gist in raised.value.message


# --- several events (HTTP API) -------------------------------------------------------------------


def test_decode_events_takes_an_array_or_one_object() -> None:
    one = text(node="a", state="down", time=T)
    two = text(labels={"job": "node"}, state=2, time="2026-11-27T11:00:00+01:00", id="x")
    expected = [Event(State.DOWN, TEN, "a"), Event(State.DOWN, TEN, labels={"job": "node"}, id="x")]
    assert decode_events(f"[{one}, {two}]") == expected
    assert decode_events(f"[{one}, {two}]".encode()) == expected
    assert decode_events(one) == expected[:1]
    assert decode_events(b"[]") == []
    assert decode_events(text(node="a", state="ok"), require_time=False) == [Event(State.OK, None, "a")]


@pytest.mark.parametrize(
    ("raw", "field", "gist"),
    [
        (
            f"[{text(node='a', state='ok', time=T)}, {text(node='a', state='nope', time=T)}]",
            "[1].state",
            "nope",
        ),
        (f"[{text(node='a', state='ok', time=T)}, {text(node=1, state='ok', time=T)}]", "[1].node", "string"),
        (f"[{text(node='a', state='ok', time=T)}, {text(node='a', state='ok')}]", "[1].time", "missing"),
        (f"[{text(node='a', state='ok', time=T, x=1)}]", "[0].x", "unknown field"),
        ('[{"node": "a", "state": "ok"}, 5]', "[0].time", "missing"),
        (f"[{text(node='a', state='ok', time=T)}, 5]", "[1]", "must be a JSON object, got a number"),
        (text(node="a", state=True, time=T), "state", "unknown state True"),
        ("5", "event", "expected an event object or an array of them, got a number"),
        ('"x"', "event", "got a string"),
        ("null", "event", "got null"),
    ],
)
def test_decode_events_names_the_bad_event(raw: str, field: str, gist: str) -> None:
    with pytest.raises(EventError) as raised:
        decode_events(raw)
    assert raised.value.field == field
    assert gist in raised.value.message


def test_msgspec_paths_become_fields() -> None:
    """The fallback for a document msgspec refuses but ``parse_event`` would take (none known)."""
    cases = [
        (events_module._ONE, b'{"state": "ok", "labels": {"x": 1}}', "labels"),
        (events_module._ONE, b'{"state": "ok", "colour": 1}', "colour"),
        (events_module._ONE, b'{"node": "a"}', "state"),
        (events_module._ONE, b"[]", "event"),
        (
            events_module._MANY,
            b'[{"state": 1}, {"state": 1}, {"state": 1}, {"state": 1, "node": 5}]',
            "[3].node",
        ),
        (events_module._MANY, b'[{"state": 1}, {"state": 1, "x": 1}]', "[1].x"),
    ]
    for decoder, raw, field in cases:
        with pytest.raises(msgspec.ValidationError) as raised:
            decoder.decode(raw)
        error = events_module._from_validation(raised.value)
        assert error.field == field, raw
        assert " - at " not in error.message


# --- the event log -------------------------------------------------------------------------------


def test_read_event_log_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    good = text(node="a", state="down", time=T)
    path.write_text(f"{good}\n\n   \n{{not json\n{text(node='a', state='sideways', time=T)}\n{good}\n")
    sizes: list[int] = []
    log = read_event_log(path, skip_bad=True, progress=sizes.append)
    assert sum(sizes) == path.stat().st_size  # every byte reported, in batches
    assert [line for line, _ in log.events] == [1, 6]
    assert log.events[0][1] == Event(State.DOWN, TEN, "a")
    assert [bad.line for bad in log.bad] == [4, 5]
    assert log.bad[0].message.startswith("not valid JSON: ")
    assert log.bad[1].message.startswith("state: unknown state 'sideways'")
    with pytest.raises(EventLineError) as raised:
        read_event_log(path)
    assert raised.value.line == 4
    assert raised.value.message.startswith("not valid JSON: ")
    assert raised.value.message.endswith(" (use --skip-bad to skip such lines)")
