"""The request-body schemas of the OpenAPI document are the decoders' truth (bizmap.ingest.schemas).

Schemathesis drives the server with documents its generator draws from these schemas: every
schema-valid document must be decoded (a time the server's clock refuses is answered 422, not
400), and a schema-invalid one must be refused. These properties draw with the same generator
(schemathesis's, through its public ``as_strategy``), send each document through JSON as the
server reads it, and hand it to the decoder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import jsonschema_rs
import orjson
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from test_alertmanager import WEBHOOK
from test_cloudevents import BATCH
from test_icinga import HOST, SERVICE

from bizmap.domain.calendar import parse_time
from bizmap.domain.event import Event
from bizmap.errors import EventError
from bizmap.ingest import (
    event_from_icinga,
    events_from_alertmanager,
    events_from_cloudevent,
    events_from_cloudevents_batch,
)
from bizmap.ingest.native import decode_events, parse_event
from bizmap.ingest.schemas import ALERTMANAGER, CLOUDEVENTS, ICINGA, NATIVE_EVENTS, Schema

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
NEGATIVE = settings(PROPERTY, max_examples=20)  # large documents, slow to draw: 20 of each
RECEIVED = 1_795_773_602.5  # 2026-11-27T10:00:02.5Z, when the server read an Icinga body
# The years the schemas' times span: a time outside them is refused by the server's clock (422).
FIRST_SCHEMA_TIME = parse_time("1971-01-01T00:00:00Z")
END_OF_SCHEMA_TIME = parse_time("9999-01-01T00:00:00Z")


def native(document: Any) -> list[Event]:
    """Both native decoders: from the JSON text (POST /api/v1/events) and from the value."""
    events = decode_events(json.dumps(document), require_time=False)
    items = document if isinstance(document, list) else [document]
    assert [parse_event(item, require_time=False) for item in items] == events
    return events


def cloudevents(document: Any) -> list[Event]:
    """As POST /api/v1/ingest/cloudevents: an array is a batch, anything else one CloudEvent."""
    if isinstance(document, list):
        return events_from_cloudevents_batch(document)
    return [events_from_cloudevent(document)]


def icinga(document: Any) -> list[Event]:
    return [event_from_icinga(document, RECEIVED)]


DECODERS: dict[str, tuple[Schema, Callable[[Any], list[Event]]]] = {
    "native": (NATIVE_EVENTS, native),
    "alertmanager": (ALERTMANAGER, events_from_alertmanager),
    "cloudevents": (CLOUDEVENTS, cloudevents),
    "icinga": (ICINGA, icinga),
}


def bodies(schema: Schema, mode: GenerationMode) -> st.SearchStrategy[bytes]:
    """The bodies schemathesis sends to an operation whose JSON body has ``schema``."""
    operation = {
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
        "responses": {"202": {"description": "taken"}},
    }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/": {"post": operation}},
    }
    strategy = schemathesis.openapi.from_dict(document)["/"]["POST"].as_strategy(generation_mode=mode)
    return strategy.map(
        lambda case: case.body if isinstance(case.body, bytes) else json.dumps(case.body).encode()
    )


VALIDATORS = {  # formats asserted, as schemathesis does
    name: jsonschema_rs.validator_for(schema, validate_formats=True) for name, (schema, _) in DECODERS.items()
}


@pytest.mark.parametrize("name", DECODERS)
def test_every_schema_valid_document_is_decoded(name: str) -> None:
    schema, decode = DECODERS[name]

    @PROPERTY
    @given(bodies(schema, GenerationMode.POSITIVE))
    def check(body: bytes) -> None:
        document = orjson.loads(body)  # as the server reads it
        assert VALIDATORS[name].is_valid(document)
        decode(document)  # no EventError

    check()


@pytest.mark.parametrize("name", DECODERS)
def test_every_schema_invalid_document_is_refused(name: str) -> None:
    """Refused by the decoder, or with a time the server's clock refuses (422)."""
    schema, decode = DECODERS[name]

    @NEGATIVE
    @given(bodies(schema, GenerationMode.NEGATIVE))
    def check(body: bytes) -> None:
        try:
            document = orjson.loads(body)  # as the server reads it
        except orjson.JSONDecodeError:
            return  # 400: not valid JSON
        assert not VALIDATORS[name].is_valid(document)
        try:
            events = decode(document)
        except EventError:
            return
        times = [event.time for event in events if event.time is not None]
        errors = [error.message for error in VALIDATORS[name].iter_errors(document)]
        assert any(not FIRST_SCHEMA_TIME <= time < END_OF_SCHEMA_TIME for time in times), (document, errors)

    check()


# --- what senders really send is valid; near misses are refused by both --------------------------

ICINGA_SHORTCUTS = [
    {"host": "db-1", "exit_status": 0, "plugin_output": "PING OK"},
    {"service": "web-1!disk /", "exit_status": "2", "plugin_output": "", "execution_end": "1795773600.5"},
    {"host": "web-1", "service": "disk", "type": "service", "exit_status": 3.0, "plugin_output": "?"},
    {"type": "Service", "filter": 'service.__name=="web-1!disk"', "exit_status": 1, "plugin_output": "x"},
    {
        "type": "Service",
        "filter": 'service.name == "disk \\"/\\"" && host.name == "web-1"',
        "filter_vars": None,
        "exit_status": 1,
        "plugin_output": "x",
    },
]


@pytest.mark.parametrize(
    ("name", "document"),
    [
        ("alertmanager", WEBHOOK),
        ("cloudevents", BATCH),
        *(("cloudevents", item) for item in BATCH),
        ("icinga", SERVICE),
        ("icinga", HOST),
        *(("icinga", item) for item in ICINGA_SHORTCUTS),
        ("native", {"node": "web-1", "state": "down", "time": "2026-11-27T10:00:00.123456789+01:00"}),
        ("native", [{"labels": {"job": "node"}, "state": 2, "key": "disk", "summary": "a\nb"}]),
    ],
)
def test_real_payloads_are_valid(name: str, document: Any) -> None:
    decode = DECODERS[name][1]
    assert VALIDATORS[name].is_valid(document)
    assert decode(document)


FIRING = WEBHOOK["alerts"][0]
CLOUDEVENT = BATCH[0]


def changed(document: dict[str, Any], **members: Any) -> dict[str, Any]:
    return {**document, **members}


@pytest.mark.parametrize(
    ("name", "document"),
    [
        ("alertmanager", changed(WEBHOOK, version="3")),
        ("alertmanager", changed(WEBHOOK, alerts=None)),
        ("alertmanager", changed(WEBHOOK, alerts=[changed(FIRING, status="pending")])),
        ("alertmanager", changed(WEBHOOK, alerts=[changed(FIRING, labels={})])),
        ("alertmanager", changed(WEBHOOK, alerts=[changed(FIRING, startsAt="0001-01-01T00:00:00Z")])),
        ("alertmanager", changed(WEBHOOK, alerts=[changed(FIRING, startsAt="2026-11-27 10:00")])),
        ("alertmanager", changed(WEBHOOK, alerts=[changed(FIRING, status="resolved")])),  # endsAt: zero
        ("alertmanager", changed(WEBHOOK, alerts=[changed(FIRING, fingerprint="")])),
        ("alertmanager", changed(WEBHOOK, alerts=[changed(FIRING, labels={"bizmap_node": " "})])),
        ("alertmanager", changed(WEBHOOK, alerts=[changed(FIRING, annotations={"summary": 1})])),
        ("cloudevents", changed(CLOUDEVENT, specversion="0.3")),
        ("cloudevents", changed(CLOUDEVENT, id="")),
        ("cloudevents", changed(CLOUDEVENT, datacontenttype="text/plain")),
        ("cloudevents", changed(CLOUDEVENT, data_base64="e30=")),
        ("cloudevents", changed(CLOUDEVENT, data={"state": "down", "node": "a", "id": "x"})),
        ("cloudevents", changed(CLOUDEVENT, data={"state": "down"})),  # no node, labels or subject
        ("cloudevents", changed(CLOUDEVENT, data={"state": "down"}, subject="")),
        ("cloudevents", [CLOUDEVENT, changed(CLOUDEVENT, time="yesterday")]),
        ("icinga", changed(HOST, exit_status=2)),  # a host is up (0) or down (1)
        ("icinga", changed(SERVICE, exit_status="1.5")),
        ("icinga", changed(SERVICE, type="Host")),
        ("icinga", changed(SERVICE, filter='host.name=="web-1"')),  # no service named
        ("icinga", changed(SERVICE, filter='host.name=="" && service.name=="disk"')),
        ("icinga", changed(HOST, plugin_output=None)),
        ("icinga", changed(HOST, execution_end=-1)),
        ("icinga", {"service": "disk", "exit_status": 0, "plugin_output": ""}),  # which host?
        ("icinga", {"service": "web-1!", "exit_status": 0, "plugin_output": ""}),
        ("native", {"node": "a", "state": "broken"}),
        ("native", {"state": "down", "labels": {}}),
        ("native", {"node": "a", "state": "down", "key": ""}),
        ("native", {"node": "a", "state": "down", "time": "2026-11-27T10:00:00"}),  # no offset
        ("native", [{"node": "a", "state": "down", "extra": 1}]),
    ],
)
def test_near_misses_are_invalid_and_refused(name: str, document: Any) -> None:
    decode = DECODERS[name][1]
    assert not VALIDATORS[name].is_valid(document)
    with pytest.raises(EventError):
        decode(document)
