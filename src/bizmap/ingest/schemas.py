"""What each decoder takes, as JSON Schema (2020-12): the request bodies of the OpenAPI document.

The schemas are the decoders' truth in both directions (tests/ingest/test_schemas.py):

- a document valid against a schema is decoded without an ``EventError``; what a schema cannot
  say is left to the server, which judges event times against its clock (422, never 400);
- a document the decoder refuses is invalid against the schema, as far as a schema can say it.
  Where the decoder takes more than a schema can spell (Icinga filters, numbers sent as text,
  state names in any case), the schema names the usual forms and the decoder takes them all.

The rules every decoder shares: a time is RFC 3339 with an offset, from 1971 to 9998 (an offset
cannot move such a time outside 1970..9999, what bizmap keeps; events of 1970 or 9999 are refused
by the server's age limits anyway); node ids, keys, labels and ids are plain text (no control
character, U+0000 to U+001F and U+007F to U+009F); stored text has no NUL (U+0000).
"""

from __future__ import annotations

from typing import Any

from bizmap.domain.states import ACCEPTED_STATE_NAMES

Schema = dict[str, Any]

_CONTROL = "\\u0000-\\u001f\\u007f-\\u009f"
# What Python's str.strip() removes: the decoders trim with it.
_SPACE = "\\t-\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_YEAR = "(?:197[1-9]|19[89][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"

NAME: Schema = {"type": "string", "pattern": f"^[^{_CONTROL}]+$"}  # not empty, no control character
PLAIN: Schema = {"type": "string", "pattern": f"^[^{_CONTROL}]*$"}  # may be empty
TEXT: Schema = {"type": "string", "pattern": "^[^\\u0000]*$"}  # free text: anything but NUL
NULL: Schema = {"type": "null"}
DATE_TIME: Schema = {
    "type": "string",
    "format": "date-time",
    "pattern": f"^{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]"
    ":[0-5][0-9](?:\\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$",
}
LABELS: Schema = {"type": "object", "propertyNames": PLAIN, "additionalProperties": PLAIN}


def nullable(schema: Schema) -> Schema:
    """``schema``, or JSON ``null`` (which the decoders read as absent)."""
    return {**schema, "type": [schema["type"], "null"]}


def _any_case(word: str) -> str:
    return "".join(f"[{letter.upper()}{letter.lower()}]" for letter in word)


# --- native events (bizmap.ingest.native) --------------------------------------------------------

NATIVE_FIELDS: dict[str, Schema] = {
    "state": {"enum": [*ACCEPTED_STATE_NAMES, 0, 1, 2, 3], "description": "The signal's state now."},
    "time": {**nullable(DATE_TIME), "description": "RFC 3339 with an offset (default: now)."},
    "node": {**nullable(NAME), "description": "The node's id; or give labels for the selectors."},
    "labels": {**nullable(LABELS), "description": "Labels matched by the model's selectors."},
    "key": {**NAME, "description": "Which signal of the node (default: default)."},
    "summary": nullable(TEXT),
    "source": nullable(TEXT),
    "id": {**nullable(NAME), "description": "Unique per event: a resent id is a duplicate."},
}
_NODE_OR_LABELS: list[Schema] = [
    {"required": ["node"], "properties": {"node": {"type": "string"}}},
    {"required": ["labels"], "properties": {"labels": {"type": "object", "minProperties": 1}}},
]
NATIVE_EVENT: Schema = {
    "type": "object",
    "properties": NATIVE_FIELDS,
    "required": ["state"],
    "additionalProperties": False,
    "anyOf": _NODE_OR_LABELS,
}
NATIVE_EVENTS: Schema = {"anyOf": [NATIVE_EVENT, {"type": "array", "items": NATIVE_EVENT}]}

# --- Prometheus Alertmanager (bizmap.ingest.alertmanager) ----------------------------------------

_NOT_BLANK = f"^[^\\u0000]*[^{_SPACE}\\u0000][^\\u0000]*$"  # not only what str.strip() removes
_ANNOTATIONS: Schema = {
    "type": ["object", "null"],
    "description": "The summary is the annotation summary, else description.",
    "anyOf": [  # a summary that is not blank is taken, and description is not read
        {"required": ["summary"], "properties": {"summary": {"type": "string", "pattern": _NOT_BLANK}}},
        {"properties": {"summary": nullable(TEXT), "description": nullable(TEXT)}},
    ],
}
_ALERT: Schema = {
    "type": "object",
    "properties": {
        "status": {"enum": ["firing", "resolved"]},
        "labels": {
            **LABELS,
            "minProperties": 1,
            "properties": {
                "bizmap_node": {
                    "type": "string",
                    "pattern": f"^[^{_CONTROL}]*[^{_CONTROL}{_SPACE}][^{_CONTROL}]*$",
                    "description": "The node's id; without it the labels are matched.",
                }
            },
        },
        "fingerprint": {**nullable(NAME), "description": "The key (default: computed from labels)."},
        "annotations": _ANNOTATIONS,
        "startsAt": {"description": "When it fired: read while firing."},
        "endsAt": {"description": "When it was resolved: read when resolved."},
    },
    "required": ["status", "labels"],
    "anyOf": [
        {"required": ["startsAt"], "properties": {"status": {"const": "firing"}, "startsAt": DATE_TIME}},
        {"required": ["endsAt"], "properties": {"status": {"const": "resolved"}, "endsAt": DATE_TIME}},
    ],
}
ALERTMANAGER: Schema = {
    "type": "object",
    "description": "Other members (receiver, groupKey, commonLabels, ...) are not read.",
    "properties": {"version": {"const": "4"}, "alerts": {"type": "array", "items": _ALERT}},
    "required": ["version", "alerts"],
}

# --- CloudEvents (bizmap.ingest.cloudevents) -----------------------------------------------------

_NOT_EMPTY_TEXT: Schema = {"type": "string", "pattern": "^[^\\u0000]+$"}
CLOUDEVENT: Schema = {
    "type": "object",
    "description": "Extension attributes are allowed and not read.",
    "properties": {
        "specversion": {"const": "1.0"},
        "id": _NOT_EMPTY_TEXT,
        "source": {**_NOT_EMPTY_TEXT, "description": "The events' source; source and id make their id."},
        "type": {"type": "string", "minLength": 1, "description": "Not interpreted."},
        "subject": {"type": ["string", "null"], "description": "The node, when data has no node or labels."},
        "datacontenttype": {
            "type": ["string", "null"],
            "pattern": f"^[^/;]*/(?:[^;]*\\+)?{_any_case('json')}[{_SPACE}]*(?:;[\\s\\S]*)?$",
        },
        "time": {**nullable(DATE_TIME), "description": "The events' time when data has none."},
        "data": {
            "type": "object",
            "description": "A native event; its id and source are the CloudEvent's.",
            "properties": {
                name: NATIVE_FIELDS[name] for name in ("state", "time", "node", "labels", "key", "summary")
            },
            "required": ["state"],
            "additionalProperties": False,
        },
        "data_base64": False,
    },
    "required": ["specversion", "id", "source", "type", "data"],
    "anyOf": [
        *({"properties": {"data": branch}} for branch in _NODE_OR_LABELS),
        {"required": ["subject"], "properties": {"subject": NAME}},
    ],
}
CLOUDEVENTS: Schema = {"anyOf": [CLOUDEVENT, {"type": "array", "items": CLOUDEVENT}]}

# --- Icinga 2 process-check-result (bizmap.ingest.icinga) ----------------------------------------

_HOST_TYPE: Schema = {"type": "string", "pattern": f"^[{_SPACE}]*{_any_case('host')}[Ss]?[{_SPACE}]*$"}
_SERVICE_TYPE: Schema = {
    "type": "string",
    "pattern": f"^[{_SPACE}]*{_any_case('service')}[Ss]?[{_SPACE}]*$",
}
_HOST_NAME = f"[^!{_CONTROL}]+"  # the host part of a full service name "host!service"
_FULL_SERVICE: Schema = {"type": "string", "pattern": f"^{_HOST_NAME}![^{_CONTROL}]+$"}
_BARE_SERVICE: Schema = {"type": "string", "pattern": f"^{_HOST_NAME}$"}
# A filter's string literal: not empty, and no escape or character that gives a control character.
_CHARACTER = f'[^"\\\\{_CONTROL}]|\\\\[^ntrbf{_CONTROL}]'
_LITERAL = f'"(?:{_CHARACTER})+"'
_FULL_LITERAL = f'"(?:[^"\\\\!{_CONTROL}]|\\\\[^ntrbf!{_CONTROL}])+!(?:{_CHARACTER})+"'
_HOST_TERM = f"(?:host\\.name|host\\.__name|service\\.host_name) *== *{_LITERAL}"
_SERVICE_TERM = f"service\\.name *== *{_LITERAL}"
_HOST_FILTER: Schema = {"type": "string", "pattern": f"^ *{_HOST_TERM} *$"}
_SERVICE_FILTER: Schema = {
    "type": "string",
    "pattern": f"^ *(?:{_HOST_TERM} *&& *{_SERVICE_TERM}|{_SERVICE_TERM} *&& *{_HOST_TERM}"
    f"|service\\.__name *== *{_FULL_LITERAL}) *$",
}


def _exit_status(highest: int) -> Schema:
    """0..highest, as a JSON number or as decimal text."""
    codes = list(range(highest + 1))
    return {"anyOf": [{"enum": codes}, {"type": "string", "pattern": f"^\\+?0*[0-{highest}](?:\\.0*)?$"}]}


_SECONDS: Schema = {  # POSIX seconds up to the end of 9999; 0 or null: not given
    "anyOf": [
        NULL,
        {"type": "number", "minimum": 0, "exclusiveMaximum": 253_402_300_800},
        {"type": "string", "pattern": "^\\+?[0-9]{1,11}(?:\\.[0-9]*)?$"},
    ]
}
_HOST = {"exit_status": _exit_status(1)}
_SERVICE = {"exit_status": _exit_status(3)}
_BY_NAME = {"filter": NULL}
_BY_FILTER = {"host": NULL, "service": NULL, "filter_vars": {"type": ["object", "null"]}}
ICINGA: Schema = {
    "type": "object",
    "description": "A host: type Host with a filter, or host. A service: type Service with a filter, "
    'service "host!service", or host and service. Other members (performance_data, check_source, '
    "ttl, ...) are not read.",
    "properties": {
        "type": {"type": ["string", "null"], "description": "Host or Service."},
        "filter": {
            "type": ["string", "null"],
            "description": 'e.g. host.name=="web-1" && service.name=="disk"',
        },
        "host": {"type": ["string", "null"]},
        "service": {"type": ["string", "null"]},
        "exit_status": {
            "description": "Host: 0 up, 1 down. Service: 0 ok, 1 warning, 2 critical, 3 unknown."
        },
        "plugin_output": {**TEXT, "description": "The event's summary."},
        "execution_start": _SECONDS,
        "execution_end": {**_SECONDS, "description": "The event's time (default: when received)."},
    },
    "required": ["exit_status", "plugin_output"],
    "anyOf": [  # the ways of naming the checked object (icinga._target); several must agree
        {  # a host by its name
            "required": ["host"],
            "properties": {**_HOST, **_BY_NAME, "host": NAME, "service": NULL, "type": nullable(_HOST_TYPE)},
        },
        {  # a service by its full name, "host!service"
            "required": ["service"],
            "properties": {
                **_SERVICE,
                **_BY_NAME,
                "service": _FULL_SERVICE,
                "host": NULL,
                "type": nullable(_SERVICE_TYPE),
            },
        },
        {  # a service by its host's name and its own
            "required": ["host", "service"],
            "properties": {
                **_SERVICE,
                **_BY_NAME,
                "host": NAME,
                "service": _BARE_SERVICE,
                "type": nullable(_SERVICE_TYPE),
            },
        },
        {  # type Host and a filter
            "required": ["type", "filter"],
            "properties": {**_HOST, **_BY_FILTER, "type": _HOST_TYPE, "filter": _HOST_FILTER},
        },
        {  # type Service and a filter
            "required": ["type", "filter"],
            "properties": {**_SERVICE, **_BY_FILTER, "type": _SERVICE_TYPE, "filter": _SERVICE_FILTER},
        },
    ],
}
