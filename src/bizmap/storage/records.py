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
    # where it came among the events (the seq of the last event applied before it) and the
    # engine's clock then: a restart adds it again at the same place (None: before every event)
    added_after_seq: int | None = None
    added_at_clock: float | None = None
    ended_after_seq: int | None = None  # ended early: likewise (None: it runs to its end)
    ended_at_clock: float | None = None

    def active_at(self, time: float) -> bool:
        return self.start <= time < self.end

    @property
    def ended_early(self) -> bool:
        return self.ended_after_seq is not None

    @property
    def effective_end(self) -> float:
        """Its end, or when it was ended early."""
        if self.ended_at_clock is not None:
            return min(self.end, self.ended_at_clock)
        return self.end


TimelineEntry = tuple[float, str, int, bool, tuple[str, ...]]


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
    # (time, service, state, planned, root causes) of each status change; None: not saved
    timeline: tuple[TimelineEntry, ...] | None = None

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
