"""What the store hands back: plain frozen records, one per kind of row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bizmap.domain.event import Event
from bizmap.domain.states import State


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as stored: its arrival order (``seq``), receipt time and whether it fitted a node."""

    seq: int
    event_id: str | None
    received_at: float
    time: float  # the event's own time, or received_at when it had none
    node: str | None
    labels: dict[str, str] | None
    state: State
    key: str
    summary: str | None
    source: str | None
    matched: bool

    @property
    def event(self) -> Event:
        """The native event, with its effective time."""
        return self.to_event()

    def to_event(self) -> Event:
        """The native event, with its effective time."""
        return Event(
            state=self.state,
            time=self.time,
            node=self.node,
            labels=self.labels,
            key=self.key,
            summary=self.summary,
            source=self.source,
            id=self.event_id,
        )


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An API token, without its secret (only its hash is stored)."""

    id: int
    name: str
    role: str  # read | ingest | operate | admin
    created_at: float
    revoked_at: float | None
    last_used_at: float | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    action: str
    detail: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    id: str
    nodes: tuple[str, ...]
    start: float
    end: float
    reason: str
    created_by: str
    created_at: float

    def active_at(self, time: float) -> bool:
        return self.start <= time < self.end


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    opened_at: float
    closed_at: float | None = None
    services: tuple[str, ...] = ()
    root_causes: tuple[str, ...] = ()
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    cost: float = 0.0
    users: int = 0

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class IncidentNote:
    id: int
    incident_id: str
    at: float
    author: str
    text: str
