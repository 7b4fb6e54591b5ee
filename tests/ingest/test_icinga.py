"""Icinga 2 ``process-check-result`` bodies to native events: docs/ingest.md."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.errors import EventError
from bizmap.ingest import event_from_icinga

# 2026-11-27T00:00:00Z, by hand: 56 years since 1970 of which 14 leap (1972..2024) = 20,454
# days, plus 304 days for January..October 2026 and 26 days of November.
NOV_27 = (56 * 365 + 14 + 304 + 26) * 86400
assert NOV_27 == 1_795_737_600
TEN = NOV_27 + 10 * 3600  # 2026-11-27T10:00:00Z
assert TEN == 1_795_773_600
RECEIVED = TEN + 2.5  # when the server read the request

# The body of POST /v1/actions/process-check-result as in Icinga's documentation: a service.
SERVICE: dict[str, Any] = {
    "type": "Service",
    "filter": 'host.name=="web-1.example.org" && service.name=="disk /"',
    "exit_status": 2,
    "plugin_output": "DISK CRITICAL - free space: / 512 MiB (2% inode=80%)",
    "performance_data": ["/=49664MB;40000;45000;0;50176"],
    "check_command": ["/usr/lib/nagios/plugins/check_disk", "-w", "20%", "-c", "10%", "-p", "/"],
    "check_source": "satellite-1.example.org",
    "execution_start": TEN - 0.25,
    "execution_end": TEN,
    "ttl": 300,
    "pretty": True,
}

# ... and a host (no execution times: the receipt time is used).
HOST: dict[str, Any] = {
    "type": "Host",
    "filter": 'host.name=="db-1.example.org"',
    "exit_status": 1,
    "plugin_output": "PING CRITICAL - Packet loss = 100%",
    "performance_data": ["rta=5000.000000ms;3000.000000;5000.000000;0.000000", "pl=100%;80;100;0"],
    "check_source": "icinga2-master1.example.org",
}

SERVICE_LABELS = {"host": "web-1.example.org", "service": "disk /"}


def body(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(base)
    for name, value in changes.items():
        if value is DELETE:
            result.pop(name, None)
        else:
            result[name] = value
    return result


DELETE = object()


def test_a_service_result() -> None:
    assert event_from_icinga(body(SERVICE), RECEIVED) == Event(
        state=State.DOWN,
        time=TEN,
        labels=SERVICE_LABELS,
        key="disk /",
        summary="DISK CRITICAL - free space: / 512 MiB (2% inode=80%)",
        source="icinga",
    )


def test_a_host_result() -> None:
    assert event_from_icinga(body(HOST), RECEIVED) == Event(
        state=State.DOWN,
        time=RECEIVED,
        labels={"host": "db-1.example.org"},
        key="host",
        summary="PING CRITICAL - Packet loss = 100%",
        source="icinga",
    )


# --- states ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "state"),
    [
        (0, State.OK),
        (1, State.DEGRADED),
        (2, State.DOWN),
        (3, State.UNKNOWN),
        ("2", State.DOWN),
        (1.0, State.DEGRADED),
    ],
)
def test_service_exit_status(code: Any, state: State) -> None:
    assert event_from_icinga(body(SERVICE, exit_status=code), RECEIVED).state == state


@pytest.mark.parametrize(
    ("code", "state"), [(0, State.OK), (1, State.DOWN), ("0", State.OK), (" 1 ", State.DOWN)]
)
def test_host_exit_status(code: Any, state: State) -> None:
    assert event_from_icinga(body(HOST, exit_status=code), RECEIVED).state == state


# --- naming the object ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"filter": 'service.name=="disk /" && host.name=="web-1.example.org"'},
        {"filter": '"web-1.example.org"==host.name && "disk /"==service.name'},
        {"filter": '(host.name == "web-1.example.org") && (service.name == "disk /")'},
        {"filter": '  host.name=="web-1.example.org"&&service.name=="disk /"  '},
        {"filter": 'service.__name=="web-1.example.org!disk /"'},
        {"filter": 'service.host_name=="web-1.example.org" && service.name=="disk /"'},
        {
            "filter": "host.name==h && service.name==s",
            "filter_vars": {"h": "web-1.example.org", "s": "disk /"},
        },
        {"type": "service"},
        {"type": "Services"},
        {"type": DELETE, "filter": DELETE, "service": "web-1.example.org!disk /"},
        {"type": DELETE, "filter": DELETE, "host": "web-1.example.org", "service": "disk /"},
        {"filter": DELETE, "service": "web-1.example.org!disk /"},
        {"service": "web-1.example.org!disk /"},  # agrees with the filter
    ],
)
def test_the_ways_to_name_a_service(changes: dict[str, Any]) -> None:
    event = event_from_icinga(body(SERVICE, **changes), RECEIVED)
    assert event.labels == SERVICE_LABELS
    assert event.key == "disk /"


@pytest.mark.parametrize(
    "changes",
    [
        {"filter": 'host.__name=="db-1.example.org"'},
        {"filter": "host.name==name", "filter_vars": {"name": "db-1.example.org"}},
        {"type": "host"},
        {"type": DELETE, "filter": DELETE, "host": "db-1.example.org"},
        {"filter": DELETE, "host": "db-1.example.org"},
        {"host": "db-1.example.org"},
    ],
)
def test_the_ways_to_name_a_host(changes: dict[str, Any]) -> None:
    event = event_from_icinga(body(HOST, **changes), RECEIVED)
    assert event.labels == {"host": "db-1.example.org"}
    assert event.key == "host"


def test_string_escapes_in_a_filter() -> None:
    filter_ = r'host.name=="web \"blue\"" && service.name=="C:\\ free"'
    event = event_from_icinga(body(SERVICE, filter=filter_), RECEIVED)
    assert event.labels == {"host": 'web "blue"', "service": "C:\\ free"}


# --- time and summary -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "time"),
    [
        ({}, TEN),
        ({"execution_end": DELETE}, RECEIVED),
        ({"execution_end": None}, RECEIVED),
        ({"execution_end": 0}, RECEIVED),  # Icinga, too, reads 0 as "not given"
        ({"execution_end": "1795773600.5"}, TEN + 0.5),
        ({"execution_end": 1_795_773_601}, TEN + 1),
        ({"execution_end": DELETE, "execution_start": TEN}, RECEIVED),  # the start is not the time
    ],
)
def test_time_is_execution_end_else_the_receipt_time(changes: dict[str, Any], time: float) -> None:
    assert event_from_icinga(body(SERVICE, **changes), RECEIVED).time == time


def test_empty_output_means_no_summary() -> None:
    assert event_from_icinga(body(HOST, plugin_output=""), RECEIVED).summary is None


def test_no_id_the_body_identifies_no_submission() -> None:
    assert event_from_icinga(body(SERVICE), RECEIVED).id is None


# --- refused bodies, each naming its field ----------------------------------------------------------

MALFORMED: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("type Hostgroup", SERVICE, {"type": "HostGroup"}, "type"),
    ("type a number", SERVICE, {"type": 1}, "type"),
    ("no type, a filter", SERVICE, {"type": DELETE}, "type"),
    ("nothing names the object", HOST, {"type": DELETE, "filter": DELETE}, "type"),
    ("filter a list", SERVICE, {"filter": ["host.name==x"]}, "filter"),
    ("filter with ||", SERVICE, {"filter": 'host.name=="a" || host.name=="b"'}, "filter"),
    ("filter with match()", HOST, {"filter": 'match("db-*", host.name)'}, "filter"),
    ("filter with !=", HOST, {"filter": 'host.name!="db-1"'}, "filter"),
    ("filter on another attribute", HOST, {"filter": 'host.address=="10.0.0.1"'}, "filter"),
    ("filter comparing two values", HOST, {"filter": '"a"=="a"'}, "filter"),
    ("filter unbalanced", HOST, {"filter": '(host.name=="db-1"'}, "filter"),
    ("filter closing first", HOST, {"filter": ')host.name=="db-1"('}, "filter"),
    ("filter unterminated string", HOST, {"filter": 'host.name=="db-1'}, "filter"),
    ("filter empty", HOST, {"filter": ""}, "filter"),
    ("filter empty name", HOST, {"filter": 'host.name==""'}, "filter"),
    ("service without its service", SERVICE, {"filter": 'host.name=="web-1.example.org"'}, "filter"),
    ("service without its host", SERVICE, {"filter": 'service.name=="disk /"'}, "filter"),
    ("host with a service", HOST, {"filter": 'host.name=="db-1" && service.name=="ping"'}, "filter"),
    ("two hosts", HOST, {"filter": 'host.name=="db-1" && host.name=="db-2"'}, "filter"),
    ("__name without !", SERVICE, {"filter": 'service.__name=="disk /"'}, "filter"),
    ("unbound filter name", HOST, {"filter": "host.name==name"}, "filter"),
    ("filter_vars a list", HOST, {"filter": "host.name==name", "filter_vars": ["db-1"]}, "filter_vars"),
    ("filter_vars a number", HOST, {"filter": "host.name==n", "filter_vars": {"n": 1}}, "filter_vars.n"),
    ("bare service alone", HOST, {"type": DELETE, "filter": DELETE, "service": "ping"}, "service"),
    ("service a number", SERVICE, {"service": 5}, "service"),
    ("host a list", HOST, {"host": ["db-1"]}, "host"),
    ("host empty", HOST, {"filter": DELETE, "host": ""}, "host"),
    ("service !disk", SERVICE, {"filter": DELETE, "service": "!disk"}, "service"),
    ("shortcut and filter disagree", SERVICE, {"service": "web-2.example.org!disk /"}, "filter"),
    ("host shortcut on a Service", SERVICE, {"filter": DELETE, "host": "web-1.example.org"}, "service"),
    ("service shortcut on a Host", HOST, {"service": "db-1.example.org!ping"}, "service"),
    ("no exit_status", SERVICE, {"exit_status": DELETE}, "exit_status"),
    ("exit_status null", SERVICE, {"exit_status": None}, "exit_status"),
    ("exit_status a word", SERVICE, {"exit_status": "critical"}, "exit_status"),
    ("exit_status true", SERVICE, {"exit_status": True}, "exit_status"),
    ("exit_status 2.5", SERVICE, {"exit_status": 2.5}, "exit_status"),
    ("exit_status NaN", SERVICE, {"exit_status": float("nan")}, "exit_status"),
    ("service exit_status 4", SERVICE, {"exit_status": 4}, "exit_status"),
    ("service exit_status -1", SERVICE, {"exit_status": -1}, "exit_status"),
    ("host exit_status 2", HOST, {"exit_status": 2}, "exit_status"),
    ("host exit_status 3", HOST, {"exit_status": 3}, "exit_status"),
    ("no plugin_output", HOST, {"plugin_output": DELETE}, "plugin_output"),
    ("plugin_output a list", HOST, {"plugin_output": ["PING OK"]}, "plugin_output"),
    ("execution_end a word", SERVICE, {"execution_end": "soon"}, "execution_end"),
    ("execution_end negative", SERVICE, {"execution_end": -1}, "execution_end"),
    ("execution_end true", SERVICE, {"execution_end": True}, "execution_end"),
    ("execution_end infinite", SERVICE, {"execution_end": float("inf")}, "execution_end"),
    ("execution_start a word", SERVICE, {"execution_start": "x"}, "execution_start"),
]


@pytest.mark.parametrize(
    ("base", "changes", "field"), [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED]
)
def test_malformed_body_names_the_field(base: dict[str, Any], changes: dict[str, Any], field: str) -> None:
    with pytest.raises(EventError) as caught:
        event_from_icinga(body(base, **changes), RECEIVED)
    assert caught.value.field == field
    assert caught.value.message


@pytest.mark.parametrize("value", [None, [], "exit_status=2", 2])
def test_a_body_that_is_not_an_object_is_refused(value: Any) -> None:
    with pytest.raises(EventError) as caught:
        event_from_icinga(value, RECEIVED)
    assert caught.value.field == "payload"


def test_messages_say_what_is_wrong() -> None:
    with pytest.raises(EventError) as caught:
        event_from_icinga(body(HOST, exit_status=2), RECEIVED)
    assert str(caught.value) == "exit_status: invalid exit status 2 for a Host: use 0 (up) or 1 (down)"
    with pytest.raises(EventError) as caught:
        event_from_icinga(body(SERVICE, service="web-2.example.org!disk /"), RECEIVED)
    assert str(caught.value) == "filter: names host 'web-1.example.org' but service names 'web-2.example.org'"


# --- hostile bodies: each was a 500 (RecursionError, overflow) or is refused with the field named ---


def nested(depth: int) -> Any:
    """``[[[...]]]``, ``depth`` arrays deep (orjson reads up to 1,024)."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


HOSTILE: list[tuple[str, dict[str, Any], dict[str, Any], str, str]] = [
    ("type nested", SERVICE, {"type": nested(1000)}, "type", 'must be "Host" or "Service", got [['),
    # 1e15 s is in the year 31,690,708: formatting the refusal overflowed
    ("execution_end 1e15", SERVICE, {"execution_end": 1e15}, "execution_end", "after 9999-12-31T23:59:59Z"),
    ("execution_end '1e15'", SERVICE, {"execution_end": "1e15"}, "execution_end", "after 9999"),
    (
        "execution_end just after 9999",
        SERVICE,
        {"execution_end": 253_402_300_800},
        "execution_end",
        "after 9999",
    ),
    ("execution_start 1e15", SERVICE, {"execution_start": 1e15}, "execution_start", "after 9999"),
    ("execution_end 10**400", SERVICE, {"execution_end": 10**400}, "execution_end", "out of range"),
    ("exit_status 10**400", SERVICE, {"exit_status": 10**400}, "exit_status", "out of range"),
    ("execution_end 'Infinity'", SERVICE, {"execution_end": "Infinity"}, "execution_end", "finite"),
    ("execution_end 'NaN'", SERVICE, {"execution_end": "NaN"}, "execution_end", "finite"),
    ("host with NUL", HOST, {"filter": DELETE, "host": "db-1\x00"}, "host", "U+0000"),
    ("service with a newline", SERVICE, {"filter": DELETE, "service": "web-1!disk\n"}, "service", "U+000A"),
    ("filter with NUL", HOST, {"filter": 'host.name=="db\x00"'}, "filter", "U+0000"),
    ("filter escape to a newline", HOST, {"filter": 'host.name=="db\\n"'}, "filter", "U+000A"),
    (
        "filter_vars with ESC",
        HOST,
        {"filter": "host.name==n", "filter_vars": {"n": "\x1bdb"}},
        "filter_vars.n",
        "U+001B",
    ),
    ("plugin_output with NUL", HOST, {"plugin_output": "PING\x00"}, "plugin_output", "U+0000"),
]


@pytest.mark.parametrize(
    ("base", "changes", "field", "gist"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_hostile_body_is_refused_naming_the_field(
    base: dict[str, Any], changes: dict[str, Any], field: str, gist: str
) -> None:
    with pytest.raises(EventError) as caught:
        event_from_icinga(body(base, **changes), RECEIVED)
    assert caught.value.field == field
    assert gist in caught.value.message
    assert len(caught.value.message) < 300  # a value is echoed cut short


def test_the_last_representable_second_is_taken_and_lines_in_the_output() -> None:
    event = event_from_icinga(body(HOST, execution_end=253_402_300_799, plugin_output="a\n\tb"), RECEIVED)
    assert event.time == 253_402_300_799  # 9999-12-31T23:59:59Z
    assert event.summary == "a\n\tb"
