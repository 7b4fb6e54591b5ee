"""One native event (semantics §6): a state for a node, or for the nodes its labels match.

Decoding and checking events from JSON is ``bizmap.ingest.native``'s job; this is the record
that the engine applies and the store keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

from bizmap.domain.states import State


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
