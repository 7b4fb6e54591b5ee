"""Prometheus Alertmanager webhook (``webhook_config``, payload version 4) to native events.

Semantics §6: each alert is one event. The mapping, in full (docs/ingest.md):

- ``labels``: the alert's labels (copied, ``bizmap_node`` included);
- ``node``: the label ``bizmap_node`` when present, else none (the labels are matched);
- ``key``: the alert's ``fingerprint``; when missing, the same fingerprint Alertmanager computes
  (FNV-1a 64 over the sorted labels, as 16 hex digits), so the signal is the same either way;
- ``state``: ``ok`` when resolved; while firing, from the label ``severity`` (trimmed, any case):
  ``critical``/``page``/``error`` -> ``down``, anything else or none -> ``degraded``;
- ``time``: ``startsAt`` while firing, ``endsAt`` when resolved (Alertmanager sends the Go zero
  time ``0001-01-01T00:00:00Z`` as ``endsAt`` of a firing alert: it is not read then);
- ``summary``: the annotation ``summary``, else ``description``;
- ``source``: ``"alertmanager"``;
- ``id``: ``am:{fingerprint}:{status}:{startsAt or endsAt}``, the time text exactly as sent
  (``startsAt`` while firing, ``endsAt`` when resolved): a retried webhook, or a repeated
  notification of the same alert, has the same ids and is ignored; a re-fire has a new
  ``startsAt`` and a new id.

Other members (``receiver``, ``groupKey``, ``groupLabels``, ``commonLabels``, ``externalURL``,
``truncatedAlerts``, ``generatorURL``, ...) are not read: the events come from ``alerts``.
"""

from __future__ import annotations

from typing import Any

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.errors import EventError
from bizmap.ingest._fields import (
    event_time,
    kind,
    refuse_control_characters,
    refuse_nul,
    rfc3339,
    shown,
    string_labels,
)

SOURCE = "alertmanager"
NODE_LABEL = "bizmap_node"
DOWN_SEVERITIES = frozenset({"critical", "page", "error"})
_GO_ZERO_TIME = -62135596800.0  # 0001-01-01T00:00:00Z: Go's zero time.Time, "not set"

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK = 0xFFFFFFFFFFFFFFFF
_SEPARATOR = 0xFF  # prometheus/common model.SeparatorByte


def events_from_alertmanager(payload: Any) -> list[Event]:
    """The events of one Alertmanager webhook payload, one per alert, in the payload's order."""
    if not isinstance(payload, dict):
        raise EventError("payload", f"an Alertmanager webhook payload is a JSON object, got {kind(payload)}")
    version = payload.get("version")
    if version is None:
        raise EventError("version", 'missing: expected "4" (Alertmanager webhook payload version)')
    if version != "4":
        raise EventError("version", f'unsupported payload version {shown(version)}: only "4" is understood')
    alerts = payload.get("alerts")
    if alerts is None:
        raise EventError("alerts", "missing: expected an array of alerts")
    if not isinstance(alerts, list):
        raise EventError("alerts", f"must be an array of alerts, got {kind(alerts)}")
    return [_event(alert, f"alerts[{index}]") for index, alert in enumerate(alerts)]


def severity_state(severity: str | None) -> State:
    """The state of a firing alert from its ``severity`` label (§6)."""
    if severity is not None and severity.strip().lower() in DOWN_SEVERITIES:
        return State.DOWN
    return State.DEGRADED


def fingerprint(labels: dict[str, str]) -> str:
    """Alertmanager's fingerprint of a label set (prometheus/common ``LabelSet.Fingerprint``)."""
    value = _FNV_OFFSET
    for name in sorted(labels):  # code point order is UTF-8 byte order, as Go sorts
        for part in (name, labels[name]):
            for byte in part.encode():
                value = ((value ^ byte) * _FNV_PRIME) & _MASK
            value = ((value ^ _SEPARATOR) * _FNV_PRIME) & _MASK
    return f"{value:016x}"


def _event(alert: object, at: str) -> Event:
    if not isinstance(alert, dict):
        raise EventError(at, f"an alert is a JSON object, got {kind(alert)}")
    status = alert.get("status")
    if status not in ("firing", "resolved"):
        detail = "missing" if status is None else f"got {shown(status)}"
        raise EventError(f"{at}.status", f'must be "firing" or "resolved", {detail}')
    if "labels" not in alert:
        raise EventError(f"{at}.labels", "missing: every alert has labels")
    labels = string_labels(alert["labels"], f"{at}.labels")
    if not labels:
        raise EventError(f"{at}.labels", "empty: an alert needs labels to match the model's selectors")
    node = labels.get(NODE_LABEL)
    if node is not None and not node.strip():
        raise EventError(f"{at}.labels.{NODE_LABEL}", "must name a node, got an empty string")
    key = _fingerprint(alert, labels, at)
    if status == "firing":
        moment = "startsAt"
        state = severity_state(labels.get("severity"))
    else:
        moment = "endsAt"
        state = State.OK
    text = alert.get(moment)
    if text is None:
        raise EventError(f"{at}.{moment}", f"missing: a {status} alert needs its {moment} time")
    time = rfc3339(text, f"{at}.{moment}")
    if time == _GO_ZERO_TIME:
        raise EventError(f"{at}.{moment}", f"{text!r} is Go's zero time (not set): a {status} alert needs it")
    event_time(time, f"{at}.{moment}", text)
    return Event(
        state=state,
        time=time,
        node=node,
        labels=labels,
        key=key,
        summary=_summary(alert, at),
        source=SOURCE,
        id=f"am:{key}:{status}:{text}",
    )


def _fingerprint(alert: dict[str, Any], labels: dict[str, str], at: str) -> str:
    value = alert.get("fingerprint")
    if value is None:
        return fingerprint(labels)
    if not isinstance(value, str) or not value:
        raise EventError(f"{at}.fingerprint", f"must be a non-empty string, got {shown(value)}")
    refuse_control_characters(value, f"{at}.fingerprint")  # the event's key
    return value


def _summary(alert: dict[str, Any], at: str) -> str | None:
    annotations = alert.get("annotations")
    if annotations is None:
        return None
    if not isinstance(annotations, dict):
        raise EventError(f"{at}.annotations", f"must be an object, got {kind(annotations)}")
    for name in ("summary", "description"):
        text = annotations.get(name)
        if text is None:
            continue
        if not isinstance(text, str):
            raise EventError(f"{at}.annotations.{name}", f"must be a string, got {kind(text)}")
        if text.strip():
            refuse_nul(text, f"{at}.annotations.{name}")
            return text
    return None
