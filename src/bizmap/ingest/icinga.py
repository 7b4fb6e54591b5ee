"""The body of an Icinga 2 ``process-check-result`` action (REST API) to one native event.

Icinga names the checked object in one of these ways, all understood here:

- ``type`` (``Host`` or ``Service``) with a ``filter`` of equalities joined by ``&&``:
  ``host.name=="web-1" && service.name=="disk"`` (also ``service.__name=="web-1!disk"``,
  ``host.__name``, ``service.host_name``, either side of ``==``, parentheses, and names bound
  through ``filter_vars``);
- the shortcut ``service`` = ``"web-1!disk"`` (Icinga's full service name) or ``host`` =
  ``"web-1"``, which imply the type; ``host`` with a bare ``service`` name is accepted too.

When several of these are given they must name the same object. The mapping, in full
(docs/ingest.md):

- ``labels``: ``{"host": H}`` for a host, ``{"host": H, "service": S}`` for a service; no node;
- ``key``: ``S`` for a service, ``"host"`` for a host;
- ``state`` from ``exit_status``: Service 0 ok, 1 degraded (warning), 2 down (critical),
  3 unknown; Host 0 ok (up), 1 down (Icinga refuses other host codes, and so does this);
- ``summary``: ``plugin_output`` (required, as Icinga requires it);
- ``time``: ``execution_end`` (POSIX seconds), else ``received_at`` (Icinga, too, reads an
  absent or zero ``execution_end`` as "now"); ``execution_start`` is checked, not used;
- ``source``: ``"icinga"``; no ``id`` (the body has nothing that identifies one submission).

Numbers may be sent as JSON numbers or as decimal strings (Icinga converts both, and URL
query parameters are strings). Other members (``performance_data``, ``check_source``,
``check_command``, ``ttl``, ``pretty``, ...) are not read.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.errors import EventError
from bizmap.ingest._fields import event_time, kind, refuse_control_characters, refuse_nul, shown

SOURCE = "icinga"
HOST_KEY = "host"

_SERVICE_STATES = {0: State.OK, 1: State.DEGRADED, 2: State.DOWN, 3: State.UNKNOWN}
_HOST_STATES = {0: State.OK, 1: State.DOWN}
_TYPES = {"host": "Host", "hosts": "Host", "service": "Service", "services": "Service"}

# Attribute paths of a filter -> what they name: the host, the service, or both ("host!service").
_ATTRIBUTES = {
    "host.name": "host",
    "host.__name": "host",
    "service.host_name": "host",
    "service.name": "service",
    "service.__name": "full",
}
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<and>&&)
      | (?P<eq>==)
      | (?P<paren>[()])
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    )""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
_UNDERSTOOD = (
    'only equalities on host.name and service.name joined by && are understood, e.g. host.name=="web-1"'
)


def event_from_icinga(body: Any, received_at: float) -> Event:
    """The event of one ``process-check-result`` body; ``received_at`` is the receipt time."""
    if not isinstance(body, dict):
        raise EventError("payload", f"a process-check-result body is a JSON object, got {kind(body)}")
    host, service = _target(body)
    if "exit_status" not in body:
        raise EventError("exit_status", "missing: the plugin's exit status is required")
    code = _integer(body["exit_status"], "exit_status")
    states = _HOST_STATES if service is None else _SERVICE_STATES
    state = states.get(code)
    if state is None:
        allowed = (
            "0 (up) or 1 (down)" if service is None else "0 (ok), 1 (warning), 2 (critical) or 3 (unknown)"
        )
        what = "Host" if service is None else "Service"
        raise EventError("exit_status", f"invalid exit status {code} for a {what}: use {allowed}")
    output = body.get("plugin_output")
    if output is None:
        raise EventError("plugin_output", "missing: the plugin output is required")
    if not isinstance(output, str):
        raise EventError("plugin_output", f"must be a string, got {kind(output)}")
    refuse_nul(output, "plugin_output")
    end = _timestamp(body, "execution_end")
    _timestamp(body, "execution_start")
    labels = {"host": host} if service is None else {"host": host, "service": service}
    return Event(
        state=state,
        time=end if end is not None else received_at,
        labels=labels,
        key=HOST_KEY if service is None else service,
        summary=output or None,
        source=SOURCE,
    )


# --- which object -------------------------------------------------------------------------------


@dataclass
class _Names:
    """Host and service names found so far, each with the field that gave it."""

    host: tuple[str, str] | None = None
    service: tuple[str, str] | None = None

    def set(self, part: str, value: str, where: str) -> None:
        if not value:
            raise EventError(where, f"the {part} name must not be empty")
        refuse_control_characters(value, where, f"the {part} name {shown(value)} ")
        current = self.host if part == "host" else self.service
        if current is not None and current[0] != value:
            raise EventError(where, f"names {part} {value!r} but {current[1]} names {current[0]!r}")
        if part == "host":
            self.host = (value, where)
        else:
            self.service = (value, where)


def _target(body: dict[str, Any]) -> tuple[str, str | None]:
    """(host, service or None) named by the body."""
    kind_ = _type(body)
    names = _Names()
    for name in ("service", "host"):
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise EventError(name, f"must be a string, got {kind(value)}")
    shortcut_service = body.get("service")
    shortcut_host = body.get("host")
    if shortcut_host is not None:
        names.set("host", shortcut_host, "host")
    if shortcut_service is not None:
        if "!" in shortcut_service:
            host, _, service = shortcut_service.partition("!")
            names.set("host", host, "service")
            names.set("service", service, "service")
        elif shortcut_host is not None:
            names.set("service", shortcut_service, "service")
        else:
            raise EventError("service", f'write the full name "host!service", got {shortcut_service!r}')
    if body.get("filter") is not None:
        _filter(body, names)
    if kind_ is None:
        if shortcut_service is not None:
            kind_ = "Service"
        elif shortcut_host is not None:
            kind_ = "Host"
        else:
            raise EventError("type", 'missing: "Host" or "Service" (or name the object with host or service)')
    if names.host is None:
        where = "filter" if body.get("filter") is not None else "host"
        raise EventError(where, f'does not name the host of the {kind_}: write host.name=="..."')
    if kind_ == "Host":
        if names.service is not None:
            raise EventError(names.service[1], "names a service, but type is Host")
        return names.host[0], None
    if names.service is None:
        where = "filter" if body.get("filter") is not None else "service"
        raise EventError(where, 'does not name the service: write service.name=="..."')
    return names.host[0], names.service[0]


def _type(body: dict[str, Any]) -> str | None:
    value = body.get("type")
    if value is None:
        return None
    if not isinstance(value, str) or value.strip().lower() not in _TYPES:
        raise EventError("type", f'must be "Host" or "Service", got {shown(value)}')
    return _TYPES[value.strip().lower()]


def _filter(body: dict[str, Any], names: _Names) -> None:
    """Read ``attribute == value`` terms joined by ``&&`` into ``names``."""
    text = body["filter"]
    if not isinstance(text, str):
        raise EventError("filter", f"must be a string, got {kind(text)}")
    variables = body.get("filter_vars")
    if variables is not None and not isinstance(variables, dict):
        raise EventError("filter_vars", f"must be an object, got {kind(variables)}")
    tokens = _tokens(text)
    depth = 0
    terms: list[list[tuple[str, str]]] = [[]]
    for token in tokens:
        if token[0] == "paren":
            depth += 1 if token[1] == "(" else -1
            if depth < 0:
                raise EventError("filter", f"unbalanced parentheses in {text!r}")
        elif token[0] == "and":
            terms.append([])
        else:
            terms[-1].append(token)
    if depth:
        raise EventError("filter", f"unbalanced parentheses in {text!r}")
    for term in terms:
        if len(term) != 3 or term[1][0] != "eq":
            raise EventError("filter", f"{_UNDERSTOOD}; got {text!r}")
        left, right = term[0], term[2]
        if left[0] == "name" and left[1] in _ATTRIBUTES:
            attribute, value = left[1], _value(right, variables, text)
        elif right[0] == "name" and right[1] in _ATTRIBUTES:
            attribute, value = right[1], _value(left, variables, text)
        else:
            raise EventError("filter", f"{_UNDERSTOOD}; got {text!r}")
        part = _ATTRIBUTES[attribute]
        if part == "full":
            host, bang, service = value.partition("!")
            if not bang:
                raise EventError("filter", f'service.__name is "host!service", got {value!r}')
            names.set("host", host, "filter")
            names.set("service", service, "filter")
        else:
            names.set(part, value, "filter")


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        found = _TOKEN.match(text, position)
        if found is None or found.lastgroup is None:
            raise EventError("filter", f"{_UNDERSTOOD}; cannot read {text[position:].strip()!r}")
        tokens.append((found.lastgroup, found.group(found.lastgroup)))
        position = found.end()
    return tokens


def _value(token: tuple[str, str], variables: dict[str, Any] | None, text: str) -> str:
    """A string literal's text, or the string a ``filter_vars`` name is bound to."""
    if token[0] == "string":
        return re.sub(
            r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), token[1][1:-1], flags=re.DOTALL
        )
    if token[0] == "name" and variables is not None and token[1] in variables:
        value = variables[token[1]]
        if not isinstance(value, str):
            raise EventError(f"filter_vars.{token[1]}", f"must be a string, got {kind(value)}")
        refuse_control_characters(value, f"filter_vars.{token[1]}")
        return value
    raise EventError("filter", f"{_UNDERSTOOD}; got {text!r}")


# --- numbers ------------------------------------------------------------------------------------


def _number(value: object, name: str) -> float:
    if isinstance(value, bool):
        raise EventError(name, f"must be a number, got {kind(value)}")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond a float's range
            raise EventError(name, f"{shown(value)} is out of range for a number") from None
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise EventError(name, f"must be a number, got {shown(value)}") from None
    else:
        raise EventError(name, f"must be a number, got {kind(value)}")
    if not math.isfinite(number):
        raise EventError(name, f"must be a finite number, got {shown(value)}")
    return number


def _integer(value: object, name: str) -> int:
    number = _number(value, name)
    if not number.is_integer():
        raise EventError(name, f"must be a whole number, got {shown(value)}")
    return int(number)


def _timestamp(body: dict[str, Any], name: str) -> float | None:
    """POSIX seconds; absent, null and 0 mean "not given" (as in Icinga)."""
    value = body.get(name)
    if value is None:
        return None
    seconds = _number(value, name)
    if seconds < 0:
        raise EventError(name, f"must be POSIX seconds (not negative), got {shown(value)}")
    return event_time(seconds, name, value) or None
