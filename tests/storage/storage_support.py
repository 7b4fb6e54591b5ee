"""Helpers of the storage tests."""

from __future__ import annotations

from bizmap.domain.event import Event
from bizmap.domain.states import State

T0 = 1_800_000_000.0  # 2027-01-15T08:00:00Z


class FakeClock:
    """A clock the test moves."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def event(
    node: str | None = "web-1",
    state: State = State.DOWN,
    time: float | None = T0,
    id: str | None = None,
    **fields: object,
) -> Event:
    return Event(state=state, time=time, node=node, id=id, **fields)  # type: ignore[arg-type]


def arrived(*events: Event, at: float = T0 + 1, matched: bool = True) -> list[tuple[Event, float, bool]]:
    """Items for ``append_events``: the events received at ``at``."""
    return [(e, at, matched) for e in events]
