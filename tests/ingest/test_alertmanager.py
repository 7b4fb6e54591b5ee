"""Alertmanager webhook (version 4) to native events: semantics §6, docs/ingest.md."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.errors import EventError
from bizmap.ingest import events_from_alertmanager
from bizmap.ingest.alertmanager import fingerprint, severity_state

# 2026-11-27T00:00:00Z, by hand: 56 years since 1970 of which 14 leap (1972..2024) = 20,454
# days, plus 304 days for January..October 2026 and 26 days of November.
NOV_27 = (56 * 365 + 14 + 304 + 26) * 86400
assert NOV_27 == 1_795_737_600
TEN = NOV_27 + 10 * 3600  # "2026-11-27T10:00:00Z"
assert TEN == 1_795_773_600
# "2026-11-27T10:04:30.25+01:00" is 09:04:30.25 UTC.
NINE_04_30 = NOV_27 + 9 * 3600 + 4 * 60 + 30.25
assert NINE_04_30 == 1_795_770_270.25

# A real webhook as Alertmanager 0.27 sends it: one group, two alerts, one still firing and one
# resolved (send_resolved: true). Firing alerts carry Go's zero time as endsAt.
WEBHOOK: dict[str, Any] = {
    "version": "4",
    "groupKey": '{}/{team="payments"}:{alertname="HighErrorRate"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "bizmap",
    "groupLabels": {"alertname": "HighErrorRate"},
    "commonLabels": {"alertname": "HighErrorRate", "job": "checkout", "team": "payments"},
    "commonAnnotations": {"runbook_url": "https://runbooks.example.org/high-error-rate"},
    "externalURL": "http://alertmanager.example.org:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "HighErrorRate",
                "bizmap_node": "checkout-api",
                "instance": "checkout-1:8080",
                "job": "checkout",
                "severity": "critical",
                "team": "payments",
            },
            "annotations": {
                "description": "5.2% of requests to checkout-1:8080 fail (threshold 1%).",
                "runbook_url": "https://runbooks.example.org/high-error-rate",
                "summary": "Checkout API error rate above 1%",
            },
            "startsAt": "2026-11-27T10:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.example.org:9090/graph?g0.expr=job%3Acheckout_errors%3Aratio5m+%3E+0.01&g0.tab=1",
            "fingerprint": "c3a1f2b4d5e6f708",
        },
        {
            "status": "resolved",
            "labels": {
                "alertname": "HighErrorRate",
                "instance": "checkout-2:8080",
                "job": "checkout",
                "severity": "warning",
                "team": "payments",
            },
            "annotations": {
                "description": "1.4% of requests to checkout-2:8080 fail (threshold 1%).",
                "runbook_url": "https://runbooks.example.org/high-error-rate",
            },
            "startsAt": "2026-11-27T08:55:00.123456789Z",
            "endsAt": "2026-11-27T10:04:30.25+01:00",
            "generatorURL": "http://prometheus.example.org:9090/graph?g0.expr=job%3Acheckout_errors%3Aratio5m+%3E+0.01&g0.tab=1",
            "fingerprint": "9f0e1d2c3b4a5968",
        },
    ],
}

EXPECTED = [
    Event(
        state=State.DOWN,
        time=TEN,
        node="checkout-api",
        labels={
            "alertname": "HighErrorRate",
            "bizmap_node": "checkout-api",
            "instance": "checkout-1:8080",
            "job": "checkout",
            "severity": "critical",
            "team": "payments",
        },
        key="c3a1f2b4d5e6f708",
        summary="Checkout API error rate above 1%",
        source="alertmanager",
        id="am:c3a1f2b4d5e6f708:firing:2026-11-27T10:00:00Z",
    ),
    Event(
        state=State.OK,
        time=NINE_04_30,
        node=None,
        labels={
            "alertname": "HighErrorRate",
            "instance": "checkout-2:8080",
            "job": "checkout",
            "severity": "warning",
            "team": "payments",
        },
        key="9f0e1d2c3b4a5968",
        summary="1.4% of requests to checkout-2:8080 fail (threshold 1%).",
        source="alertmanager",
        id="am:9f0e1d2c3b4a5968:resolved:2026-11-27T10:04:30.25+01:00",
    ),
]


def webhook(*alerts: dict[str, Any]) -> dict[str, Any]:
    payload = copy.deepcopy(WEBHOOK)
    if alerts:
        payload["alerts"] = [copy.deepcopy(alert) for alert in alerts]
    return payload


def alert(status: str = "firing", **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = copy.deepcopy(WEBHOOK["alerts"][0 if status == "firing" else 1])
    base.update(changes)
    return base


def test_the_two_alerts_of_a_real_webhook() -> None:
    assert events_from_alertmanager(webhook()) == EXPECTED


def test_an_empty_group_gives_no_events() -> None:
    payload = webhook()
    payload["alerts"] = []
    assert events_from_alertmanager(payload) == []


def test_truncated_alerts_do_not_stop_the_ones_sent() -> None:
    payload = webhook()
    payload["truncatedAlerts"] = 3
    assert events_from_alertmanager(payload) == EXPECTED


# --- state ------------------------------------------------------------------------------------------

SEVERITIES: list[tuple[str | None, State]] = [
    ("critical", State.DOWN),
    ("page", State.DOWN),
    ("error", State.DOWN),
    ("CRITICAL", State.DOWN),
    (" Page ", State.DOWN),
    ("Error", State.DOWN),
    ("warning", State.DEGRADED),
    ("info", State.DEGRADED),
    ("none", State.DEGRADED),
    ("crit", State.DEGRADED),  # not in §6's list: a severity, not a state name
    ("down", State.DEGRADED),
    ("", State.DEGRADED),
    (None, State.DEGRADED),  # no severity label at all
]


@pytest.mark.parametrize(("severity", "state"), SEVERITIES)
def test_firing_state_from_severity(severity: str | None, state: State) -> None:
    labels = {"alertname": "DiskFull", "instance": "db-1:9100"}
    if severity is not None:
        labels["severity"] = severity
    [event] = events_from_alertmanager(webhook(alert(labels=labels)))
    assert event.state == state
    assert severity_state(severity) == state


@pytest.mark.parametrize(("severity", "state"), SEVERITIES)
def test_resolved_is_ok_whatever_the_severity(severity: str | None, state: State) -> None:
    labels = {"alertname": "DiskFull", "instance": "db-1:9100"}
    if severity is not None:
        labels["severity"] = severity
    [event] = events_from_alertmanager(webhook(alert("resolved", labels=labels)))
    assert event.state == State.OK


# --- node, labels, key --------------------------------------------------------------------------


def test_bizmap_node_names_the_node_and_the_labels_are_kept() -> None:
    [event] = events_from_alertmanager(webhook(alert()))
    assert event.node == "checkout-api"
    assert event.labels is not None and event.labels["bizmap_node"] == "checkout-api"
    assert event.labels["instance"] == "checkout-1:8080"


def test_without_bizmap_node_the_labels_are_matched() -> None:
    [event] = events_from_alertmanager(webhook(alert("resolved")))
    assert event.node is None
    assert event.labels == WEBHOOK["alerts"][1]["labels"]


def test_labels_are_copied_not_shared_with_the_payload() -> None:
    payload = webhook()
    [event, _] = events_from_alertmanager(payload)
    payload["alerts"][0]["labels"]["severity"] = "info"
    assert event.labels is not None and event.labels["severity"] == "critical"


# Vectors of prometheus/common's label-set fingerprint (FNV-1a 64 over sorted name, 0xff, value, 0xff).
@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({}, "cbf29ce484222325"),  # the FNV-1a offset basis: nothing hashed
        ({"foo": "bar"}, "3fff2c2d7595e046"),
        ({"foo": "bar", "baz": "qux"}, "e4d83091cd448e77"),
        ({"baz": "qux", "foo": "bar"}, "e4d83091cd448e77"),
    ],
)
def test_fingerprint_is_alertmanagers(labels: dict[str, str], expected: str) -> None:
    assert fingerprint(labels) == expected


def test_missing_fingerprint_falls_back_to_alertmanagers_own() -> None:
    firing = alert(labels={"foo": "bar", "baz": "qux"})
    del firing["fingerprint"]
    null = alert(labels={"baz": "qux", "foo": "bar"}, fingerprint=None)
    events = events_from_alertmanager(webhook(firing, null))
    assert [event.key for event in events] == ["e4d83091cd448e77", "e4d83091cd448e77"]
    assert events[0].id == "am:e4d83091cd448e77:firing:2026-11-27T10:00:00Z"


# --- time, summary ------------------------------------------------------------------------------


def test_firing_ignores_the_zero_end_time_and_resolved_uses_it() -> None:
    firing, resolved = events_from_alertmanager(webhook())
    assert firing.time == TEN  # startsAt; endsAt "0001-01-01T00:00:00Z" not read
    assert resolved.time == NINE_04_30  # endsAt, not startsAt


def test_nanoseconds_are_cut_to_microseconds() -> None:
    [event] = events_from_alertmanager(webhook(alert(startsAt="2026-11-27T10:00:00.123456789Z")))
    assert event.time == pytest.approx(TEN + 0.123456, abs=1e-6)
    assert event.id == "am:c3a1f2b4d5e6f708:firing:2026-11-27T10:00:00.123456789Z"  # as sent


def test_a_firing_alert_without_end_time_is_fine() -> None:
    firing = alert()
    del firing["endsAt"]
    [event] = events_from_alertmanager(webhook(firing))
    assert event.time == TEN


@pytest.mark.parametrize(
    ("annotations", "summary"),
    [
        ({"summary": "S", "description": "D"}, "S"),
        ({"description": "D"}, "D"),
        ({"summary": "", "description": "D"}, "D"),
        ({"summary": "  ", "description": "D"}, "D"),
        ({"runbook_url": "https://x"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_summary_from_annotations(annotations: dict[str, str] | None, summary: str | None) -> None:
    [event] = events_from_alertmanager(webhook(alert(annotations=annotations)))
    assert event.summary == summary


def test_no_annotations_member_means_no_summary() -> None:
    firing = alert()
    del firing["annotations"]
    [event] = events_from_alertmanager(webhook(firing))
    assert event.summary is None


# --- ids: idempotent retries, new ids for re-fires ------------------------------------------------


def test_a_retried_webhook_has_the_same_ids() -> None:
    first = [event.id for event in events_from_alertmanager(webhook())]
    retry = [event.id for event in events_from_alertmanager(webhook())]
    assert first == retry
    assert len(set(first)) == 2


def test_a_repeated_notification_has_the_same_id_for_the_same_alert() -> None:
    # repeat_interval, or the group flushed again because another alert joined it
    other = alert(
        labels={"alertname": "HighErrorRate", "instance": "checkout-3:8080"}, fingerprint="0000000000000003"
    )
    first = events_from_alertmanager(webhook(alert()))
    again = events_from_alertmanager(webhook(alert(), other))
    assert again[0].id == first[0].id
    assert again[1].id != first[0].id


def test_a_refire_has_a_new_id() -> None:
    fire = events_from_alertmanager(webhook(alert()))[0]
    resolve = events_from_alertmanager(webhook(alert("resolved", fingerprint="c3a1f2b4d5e6f708")))[0]
    refire = events_from_alertmanager(webhook(alert(startsAt="2026-11-27T11:30:00Z")))[0]
    assert len({fire.id, resolve.id, refire.id}) == 3
    assert refire.id == "am:c3a1f2b4d5e6f708:firing:2026-11-27T11:30:00Z"
    assert refire.time == TEN + 5400


def test_firing_and_resolved_of_one_alert_share_the_signal_not_the_id() -> None:
    fire = events_from_alertmanager(webhook(alert()))[0]
    resolve = events_from_alertmanager(webhook(alert("resolved", fingerprint="c3a1f2b4d5e6f708")))[0]
    assert fire.key == resolve.key
    assert fire.id != resolve.id


# --- refused payloads, each naming its field --------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation: set (or, with ``DELETE``, remove) the member at a dotted path; ``alerts.1``."""

    def mutate(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = payload
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if value is DELETE:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


DELETE = object()

MALFORMED: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("no version", _set("version", DELETE), "version"),
    ("version 3", _set("version", "3"), "version"),
    ("version as a number", _set("version", 4), "version"),
    ("no alerts", _set("alerts", DELETE), "alerts"),
    ("alerts null", _set("alerts", None), "alerts"),
    ("alerts an object", _set("alerts", {"0": {}}), "alerts"),
    ("an alert a string", _set("alerts.1", "firing"), "alerts[1]"),
    ("no status", _set("alerts.0.status", DELETE), "alerts[0].status"),
    ("status pending", _set("alerts.1.status", "pending"), "alerts[1].status"),
    ("no labels", _set("alerts.0.labels", DELETE), "alerts[0].labels"),
    ("labels null", _set("alerts.0.labels", None), "alerts[0].labels"),
    ("labels a list", _set("alerts.1.labels", ["a=b"]), "alerts[1].labels"),
    ("labels empty", _set("alerts.0.labels", {}), "alerts[0].labels"),
    ("a label a number", _set("alerts.1.labels.team", 5), "alerts[1].labels.team"),
    ("bizmap_node empty", _set("alerts.0.labels.bizmap_node", ""), "alerts[0].labels.bizmap_node"),
    ("fingerprint a number", _set("alerts.0.fingerprint", 42), "alerts[0].fingerprint"),
    ("fingerprint empty", _set("alerts.1.fingerprint", ""), "alerts[1].fingerprint"),
    ("firing, no startsAt", _set("alerts.0.startsAt", DELETE), "alerts[0].startsAt"),
    ("startsAt without offset", _set("alerts.0.startsAt", "2026-11-27T10:00:00"), "alerts[0].startsAt"),
    ("startsAt not a time", _set("alerts.0.startsAt", "yesterday"), "alerts[0].startsAt"),
    ("startsAt a number", _set("alerts.0.startsAt", TEN), "alerts[0].startsAt"),
    ("firing since Go's zero time", _set("alerts.0.startsAt", "0001-01-01T00:00:00Z"), "alerts[0].startsAt"),
    ("resolved, no endsAt", _set("alerts.1.endsAt", DELETE), "alerts[1].endsAt"),
    ("resolved at Go's zero time", _set("alerts.1.endsAt", "0001-01-01T00:00:00Z"), "alerts[1].endsAt"),
    ("resolved, endsAt not a time", _set("alerts.1.endsAt", "2026-13-01T00:00:00Z"), "alerts[1].endsAt"),
    ("annotations a list", _set("alerts.0.annotations", ["summary"]), "alerts[0].annotations"),
    ("summary a number", _set("alerts.0.annotations.summary", 1), "alerts[0].annotations.summary"),
    (
        "description an object",
        _set("alerts.1.annotations.description", {}),
        "alerts[1].annotations.description",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "field"), [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED]
)
def test_malformed_payload_names_the_field(mutate: Callable[[dict[str, Any]], None], field: str) -> None:
    payload = webhook()
    mutate(payload)
    with pytest.raises(EventError) as caught:
        events_from_alertmanager(payload)
    assert caught.value.field == field
    assert caught.value.message


@pytest.mark.parametrize("payload", [None, [], "alerts", 4])
def test_a_payload_that_is_not_an_object_is_refused(payload: Any) -> None:
    with pytest.raises(EventError) as caught:
        events_from_alertmanager(payload)
    assert caught.value.field == "payload"


def test_messages_say_what_is_wrong() -> None:
    with pytest.raises(EventError) as caught:
        events_from_alertmanager({**webhook(), "version": "3"})
    assert str(caught.value) == "version: unsupported payload version '3': only \"4\" is understood"
    payload = webhook()
    payload["alerts"][1]["status"] = "pending"
    with pytest.raises(EventError) as caught:
        events_from_alertmanager(payload)
    assert str(caught.value) == 'alerts[1].status: must be "firing" or "resolved", got \'pending\''


def test_one_bad_alert_refuses_the_whole_payload() -> None:
    payload = webhook()
    payload["alerts"][1]["labels"] = {}
    with pytest.raises(EventError):
        events_from_alertmanager(payload)


# --- hostile payloads: each was a 500 (RecursionError) or is refused with the field named --------


def nested(depth: int) -> Any:
    """``[[[...]]]``, ``depth`` arrays deep (orjson reads up to 1,024)."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


HOSTILE: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("version nested", _set("version", nested(1000)), "version", "unsupported payload version [["),
    ("status nested", _set("alerts.0.status", nested(1000)), "alerts[0].status", "got [[["),
    ("fingerprint nested", _set("alerts.0.fingerprint", nested(1000)), "alerts[0].fingerprint", "got [[["),
    ("a label nested", _set("alerts.1.labels.team", nested(1000)), "alerts[1].labels.team", "an array"),
    (
        "startsAt after 9999",
        _set("alerts.0.startsAt", "9999-12-31T23:59:59-05:00"),
        "alerts[0].startsAt",
        "after 9999",
    ),
    (
        "startsAt before 1970",
        _set("alerts.0.startsAt", "1969-12-31T23:59:59Z"),
        "alerts[0].startsAt",
        "before 1970",
    ),
    (
        "endsAt in the year 0",
        _set("alerts.1.endsAt", "0001-01-01T00:00:00+01:00"),
        "alerts[1].endsAt",
        "before 1970",
    ),
    (
        "bizmap_node with NUL",
        _set("alerts.0.labels.bizmap_node", "checkout\x00"),
        "alerts[0].labels.bizmap_node",
        "U+0000",
    ),
    ("a label value with ESC", _set("alerts.1.labels.job", "\x1b[1m"), "alerts[1].labels.job", "U+001B"),
    ("a label name with a newline", _set("alerts.1.labels.te\nam", "x"), "alerts[1].labels", "U+000A"),
    ("fingerprint with NUL", _set("alerts.1.fingerprint", "9f0e\x00"), "alerts[1].fingerprint", "U+0000"),
    (
        "summary with NUL",
        _set("alerts.0.annotations.summary", "a\x00b"),
        "alerts[0].annotations.summary",
        "U+0000",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "field", "gist"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_hostile_payload_is_refused_naming_the_field(
    mutate: Callable[[dict[str, Any]], None], field: str, gist: str
) -> None:
    payload = webhook()
    mutate(payload)
    with pytest.raises(EventError) as caught:
        events_from_alertmanager(payload)
    assert caught.value.field == field
    assert gist in caught.value.message
    assert len(caught.value.message) < 300  # a value is echoed cut short


def test_line_breaks_in_a_description_are_taken() -> None:
    payload = webhook()
    payload["alerts"][1]["annotations"]["description"] = "1.4% fail\n\tcheckout-2"
    assert events_from_alertmanager(payload)[1].summary == "1.4% fail\n\tcheckout-2"
