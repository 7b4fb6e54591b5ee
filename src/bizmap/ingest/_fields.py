"""Checks shared by the decoders; every failure is an ``EventError`` naming the field.

Whatever a sender writes, a decoder answers with events or an ``EventError``: a value echoed in
a message is cut short (``shown``: never deep, never long), a time must be one bizmap can show
and store (``event_time``), and names must be plain text (``refuse_control_characters``).
"""

from __future__ import annotations

import math
import re
import reprlib
from typing import Any

from bizmap.domain.calendar import parse_time
from bizmap.errors import EventError

FIRST_TIME = 0.0  # 1970-01-01T00:00:00Z: no event is older than the POSIX epoch
END_OF_TIME = 253_402_300_800.0  # 10000-01-01T00:00:00Z: RFC 3339 years have four digits
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc: C0, DEL and C1


class OutOfRange:
    """A JSON number beyond a float's range (``1e400``), kept as its text to be named in a refusal."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        text = self.text if len(self.text) <= 24 else f"{self.text[:12]}...{self.text[-8:]}"
        return f"{text} (out of range)"


def float_or_out_of_range(text: str) -> float | OutOfRange:
    """A JSON number literal to a float, or to ``OutOfRange`` when it is too large for one."""
    number = float(text)
    return number if math.isfinite(number) else OutOfRange(text)


_JSON_TYPES = {
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    dict: "an object",
    list: "an array",
    type(None): "null",
    OutOfRange: "a number out of range",
}


def kind(value: object) -> str:
    """The JSON type of a decoded value, for messages: "a string", "null", ..."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


class _Shown(reprlib.Repr):
    """``repr`` three levels deep at most, long strings and containers cut in the middle."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxlist = self.maxdict = 4
        self.maxstring = self.maxother = 60

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 2000:  # str() of an int this long may be refused (sys.set_int_max_str_digits)
            return f"<an integer of about {int(x.bit_length() * math.log10(2))} digits>"
        return super().repr_int(x, level)


_SHOWN = _Shown()


def shown(value: object) -> str:
    """A decoded value as a message may echo it: ``repr``, but never deep and never long."""
    return _SHOWN.repr(value)


def event_time(seconds: float, field: str, given: object) -> float:
    """``seconds`` when bizmap can show and store it: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z."""
    if seconds < FIRST_TIME:
        raise EventError(field, f"{shown(given)} is before 1970-01-01T00:00:00Z: no event is that old")
    if seconds >= END_OF_TIME:
        raise EventError(
            field, f"{shown(given)} is after 9999-12-31T23:59:59Z, the last time bizmap can show"
        )
    return seconds


def refuse_control_characters(text: str, field: str, what: str = "") -> None:
    """Node ids, keys, labels and ids are plain text: no control character (NUL, newline, ESC, ...).

    ``what`` starts the message: "the host name 'x' " (the default says nothing more).
    """
    if text.isprintable():  # the usual case, checked in C: nothing unprintable at all
        return
    found = _CONTROL.search(text)
    if found is not None:
        raise EventError(field, f"{what}{_control_message(found)}")


def _control_message(found: re.Match[str]) -> str:
    return (
        f"contains the control character U+{ord(found.group()):04X} at character "
        f"{found.start() + 1}: node ids, keys, labels and ids must be plain text"
    )


def refuse_nul(text: str, field: str) -> None:
    """No NUL character: PostgreSQL cannot store one in a text (line breaks and tabs are fine)."""
    position = text.find("\x00")
    if position >= 0:
        raise EventError(
            field, f"contains the NUL character U+0000 at character {position + 1}, which cannot be stored"
        )


def join(prefix: str, field: str) -> str:
    """``alerts[2]`` + ``labels`` -> ``alerts[2].labels``; ``[3]`` + ``[0]`` stays unbroken."""
    if not prefix:
        return field
    if not field:
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"


def within(prefix: str, error: EventError, whole: str = "event") -> EventError:
    """The same error, its field put under ``prefix`` (the field ``whole`` is the prefix itself)."""
    return EventError(prefix if error.field == whole else join(prefix, error.field), error.message)


def rfc3339(value: object, field: str) -> float:
    """An RFC 3339 time with an offset (or Z) to POSIX seconds; nanoseconds are cut to microseconds.

    The time is not checked against ``event_time``'s range: the caller does it.
    """
    if not isinstance(value, str):
        raise EventError(field, f"must be an RFC 3339 time string, got {kind(value)}")
    try:
        return parse_time(value)
    except (ValueError, OverflowError) as error:
        raise EventError(field, f"{shown(value)} is not an RFC 3339 time with offset ({error})") from None


def string_labels(value: object, field: str) -> dict[str, str]:
    """An object of string labels to string values, copied."""
    if not isinstance(value, dict):
        raise EventError(field, f"must be an object of string labels, got {kind(value)}")
    labels: dict[str, str] = {}
    for name, text in value.items():
        if not isinstance(name, str):
            raise EventError(field, f"label names must be strings, got {shown(name)}")
        if not isinstance(text, str):
            raise EventError(join(field, name), f"must be a string, got {kind(text)}")
        labels[name] = text
    refuse_control_in_labels(labels, field)
    return labels


def refuse_control_in_labels(labels: dict[str, str], field: str) -> None:
    """``refuse_control_characters`` on every label name (field ``labels``) and value (``labels.x``)."""
    for name, text in labels.items():
        if name.isprintable() and text.isprintable():  # the usual case, checked in C
            continue
        found = _CONTROL.search(name)
        if found is not None:
            raise EventError(field, f"the label name {shown(name)} {_control_message(found)}")
        refuse_control_characters(text, join(field, name))


def non_empty_string(data: dict[str, Any], name: str, field: str) -> str:
    """A required, non-empty string member (a JSON null counts as missing)."""
    value = data.get(name)
    if value is None:
        raise EventError(field, "missing")
    if not isinstance(value, str):
        raise EventError(field, f"must be a string, got {kind(value)}")
    if not value:
        raise EventError(field, "must not be empty")
    return value
