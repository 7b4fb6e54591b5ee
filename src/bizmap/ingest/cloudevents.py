"""CloudEvents 1.0 in the JSON format (structured and batch modes) to native events.

A CloudEvent carries one native event (semantics §6) as its ``data``. The mapping, in full
(docs/ingest.md):

- envelope: ``specversion`` must be ``"1.0"``; ``id``, ``source`` and ``type`` are required
  non-empty strings (``type`` is not interpreted); ``time``, ``subject`` and ``datacontenttype``
  are optional, and a JSON ``null`` counts as absent (JSON format §2.2); extension attributes
  are allowed and not read;
- ``data`` must be a JSON object (so ``datacontenttype``, when given, must be JSON:
  ``*/json`` or ``*/*+json``; ``data_base64`` is refused) with the native event's members
  ``state`` (required), ``time``, ``node``, ``labels``, ``key`` and ``summary``, checked as
  ``parse_event`` checks them; ``id`` and ``source`` come from the envelope and are refused in
  ``data``;
- ``time``: ``data.time`` when given, else the envelope's ``time``, else none (the server then
  uses the receipt time);
- ``node``: ``data.node``; when ``data`` has neither ``node`` nor (non-empty) ``labels``, the
  envelope's ``subject``;
- ``source``: the envelope's ``source``; ``id``: ``ce:{source}:{id}`` (CloudEvents makes
  ``source`` + ``id`` unique per distinct event, so a redelivery is recognised).
"""

from __future__ import annotations

from typing import Any

from bizmap.domain.event import Event
from bizmap.errors import EventError
from bizmap.ingest._fields import (
    event_time,
    kind,
    non_empty_string,
    refuse_control_characters,
    refuse_nul,
    rfc3339,
    shown,
    within,
)
from bizmap.ingest.native import parse_event

SPECVERSION = "1.0"
_DATA_FIELDS = ("state", "time", "node", "labels", "key", "summary")
_ALLOWED = frozenset(_DATA_FIELDS)


def events_from_cloudevent(envelope: Any) -> Event:
    """The native event carried by one CloudEvent (structured mode: one JSON object)."""
    if not isinstance(envelope, dict):
        raise EventError("event", f"a CloudEvent is a JSON object, got {kind(envelope)}")
    specversion = envelope.get("specversion")
    if specversion is None:
        raise EventError("specversion", f'missing: expected "{SPECVERSION}"')
    if specversion != SPECVERSION:
        raise EventError("specversion", f'unsupported CloudEvents version {shown(specversion)}: only "1.0"')
    ce_id = non_empty_string(envelope, "id", "id")
    refuse_nul(ce_id, "id")
    source = non_empty_string(envelope, "source", "source")
    refuse_nul(source, "source")
    non_empty_string(envelope, "type", "type")
    subject = _optional_string(envelope, "subject")
    content_type = _optional_string(envelope, "datacontenttype")
    if content_type is not None and not _is_json(content_type):
        raise EventError(
            "datacontenttype",
            f"must declare JSON data (application/json or */*+json), got {shown(content_type)}",
        )
    raw_time = envelope.get("time")
    time = None if raw_time is None else event_time(rfc3339(raw_time, "time"), "time", raw_time)
    if "data_base64" in envelope:
        raise EventError(
            "data_base64", "binary data is refused: send the native event as a JSON object in data"
        )
    if "data" not in envelope:
        raise EventError("data", "missing: the native event goes in data")
    data = envelope["data"]
    if not isinstance(data, dict):
        raise EventError("data", f"must be a JSON object (a native event), got {kind(data)}")
    for name in ("id", "source"):
        if name in data:
            raise EventError(f"data.{name}", f"not allowed: the event's {name} is the CloudEvent's {name}")
    unknown = set(data) - _ALLOWED
    if unknown:
        raise EventError(
            f"data.{sorted(unknown)[0]}", f"unknown field; allowed in data: {', '.join(_DATA_FIELDS)}"
        )
    if data.get("node") is None and not data.get("labels"):
        if subject is None:
            raise EventError("data.node", "an event needs data.node, data.labels or a CloudEvent subject")
        if not subject:
            raise EventError(
                "subject", "must not be empty: it names the node (data has no node and no labels)"
            )
        refuse_control_characters(subject, "subject")
        data = {**data, "node": subject}
    try:
        event = parse_event(data, require_time=False)
    except EventError as error:
        raise within("data", error) from None
    return Event(
        state=event.state,
        time=event.time if event.time is not None else time,
        node=event.node,
        labels=dict(event.labels) if event.labels is not None else None,
        key=event.key,
        summary=event.summary,
        source=source,
        id=f"ce:{source}:{ce_id}",
    )


def events_from_cloudevents_batch(items: Any) -> list[Event]:
    """The native events of a CloudEvents JSON batch (an array; empty is valid), in order.

    A bad CloudEvent is named by its index: field ``[3].id``, ``[3].data.state``.
    """
    if not isinstance(items, list):
        raise EventError("batch", f"a CloudEvents batch is a JSON array, got {kind(items)}")
    events = []
    for index, envelope in enumerate(items):
        try:
            events.append(events_from_cloudevent(envelope))
        except EventError as error:
            raise within(f"[{index}]", error) from None
    return events


def _optional_string(envelope: dict[str, Any], name: str) -> str | None:
    value = envelope.get(name)
    if value is not None and not isinstance(value, str):
        raise EventError(name, f"must be a string, got {kind(value)}")
    return value


def _is_json(content_type: str) -> bool:
    """``*/json`` or ``*/*+json`` once parameters are stripped (JSON format §3.1.1)."""
    media = content_type.split(";", 1)[0].strip().lower()
    _, slash, subtype = media.partition("/")
    return bool(slash) and (subtype == "json" or subtype.endswith("+json"))
