"""Incidents: business services that fail together, grouped by the root causes they share.

An incident opens when a business service goes non-ok *unplanned*. A service whose root
causes overlap those of an open incident joins it; when a service's root causes overlap
several open incidents they are merged into the oldest. An incident closes when every one of
its services is ok or planned again; a later failure opens a new one.

The ``IncidentTracker`` is fed the status changes of business services in time order, most
simply by ``follow``-ing the histories that a ``Timeline`` records. It does no I/O, and its
ids are deterministic (``INC-<opening second>Z-<first service>``, then ``-2``... for another
in that second): rebuilding the live state after a restart gives the same incidents. Cost and
people are not computed here: each incident keeps, per service, the intervals during which the
service belonged to it, and the engine prices those intervals and counts the people in them
(the peak, never a sum).
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bizmap.domain.propagate import OK
from bizmap.domain.timeline import ServicePoint


@dataclass(frozen=True, slots=True)
class StatusChange:
    """From ``time`` on, business service ``service`` is in ``state`` (planned or not)."""

    time: float
    service: str
    state: int
    planned: bool
    roots: frozenset[str]


@dataclass(slots=True)
class Membership:
    """A stretch of time during which a service belonged to an incident (``end`` None: still)."""

    service: str
    start: float
    end: float | None = None
    # The cost of a stretch that ended before the engine's clock never changes: kept once
    # known, so that a long incident's cost is not worked out again from its whole history.
    settled_cost: float | None = field(default=None, compare=False, repr=False)
    # Of a stretch still running: its cost up to a time before the clock, which is final too,
    # so that each new asking prices only what happened since (the engine keeps it).
    checkpoint: CostCheckpoint | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class CostCheckpoint:
    """A membership's cost from its start up to ``time``, and what is needed to go on from there."""

    time: float
    cost: float
    workaround_left: float  # seconds the workaround still covers in the episode at ``time``


@dataclass(slots=True)
class TrackedIncident:
    id: str
    opened_at: float
    closed_at: float | None = None
    services: list[str] = field(default_factory=list)  # in the order they joined
    root_causes: set[str] = field(default_factory=set)
    memberships: list[Membership] = field(default_factory=list)
    timeline: list[StatusChange] = field(default_factory=list)
    merged_into: str | None = None
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    # service -> its membership still running (a service is active in one incident at most);
    # kept beside ``memberships``, which only grows, so that leaving never scans the history
    active_members: dict[str, Membership] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def active(self) -> list[Membership]:
        return list(self.active_members.values())


def incident_id(time: float, service: str) -> str:
    """``INC-20261203T083302Z-shop``: the opening second (UTC) and the first service. Another
    incident of that service in the same second gets ``-2``, ``-3``... (``IncidentTracker._open``)."""
    stamp = datetime.fromtimestamp(math.floor(time), UTC).strftime("%Y%m%dT%H%M%S")
    return f"INC-{stamp}Z-{service}"


class IncidentTracker:
    """Open, join, merge and close incidents from business-service status changes."""

    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = ids  # node index -> node id (for ``follow``)
        self.incidents: dict[str, TrackedIncident] = {}
        self._status: dict[str, StatusChange] = {}
        self._member_of: dict[str, str] = {}  # service -> the open incident it is active in
        self._open_ids: dict[str, None] = {}  # open incidents, in opening order (history grows)
        self._cursor: dict[int, tuple[int, ServicePoint]] = {}

    @classmethod
    def resumed(
        cls,
        ids: Sequence[str],
        incidents: Iterable[TrackedIncident],
        status: Iterable[StatusChange],
        history: Mapping[int, Sequence[ServicePoint]],
        taken: Mapping[int, int],
    ) -> IncidentTracker:
        """A tracker carried on from a saved state: its incidents in the order they opened (with
        their running memberships: ``end`` None), each service's last status change, and how many
        points of each service's ``history`` (by index) it had taken."""
        tracker = cls(ids)
        for incident in incidents:
            tracker.incidents[incident.id] = incident
            if incident.closed_at is None and incident.merged_into is None:
                tracker._open_ids[incident.id] = None
                for membership in incident.memberships:
                    if membership.end is None:
                        incident.active_members[membership.service] = membership
                        tracker._member_of[membership.service] = incident.id
        tracker._status = {change.service: change for change in status}
        for service, count in taken.items():
            points = history.get(service)
            if points and count > 0:
                count = min(count, len(points))
                tracker._cursor[service] = (count, points[count - 1])
        return tracker

    def history_dropped(self, service: int, count: int) -> None:
        """``count`` points were dropped from the front of the service's history."""
        cursor = self._cursor.get(service)
        if cursor is not None:
            self._cursor[service] = (max(cursor[0] - count, 0), cursor[1])

    def forget(self, closed_before: float, keep: Container[str] = ()) -> int:
        """Drop the incidents closed (or merged) before ``closed_before``, but those in ``keep``;
        how many. They are stored: the engine no longer needs them."""
        old = [
            incident.id
            for incident in self.incidents.values()
            if incident.closed_at is not None
            and incident.closed_at < closed_before
            and incident.id not in keep
        ]
        for name in old:
            del self.incidents[name]
        return len(old)

    def status_changes(self) -> list[StatusChange]:
        """Each service's last status change taken (what ``resumed`` is given back)."""
        return list(self._status.values())

    def taken(self) -> dict[int, int]:
        """How many points of each service's history (by index) have been taken."""
        return {service: taken for service, (taken, _) in self._cursor.items()}

    # -- reading -----------------------------------------------------------------------
    def get(self, incident: str) -> TrackedIncident | None:
        return self.incidents.get(incident)

    def open_incidents(self) -> list[TrackedIncident]:
        return [self.incidents[name] for name in self._open_ids]

    def all(self) -> list[TrackedIncident]:
        """Newest (by opening time) first."""
        return sorted(self.incidents.values(), key=lambda i: (i.opened_at, i.id), reverse=True)

    def acknowledge(self, incident: str, at: float, by: str) -> TrackedIncident:
        found = self.incidents[incident]
        found.acknowledged_at, found.acknowledged_by = at, by
        return found

    # -- feeding -----------------------------------------------------------------------
    def follow(self, history: Mapping[int, Sequence[ServicePoint]]) -> list[TrackedIncident]:
        """Take the points appended to a ``Timeline``'s histories since the last call."""
        return self.update(self.new_changes(history))

    def new_changes(self, history: Mapping[int, Sequence[ServicePoint]]) -> list[StatusChange]:
        changes: list[tuple[float, int, int, StatusChange]] = []
        for service, points in history.items():
            taken, last = self._cursor.get(service, (0, None))
            begin = taken
            floor = float("-inf")
            if last is not None and (taken > len(points) or points[taken - 1] is not last):
                # The timeline rewrote its newest point (a change at the same instant): take the
                # point now in its place again, as a change at the time of the one it replaced.
                begin = min(taken, len(points)) - 1
                floor = last.time
            for order, point in enumerate(points[begin:]):
                roots = frozenset(self.ids[r] for r in point.roots)
                time = max(point.time, floor)
                changes.append(
                    (
                        time,
                        service,
                        order,
                        StatusChange(time, self.ids[service], point.state, point.planned, roots),
                    )
                )
            if points:
                self._cursor[service] = (len(points), points[-1])
        changes.sort(key=lambda item: item[:3])
        return [change for *_, change in changes]

    def update(self, changes: Iterable[StatusChange]) -> list[TrackedIncident]:
        """Apply status changes (in time order); the incidents they changed, by opening time."""
        changed: dict[str, TrackedIncident] = {}
        for change in changes:
            for incident in self._apply(change):
                changed[incident.id] = incident
        return sorted(changed.values(), key=lambda i: (i.opened_at, i.id))

    def _apply(self, change: StatusChange) -> list[TrackedIncident]:
        before = self._status.get(change.service)
        if before is not None and (before.state, before.planned, before.roots) == (
            change.state,
            change.planned,
            change.roots,
        ):
            return []
        self._status[change.service] = change
        current = self._member_of.get(change.service)
        if change.state == OK or change.planned:
            if current is None:
                return []
            return [self._leave(self.incidents[current], change)]
        roots = change.roots or frozenset({change.service})
        overlapping = [i for i in self.open_incidents() if i.root_causes & roots]
        if current is not None and all(i.id != current for i in overlapping):
            overlapping.append(self.incidents[current])
        if not overlapping:
            target = self._open(change)
            touched = [target]
        else:
            overlapping.sort(key=lambda i: (i.opened_at, i.id))
            target, others = overlapping[0], overlapping[1:]
            touched = [target, *others]
            for other in others:
                self._merge(other, into=target, at=change.time)
        if self._member_of.get(change.service) != target.id:
            membership = Membership(change.service, change.time)
            target.memberships.append(membership)
            target.active_members[change.service] = membership
            if change.service not in target.services:
                target.services.append(change.service)
            self._member_of[change.service] = target.id
        target.root_causes |= roots
        target.timeline.append(change)
        return touched

    def _open(self, change: StatusChange) -> TrackedIncident:
        base = incident_id(change.time, change.service)
        name, n = base, 1
        while name in self.incidents:
            n += 1
            name = f"{base}-{n}"
        incident = TrackedIncident(id=name, opened_at=change.time)
        self.incidents[name] = incident
        self._open_ids[name] = None
        return incident

    def _leave(self, incident: TrackedIncident, change: StatusChange) -> TrackedIncident:
        membership = incident.active_members.pop(change.service, None)
        if membership is not None:
            membership.end = change.time
        del self._member_of[change.service]
        incident.timeline.append(change)
        if not incident.active_members:
            incident.closed_at = change.time
            del self._open_ids[incident.id]
        return incident

    def _merge(self, young: TrackedIncident, into: TrackedIncident, at: float) -> None:
        """Move ``young``'s services, causes and history into ``into``; ``young`` closes, merged."""
        for service in young.services:
            if service not in into.services:
                into.services.append(service)
        into.root_causes |= young.root_causes
        into.memberships.extend(young.memberships)
        into.timeline = sorted([*into.timeline, *young.timeline], key=lambda c: c.time)
        for membership in young.active():
            self._member_of[membership.service] = into.id
        into.active_members.update(young.active_members)
        young.active_members.clear()
        young.memberships = []
        young.closed_at = at
        young.merged_into = into.id
        del self._open_ids[young.id]
