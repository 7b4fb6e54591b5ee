"""Checks shared by the adapters; every failure is an ``EventError`` naming the field."""

from __future__ import annotations

from typing import Any

from bizmap.domain.calendar import parse_time
from bizmap.errors import EventError

_JSON_TYPES = {
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    dict: "an object",
    list: "an array",
    type(None): "null",
}


def kind(value: object) -> str:
    """The JSON type of a decoded value, for messages: "a string", "null", ..."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


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
    """An RFC 3339 time with an offset (or Z) to POSIX seconds; nanoseconds are cut to microseconds."""
    if not isinstance(value, str):
        raise EventError(field, f"must be an RFC 3339 time string, got {kind(value)}")
    try:
        return parse_time(value)
    except (ValueError, OverflowError) as error:
        raise EventError(field, f"{value!r} is not an RFC 3339 time with offset ({error})") from None


def string_labels(value: object, field: str) -> dict[str, str]:
    """An object of string labels to string values, copied."""
    if not isinstance(value, dict):
        raise EventError(field, f"must be an object of string labels, got {kind(value)}")
    labels: dict[str, str] = {}
    for name, text in value.items():
        if not isinstance(name, str):
            raise EventError(field, f"label names must be strings, got {name!r}")
        if not isinstance(text, str):
            raise EventError(join(field, name), f"must be a string, got {kind(text)}")
        labels[name] = text
    return labels


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
