"""Native events (semantics §6): parsing and checking one event, naming the faulty field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bizmap.domain.calendar import parse_time
from bizmap.domain.states import State, UnknownStateError, parse_state
from bizmap.errors import EventError

_ALLOWED = frozenset({"node", "labels", "state", "key", "time", "summary", "source", "id"})


@dataclass(frozen=True, slots=True)
class Event:
    state: State
    time: float | None
    node: str | None = None
    labels: dict[str, str] | None = None
    key: str = "default"
    summary: str | None = None
    source: str | None = None
    id: str | None = None


def parse_event(data: Any, require_time: bool = True) -> Event:
    """Check one native event; raise ``EventError`` naming the field that is wrong."""
    if not isinstance(data, dict):
        raise EventError("event", f"an event must be a JSON object, got {type(data).__name__}")
    unknown = set(data) - _ALLOWED
    if unknown:
        raise EventError(sorted(unknown)[0], f"unknown field; allowed: {', '.join(sorted(_ALLOWED))}")
    if "state" not in data:
        raise EventError("state", "missing: every event needs a state")
    try:
        state = parse_state(data["state"])
    except UnknownStateError as error:
        raise EventError("state", str(error)) from None
    raw_time = data.get("time")
    time: float | None = None
    if raw_time is None:
        if require_time:
            raise EventError("time", "missing: replayed events need an RFC 3339 time")
    elif not isinstance(raw_time, str):
        raise EventError("time", f"must be an RFC 3339 string, got {raw_time!r}")
    else:
        try:
            time = parse_time(raw_time)
        except ValueError as error:
            raise EventError("time", f"{raw_time!r} is not an RFC 3339 time with offset ({error})") from None
    node = data.get("node")
    if node is not None and not isinstance(node, str):
        raise EventError("node", f"must be a node id string, got {node!r}")
    labels = data.get("labels")
    if labels is not None and (
        not isinstance(labels, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items())
    ):
        raise EventError("labels", "must be an object of string labels to string values")
    if node is None and not labels:
        raise EventError("node", "an event needs a node or labels to match the model's selectors")
    key = data.get("key", "default")
    if not isinstance(key, str) or not key:
        raise EventError("key", f"must be a non-empty string, got {key!r}")
    for name in ("summary", "source", "id"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise EventError(name, f"must be a string, got {value!r}")
    return Event(
        state=state,
        time=time,
        node=node,
        labels=labels,
        key=key,
        summary=data.get("summary"),
        source=data.get("source"),
        id=data.get("id"),
    )
