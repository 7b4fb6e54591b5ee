"""Native events (semantics §6): parsing and checking one event, naming the faulty field.

Two entry points with the same rules and the same messages:

- ``parse_event`` checks an already-decoded JSON value (a dict);
- ``decode_event`` / ``decode_events`` go straight from JSON text, with msgspec, two to three
  times faster than ``orjson.loads`` + ``parse_event``: msgspec checks the field types in C while
  decoding, and only the values (state names, times, ...) are checked here. When msgspec refuses
  a document, the document is decoded again without types and checked by ``parse_event``, so
  that the error is exactly the one ``parse_event`` gives. A number too large for a float
  (``1e400``) is then read as ``OutOfRange`` and named like any value of the wrong type; a
  document nested too deep to be read again, or with an integer of over 4,300 digits, is
  refused with msgspec's own words on the first problem it found.

Whatever the input, the answer is events or an ``EventError``: times must lie between 1970 and
the end of 9999 (UTC), node ids, keys, labels and ids may not contain control characters, and
no text may contain NUL (PostgreSQL cannot store it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from bizmap.domain.calendar import parse_time
from bizmap.domain.event import Event
from bizmap.domain.states import ACCEPTED_STATE_NAMES, State, UnknownStateError, parse_state
from bizmap.errors import EventError
from bizmap.ingest._fields import (
    END_OF_TIME,
    FIRST_TIME,
    event_time,
    float_or_out_of_range,
    kind,
    refuse_control_characters,
    refuse_control_in_labels,
    refuse_nul,
    shown,
)

_FIELDS = ("state", "time", "node", "labels", "key", "summary", "source", "id")
_ALLOWED = frozenset(_FIELDS)
_TOO_DEEP = "the JSON is nested too deep to read further (an event is at most 3 levels deep)"


def parse_event(data: Any, require_time: bool = True) -> Event:
    """Check one native event; raise ``EventError`` naming the field that is wrong."""
    if not isinstance(data, dict):
        raise EventError("event", f"an event must be a JSON object, got {kind(data)}")
    unknown = set(data) - _ALLOWED
    if unknown:
        raise EventError(sorted(unknown)[0], f"unknown field; allowed: {', '.join(sorted(_ALLOWED))}")
    if "state" not in data:
        raise EventError("state", "missing: every event needs a state")
    state = _state(data["state"])
    raw_time = data.get("time")
    time: float | None = None
    if raw_time is None:
        if require_time:
            raise _missing_time()
    elif not isinstance(raw_time, str):
        raise EventError("time", f"must be an RFC 3339 string, got {shown(raw_time)}")
    else:
        time = _time(raw_time)
    node = data.get("node")
    if node is not None:
        if not isinstance(node, str):
            raise EventError("node", f"must be a node id string, got {shown(node)}")
        if not node:
            raise _empty_node()
        refuse_control_characters(node, "node")
    labels = data.get("labels")
    if labels is not None:
        if not isinstance(labels, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
        ):
            raise EventError("labels", "must be an object of string labels to string values")
        refuse_control_in_labels(labels, "labels")
    if node is None and not labels:
        raise _no_target()
    key = data.get("key", "default")
    if not isinstance(key, str) or not key:
        raise _bad_key(key)
    refuse_control_characters(key, "key")
    for name in ("summary", "source", "id"):
        value = data.get(name)
        if value is not None:
            if not isinstance(value, str):
                raise EventError(name, f"must be a string, got {shown(value)}")
            if name == "id":  # an identifier, as node and key are
                if not value:
                    raise _empty_id()
                refuse_control_characters(value, name)
            else:  # free text: anything but NUL
                refuse_nul(value, name)
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


def _state(value: object) -> State:
    if isinstance(value, list | dict) or (isinstance(value, int) and value.bit_length() > 512):
        # parse_state would echo all of it: a deep array overflows the stack, a long integer is long
        raise EventError("state", f"unknown state {shown(value)}: expected a name or a Nagios code 0-3")
    try:
        return parse_state(value)
    except UnknownStateError as error:
        raise EventError("state", str(error)) from None


def _time(text: str) -> float:
    """RFC 3339 text with an offset to POSIX seconds (``parse_time``, with a fast path)."""
    try:
        value = datetime.fromisoformat(text)  # takes "Z" on 3.11; refuses "z" and spaces
    except ValueError:
        pass
    else:
        if value.tzinfo is not None:
            seconds = value.timestamp()
            return seconds if FIRST_TIME <= seconds < END_OF_TIME else event_time(seconds, "time", text)
    try:  # the reference, for the spellings above and for the error
        seconds = parse_time(text)
    except ValueError as error:
        raise EventError("time", f"{shown(text)} is not an RFC 3339 time with offset ({error})") from None
    return event_time(seconds, "time", text)


def _missing_time() -> EventError:
    return EventError("time", "missing: replayed events need an RFC 3339 time")


def _no_target() -> EventError:
    return EventError("node", "an event needs a node or labels to match the model's selectors")


def _empty_node() -> EventError:
    return EventError("node", "must not be empty: name a node, or leave node out and give labels")


def _empty_id() -> EventError:
    return EventError("id", "must not be empty: leave id out if the sender has none")


def _bad_key(key: object) -> EventError:
    return EventError("key", f"must be a non-empty string, got {shown(key)}")


# --- decoding JSON text directly -----------------------------------------------------------------


class _Native(msgspec.Struct, forbid_unknown_fields=True):
    """The shape of a native event; msgspec refuses booleans for ``int`` and nulls for ``str``."""

    state: str | int
    time: str | None = None
    node: str | None = None
    labels: dict[str, str] | None = None
    key: str = "default"
    summary: str | None = None
    source: str | None = None
    id: str | None = None


_ONE = msgspec.json.Decoder(_Native)
_MANY = msgspec.json.Decoder(list[_Native] | _Native)
_UNTYPED = msgspec.json.Decoder(float_hook=float_or_out_of_range)

# Exact spellings, looked up before ``parse_state`` (which also strips and lowercases).
# Integer keys are safe: msgspec never hands a boolean to an ``int`` field.
_STATES: dict[str | int, State] = {name: parse_state(name) for name in ACCEPTED_STATE_NAMES}
_STATES.update({code: parse_state(code) for code in range(4)})

# A frozen dataclass's own ``__init__`` goes through ``object.__setattr__`` once per field, which
# was the largest cost of reading a log; setting the slots through their descriptors halves it.
_new = object.__new__
_set_state, _set_time, _set_node, _set_labels, _set_key, _set_summary, _set_source, _set_id = (
    Event.__dict__[name].__set__ for name in _FIELDS
)


class _Draft:
    """An ``Event`` being filled in: the same slots, but plain ones, set at the speed of a local.

    Once filled, its class becomes ``Event`` (the layouts are the same), which is a third of
    the cost of setting a frozen dataclass's eight slots through their descriptors.
    """

    __slots__ = Event.__slots__
    state: State
    time: float | None
    node: str | None
    labels: dict[str, str] | None
    key: str
    summary: str | None
    source: str | None
    id: str | None


def decode_event(raw: bytes | str, require_time: bool = True) -> Event:
    """Decode and check one native event from JSON text, as ``parse_event`` would."""
    try:
        native = _ONE.decode(raw)
    except msgspec.ValidationError as error:
        raise _explain(raw, error, require_time) from None
    except msgspec.DecodeError as error:
        raise _malformed(raw, error) from None
    return _event(native, require_time)


def decode_events(raw: bytes | str, require_time: bool = True) -> list[Event]:
    """Decode a JSON array of native events, or a single one (as a list of one).

    A bad event in an array is named by its index: field ``[3].node``.
    """
    try:
        decoded = _MANY.decode(raw)
    except msgspec.ValidationError as error:
        raise _explain_many(raw, error, require_time) from None
    except msgspec.DecodeError as error:
        raise _malformed(raw, error) from None
    if isinstance(decoded, _Native):
        return [_event(decoded, require_time)]
    events = []
    for index, native in enumerate(decoded):
        try:
            events.append(_event(native, require_time))
        except EventError as error:
            raise _at(index, error) from None
    return events


def decode_event_lines(chunk: bytes) -> list[Event] | None:
    """The events of whole JSON lines, one per line, as ``decode_event`` gives them; else None.

    The fast path of reading a log: msgspec decodes the lines in one call and the checks run
    without a call per event. Only the plain case is taken: every line is one event object
    (``{`` first and ``}`` last: a line can then neither hold two documents nor share one
    with the next, so the count of documents equals the count of lines exactly when each
    line is one) and every event is good. Anything else (a blank line, a ``\\r``, a bad
    event, an odd time) gives None, and the caller decodes the lines one by one, which
    finds the same events and the exact refusals with their line numbers.
    """
    lines = chunk.count(b"\n")
    if not lines or chunk[:1] != b"{" or chunk[-2:] != b"}\n" or chunk.count(b"}\n{") != lines - 1:
        return None
    try:
        natives = _ONE.decode_lines(chunk)
    except (msgspec.DecodeError, RecursionError):  # ValidationError is a DecodeError
        return None
    if len(natives) != lines:
        return None
    # JSON has no raw control character in a string, so without escapes and outside ASCII
    # every text is printable: the checks for control characters and NUL have nothing to find.
    if not (chunk.isascii() and b"\\" not in chunk and b"\x7f" not in chunk):
        try:
            return [_event(native, True) for native in natives]
        except EventError:
            return None
    events: list[Event] = []
    append = events.append
    states, fromisoformat, draft = _STATES, datetime.fromisoformat, _Draft
    try:
        for native in natives:
            state = states.get(native.state)
            node, labels, key, id_ = native.node, native.labels, native.key, native.id
            if state is None or node == "" or (node is None and not labels) or not key or id_ == "":
                return None
            value = fromisoformat(native.time)  # type: ignore[arg-type]  # None: TypeError
            if value.tzinfo is None:
                return None
            time = value.timestamp()
            if not FIRST_TIME <= time < END_OF_TIME:
                return None
            event = draft()
            event.state = state
            event.time = time
            event.node = node
            event.labels = labels
            event.key = key
            event.summary = native.summary
            event.source = native.source
            event.id = id_
            event.__class__ = Event  # type: ignore[assignment]
            append(event)  # type: ignore[arg-type]
    except (ValueError, TypeError, OverflowError):
        return None
    return events


def _event(native: _Native, require_time: bool) -> Event:
    """The checks msgspec cannot do (values, not types), in ``parse_event``'s order."""
    state = _STATES.get(native.state)
    if state is None:
        state = _state(native.state)
    text = native.time
    time: float | None = None
    if text is not None:
        time = _time(text)
    elif require_time:
        raise _missing_time()
    node = native.node
    if node is not None and not node.isprintable():  # isprintable: the usual case, checked in C
        refuse_control_characters(node, "node")
    if node == "":
        raise _empty_node()
    labels = native.labels
    if labels:
        for name, value in labels.items():
            if not (name.isprintable() and value.isprintable()):
                refuse_control_in_labels(labels, "labels")
    if node is None and not labels:
        raise _no_target()
    key = native.key
    if not key:
        raise _bad_key(key)
    if not key.isprintable():
        refuse_control_characters(key, "key")
    summary, source, id_ = native.summary, native.source, native.id
    if summary is not None and "\x00" in summary:
        refuse_nul(summary, "summary")
    if source is not None and "\x00" in source:
        refuse_nul(source, "source")
    if id_ is not None and not id_.isprintable():
        refuse_control_characters(id_, "id")
    if id_ == "":
        raise _empty_id()
    event = _new(Event)
    _set_state(event, state)
    _set_time(event, time)
    _set_node(event, node)
    _set_labels(event, labels)
    _set_key(event, key)
    _set_summary(event, summary)
    _set_source(event, source)
    _set_id(event, id_)
    return event


def _malformed(raw: bytes | str, error: msgspec.DecodeError) -> EventError:
    if not raw.strip():
        return EventError("json", "empty: expected a JSON event object")
    detail = str(error).removeprefix("JSON is malformed: ")
    return EventError("json", f"not valid JSON: {detail[:1].lower()}{detail[1:]}")


def _explain(raw: bytes | str, error: msgspec.ValidationError, require_time: bool) -> EventError:
    """The error ``parse_event`` gives for a document msgspec refused (it is valid JSON)."""
    try:
        parse_event(_decode_untyped(raw, error), require_time)
    except EventError as explained:
        return explained
    return _from_validation(error)  # not expected: the two disagree; msgspec's word, located


def _decode_untyped(raw: bytes | str, error: msgspec.ValidationError) -> Any:
    """The document without types, to be explained; when it cannot be read, msgspec's refusal."""
    try:
        return _UNTYPED.decode(raw)
    except RecursionError:
        too_deep = _from_validation(error)
        raise EventError(too_deep.field, f"{too_deep.message}; {_TOO_DEEP}") from None
    except msgspec.ValidationError:  # an integer of over 4,300 digits (floats become OutOfRange)
        raise _from_validation(error) from None
    except msgspec.DecodeError as malformed:  # the typed decoder stopped at a type before this
        raise _malformed(raw, malformed) from None


def _explain_many(raw: bytes | str, error: msgspec.ValidationError, require_time: bool) -> EventError:
    data = _decode_untyped(raw, error)
    if isinstance(data, list):
        for index, item in enumerate(data):
            try:
                parse_event(item, require_time)
            except EventError as explained:
                return _at(index, explained)
    elif isinstance(data, dict):
        try:
            parse_event(data, require_time)
        except EventError as explained:
            return explained
    else:
        return EventError("event", f"expected an event object or an array of them, got {kind(data)}")
    return _from_validation(error)


def _at(index: int, error: EventError) -> EventError:
    field = f"[{index}]" if error.field == "event" else f"[{index}].{error.field}"
    return EventError(field, error.message)


def _from_validation(error: msgspec.ValidationError) -> EventError:
    """msgspec's message, its path (``$.labels.x``, ``$[3].node``) turned into the field."""
    message, _, path = str(error).partition(" - at `")
    field = path.rstrip("`").removeprefix("$").removeprefix(".").replace("[...]", "")  # [...]: a dict value
    if message.startswith(("Object contains unknown field `", "Object missing required field `")):
        name = message.split("`")[1]  # the path is the object's; name the field itself
        field = f"{field}.{name}" if field else name
    return EventError(field or "event", message)
