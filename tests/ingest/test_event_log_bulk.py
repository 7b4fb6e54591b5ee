"""Reading an event log in bulk finds what reading it line by line finds (issue 15's fast path).

``read_event_log`` decodes a block of lines at once (``decode_event_lines``) and only goes line by
line for a block with a blank or bad line in it. Both ways must give the same events with the same
line numbers, and refuse the same lines with the same messages, whatever the lines and wherever
the blocks are cut: the reference below is the reader as it was before the fast path, one
``decode_event`` per line of the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.engine import replay as replay_module
from bizmap.engine.replay import BadLine, read_event_log
from bizmap.errors import EventError, EventLineError
from bizmap.ingest.native import decode_event, decode_event_lines

T = "2026-11-27T10:00:00Z"
TEN = 1_795_773_600.0  # 2026-11-27T10:00:00Z (tests/test_events.py works it out by hand)


def line(**fields: Any) -> str:
    return json.dumps(fields, separators=(",", ":"))


def reference(path: Path) -> tuple[list[tuple[int, Event]], list[BadLine]]:
    """The log read one line at a time, as ``read_event_log`` did before it read in bulk."""
    events: list[tuple[int, Event]] = []
    bad: list[BadLine] = []
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                event = decode_event(raw)
            except EventError as error:
                if not raw.strip():
                    continue
                bad.append(
                    BadLine(
                        number, error.message if error.field == "json" else f"{error.field}: {error.message}"
                    )
                )
            else:
                events.append((number, event))
    return events, bad


def assert_read_as_reference(path: Path) -> None:
    events, bad = reference(path)
    log = read_event_log(path, skip_bad=True)
    assert log.events == events
    assert all(type(event) is Event for _, event in log.events)
    assert log.bad == bad
    if bad:  # without --skip-bad: the first bad line stops the reading, named the same way
        with pytest.raises(EventLineError) as raised:
            read_event_log(path)
        assert (raised.value.line, raised.value.message) == (
            bad[0].line,
            bad[0].message + " (use --skip-bad to skip such lines)",
        )
    else:
        assert read_event_log(path).events == events


GOOD_LINES = [
    line(labels={"instance": "c0-1", "job": "node"}, state="down", time=T, id="e1"),
    line(node="web-1", state="ok", time="2026-11-27T11:00:00.25+01:00", key="disk"),
    line(node="web-1", state=2, time=T, summary="disk full", source="nagios"),
    line(node="web-1", state="critical", time="2026-11-27T10:00:00.123456789Z"),  # nanoseconds: cut
    line(node="web-1", state="warning", time=T, labels={}),
    '{"node":"caf\\u00e9","state":"down","time":"' + T + '"}',  # an escape: not the plain case
    '{"node":"café","state":"down","time":"' + T + '","summary":"line\\nbreak"}',  # not ASCII
    line(node="web-1", state=" Down ", time=T),  # spelled loosely: parse_state's work
    line(node="web-1", state="ok", time="2026-11-27t10:00:00z"),  # spelled loosely: parse_time's work
    line(node="web-1", state="ok", time="1970-01-01T00:00:00Z"),
    line(node="web-1", state="ok", time="9999-12-31T23:59:59Z"),
]
BAD_LINES = [
    "",
    "   ",
    "{not json",
    "[]",
    line(node="web-1", state="sideways", time=T),
    line(node="web-1", state="down"),
    line(node="web-1", state="down", time="2026-11-27T10:00:00"),
    line(node="web-1", state="down", time="9999-12-31T23:59:59-05:00"),
    line(node="web-1", state="down", time="1969-12-31T23:59:59Z"),
    line(node="", state="down", time=T),
    line(state="down", time=T),
    line(node="web-1", state="down", time=T, key=""),
    line(node="web-1", state="down", time=T, id=""),
    line(node="web-1", state="down", time=T, colour="red"),
    line(node="web\n1", state="down", time=T),
    line(node="web-1", state="down", time=T, summary="a\x00b"),
    line(labels={"instance": "a\x1bb"}, state="down", time=T),
    '{"node":"web-1\x7f","state":"down","time":"' + T + '"}',  # DEL, sent raw: a control character
    # two events on one line, and one event over two lines: not one event a line
    line(node="a", state="ok", time=T) + " " + line(node="b", state="ok", time=T),
    line(node="a", state="ok", time=T) + line(node="b", state="ok", time=T),
    line(node="a", state="ok", time=T) + "," + line(node="b", state="ok", time=T),
    '{"node":"a","state":"ok",',
    '"time":"' + T + '"}',
    '{"node":"a}',
    '{","state":"ok","time":"' + T + '"}',
]
ENDINGS = ["\n", "\n", "\n", "\r\n", " \n", ""]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(
        st.tuples(st.sampled_from(GOOD_LINES) | st.sampled_from(BAD_LINES), st.sampled_from(ENDINGS)),
        max_size=12,
    ),
    block=st.sampled_from([1, 7, 64, 300, 1 << 20]),
)
def test_reading_in_blocks_finds_what_reading_line_by_line_finds(
    tmp_path: Path, lines: list[tuple[str, str]], block: int
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes("".join(text + ending for text, ending in lines).encode())
    with mock.patch.object(replay_module, "READ_BLOCK", block):
        assert_read_as_reference(path)


def test_a_log_of_good_lines_is_read_in_bulk(tmp_path: Path) -> None:
    """Good lines in blocks of a few: every block decoded at once, numbered from where it starts."""
    path = tmp_path / "events.jsonl"
    lines = [
        line(labels={"instance": f"c0-{i}"}, state="down" if i % 2 else "ok", time=T, id=f"e{i}")
        for i in range(50)
    ]
    path.write_text("".join(text + "\n" for text in lines))
    with (
        mock.patch.object(replay_module, "READ_BLOCK", 200),
        mock.patch.object(replay_module, "decode_event", side_effect=AssertionError("decoded line by line")),
    ):
        log = read_event_log(path)
    assert [number for number, _ in log.events] == list(range(1, 51))
    assert log.events[7][1] == Event(State.DOWN, TEN, labels={"instance": "c0-7"}, id="e7")
    assert_read_as_reference(path)


def chunk(*lines: str) -> bytes:
    return "".join(text + "\n" for text in lines).encode()


def test_the_bulk_decoder_gives_each_lines_event() -> None:
    """None (then the lines are read one by one) or each line's event: never anything else."""
    plain, loose = GOOD_LINES[:5] + GOOD_LINES[9:], GOOD_LINES[7:9]
    for lines in (plain, GOOD_LINES[:7], GOOD_LINES, loose, plain + loose):
        found = decode_event_lines(chunk(*lines))
        if lines in (plain, GOOD_LINES[:7], GOOD_LINES):  # plain, or a text not ASCII: in bulk
            assert found is not None
        if found is not None:
            assert found == [decode_event(text) for text in lines]
            assert all(type(event) is Event for event in found)


@pytest.mark.parametrize(
    "lines",
    [
        # a line with two events and a blank line: as many events as lines, but not one a line
        [line(node="a", state="ok", time=T) + " " + line(node="b", state="ok", time=T), ""],
        # an event over two lines and a line with two events
        [
            '{"node":"a","labels":{}',
            "}",
            line(node="b", state="ok", time=T) + line(node="c", state="ok", time=T),
        ],
        # a line that opens a string, the next that closes it: one event made of two lines
        [
            '{"node":"a}',
            '{","state":"ok","time":"' + T + '"}',
            line(node="b", state="ok", time=T) + "," + line(node="c", state="ok", time=T),
        ],
        [line(node="a", state="ok", time=T) + "\r"],
        [line(node="a", state="ok", time=T), "  " + line(node="b", state="ok", time=T)],
        [line(node="a", state="ok", time=T), line(node="b", state="sideways", time=T)],
        [line(node="a", state="ok", time=T), line(node="b", state="ok")],
    ],
)
def test_the_bulk_decoder_leaves_anything_but_one_good_event_a_line_to_the_lines(lines: list[str]) -> None:
    assert decode_event_lines(chunk(*lines)) is None


def test_an_event_read_in_bulk_is_an_ordinary_frozen_event() -> None:
    found = decode_event_lines(chunk(line(node="a", state="down", time=T, key="disk", id="x")))
    assert found is not None
    (event,) = found
    assert type(event) is Event and event == Event(State.DOWN, TEN, "a", None, "disk", None, None, "x")
    assert repr(event) == repr(Event(State.DOWN, TEN, "a", None, "disk", None, None, "x"))
    with pytest.raises(AttributeError):
        event.node = "b"  # type: ignore[misc]
