"""Adapters from monitoring payloads to native events (semantics §6; docs/ingest.md).

Pure functions, no I/O and no HTTP framework: the live server decodes the request body as
JSON and hands the value to one of them; a payload that cannot be mapped raises
``bizmap.errors.EventError`` naming the faulty field, and nothing of it is applied.

- ``alertmanager.events_from_alertmanager``: Prometheus Alertmanager webhook, version 4;
- ``cloudevents.events_from_cloudevent`` / ``events_from_cloudevents_batch``: CloudEvents 1.0
  JSON (structured and batch modes) carrying a native event as ``data``;
- ``icinga.event_from_icinga``: the body of an Icinga 2 ``process-check-result`` action.
"""

from __future__ import annotations

from bizmap.ingest.alertmanager import events_from_alertmanager
from bizmap.ingest.cloudevents import events_from_cloudevent, events_from_cloudevents_batch
from bizmap.ingest.icinga import event_from_icinga

__all__ = [
    "event_from_icinga",
    "events_from_alertmanager",
    "events_from_cloudevent",
    "events_from_cloudevents_batch",
]
