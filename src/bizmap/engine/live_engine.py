"""The live engine: events in arrival order -> signals -> states -> episodes, cost and SLA now.

It wraps the same ``Timeline`` that replay uses. Events arrive in any order: one whose time
is older than the last event applied to the same signal changes nothing (it is still stored
by the caller); one older than the engine's clock but not older than its signal's last
event takes effect now, since history already told is not rewritten. Rebuilding after a
restart feeds the stored events again in arrival order, so the live state always equals a
replay of what was acknowledged. No I/O here: the server stores, this module computes.

Its history begins at ``start`` (the oldest time an event may carry), but what it knows begins
with the first event it is given, matched or not (``measurement_start``, semantics §10): the
time before is not "working normally" but unknown, and every reader clips to it.
"""

from __future__ import annotations

import itertools
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bizmap.domain.calendar import BusinessCalendar, CalendarWindow, local_midnight, period_containing, zone
from bizmap.domain.compile import CompiledGraph, ServiceFacts
from bizmap.domain.cost import WorkaroundAllowance, cost_per_hour, counted_cost
from bizmap.domain.episodes import Episode, episodes
from bizmap.domain.event import Event
from bizmap.domain.matching import EventRouter
from bizmap.domain.people import counting_intervals, peak_people, people_affected
from bizmap.domain.propagate import OK, UNKNOWN
from bizmap.domain.sla import SlaPeriod, sla_periods
from bizmap.domain.states import State
from bizmap.domain.timeline import Segment, Timeline
from bizmap.engine.incidents import CostCheckpoint, IncidentTracker, Membership, TrackedIncident


@dataclass(frozen=True)
class Applied:
    """What became of one event: the nodes it matched and whether it changed anything."""

    nodes: tuple[int, ...]
    late: bool

    @property
    def matched(self) -> bool:
        return bool(self.nodes)


@dataclass(frozen=True)
class ServiceNow:
    """A business service as it stands at ``at``: the answers of the overview and detail pages."""

    id: str
    name: str | None
    state: State
    planned: bool
    root_causes: tuple[str, ...]
    cost_per_hour: float  # calendar, planning and workaround applied: what it costs right now
    cost_today: float  # since local midnight in the service's calendar
    cost_this_period: float  # since the start of the current SLA period (the calendar month without SLA)
    current_episode: Episode | None
    users_affected: int  # its users while non-ok, unplanned and in calendar at ``at``; else 0 (§3)
    safety_critical: bool
    sla: SlaPeriod | None  # the current period so far, from the start of measurement
    # the budget of the time measured so far (semantics §4, §10: never the rest of the period)
    sla_budget_seconds: float | None
    sla_budget_remaining_seconds: float | None
    measurement_start: float | None  # the engine's: None before the first event (nothing is known)
    sla_partial: bool  # the current SLA period began before measurement did


_serials = itertools.count(1)
UnmatchedStream = tuple[str | None, tuple[tuple[str, str], ...], str]  # node, labels, key
UNMATCHED_STREAMS = 10_000  # streams of unmatched events remembered for a changed model
# History kept in memory, in days before the clock: what the pages read (the status page's 90
# days, the service page's 30 days of episodes, burn-rate windows of up to 3 days); besides,
# each service keeps its current and previous SLA periods and the episodes still open.
HISTORY_DAYS = 100


class LiveEngine:
    """Applies events as they are acknowledged and answers what things cost now."""

    def __init__(
        self,
        graph: CompiledGraph,
        start: float,
        measurement_start: float | None = None,
        timeline: Timeline | None = None,
        router: EventRouter | None = None,
    ) -> None:
        """``timeline`` and ``router``: already made for ``graph`` (a checkpoint resumed)."""
        self.serial = next(_serials)  # tells engines apart (a model reload makes a new one)
        self.carried_from: int | None = None  # the serial of the engine whose state it carries on
        self.graph = graph
        self.start = start
        # when the first event came (or the time given): nothing is known before it
        self.measurement_start = measurement_start
        self.timeline = timeline if timeline is not None else Timeline(graph, start)
        self.router = router if router is not None else EventRouter(graph)
        self.last_times: dict[tuple[int, str], float] = {}  # (node, key) -> time of its last event
        self.applied_seq = 0  # the stored seq of the last event applied (0: none)
        # the maintenance operations of the store applied: "+id" added, "-id" ended
        self.window_ops: set[str] = set()
        self.tracked_incidents: IncidentTracker | None = None  # made on first use (``incidents``)
        # the newest state of each stream of events that matched no node, should a changed model
        # match them (``bizmap.engine.checkpoint``): (node, labels, key) -> (state, time)
        self.unmatched: dict[UnmatchedStream, tuple[int, float]] = {}
        self._calendars: dict[str, BusinessCalendar] = {}
        self._windows: dict[str, list[tuple[float, int, int]]] = {}
        self._tallies: dict[int, _EpisodeTally] = {}  # service -> its episode, tallied so far

    @property
    def now(self) -> float:
        return self.timeline.now

    @property
    def known_from(self) -> float:
        """The start of measurement; infinity before the first event (nothing is known yet)."""
        return self.measurement_start if self.measurement_start is not None else float("inf")

    def _measure_from(self, time: float) -> None:
        if self.measurement_start is None:
            self.measurement_start = max(time, self.timeline.now)  # where the event takes effect

    def apply(self, event: Event, received_at: float) -> Applied:
        """Route and apply one acknowledged event (its time defaults to ``received_at``)."""
        time = event.time if event.time is not None else received_at
        self._measure_from(time)
        nodes = self.router.nodes_for(event.node, event.labels)
        if not nodes:
            self.remember_unmatched(event, time)
            return Applied((), False)
        fresh = [node for node in nodes if time >= self.last_times.get((node, event.key), float("-inf"))]
        if not fresh:
            return Applied(nodes, True)
        for node in fresh:
            self.last_times[(node, event.key)] = time
        effective = max(time, self.timeline.now)
        state = int(event.state)
        self.timeline.apply(effective, [(node, event.key, state) for node in fresh])
        return Applied(nodes, False)

    def apply_routed(self, items: Iterable[tuple[Event, float, tuple[int, ...]]]) -> None:
        """Apply acknowledged events, already routed to their nodes, in arrival order (an event
        that matched no node only begins measurement, as in ``apply``).

        The same as ``apply`` on each in turn (a test holds them to it), but the updates that
        take effect at one instant (a request's events without a time all take its receipt
        time) go through the timeline in one propagation: at one instant only the last state
        of a service is kept, however many changes lead to it.
        """
        pending: list[tuple[int, str, int]] = []
        at = self.timeline.now
        last_time = self.last_times
        for event, received_at, nodes in items:
            time = event.time if event.time is not None else received_at
            if self.measurement_start is None:
                self.measurement_start = max(time, at)
            if not nodes:
                self.remember_unmatched(event, time)
                continue
            key = event.key
            fresh = [node for node in nodes if time >= last_time.get((node, key), float("-inf"))]
            if not fresh:
                continue
            for node in fresh:
                last_time[(node, key)] = time
            effective = max(time, at)
            if pending and effective != at:
                self.timeline.apply(at, pending)
                pending = []
            at = effective
            state = int(event.state)
            pending.extend((node, key, state) for node in fresh)
        if pending:
            self.timeline.apply(at, pending)

    def remember_unmatched(self, event: Event, time: float) -> None:
        """Keep the newest state of the stream of an event that matched no node (the newest
        ``UNMATCHED_STREAMS`` streams): a model that matches it later takes it as a signal."""
        labels = tuple(sorted(event.labels.items())) if event.labels else ()
        stream = (event.node, labels, event.key)
        known = self.unmatched.pop(stream, None)
        if known is not None and known[1] > time:
            self.unmatched[stream] = known  # an older event changes nothing
            return
        self.unmatched[stream] = (int(event.state), time)
        if len(self.unmatched) > UNMATCHED_STREAMS:
            del self.unmatched[next(iter(self.unmatched))]  # the stream heard of longest ago

    def add_maintenance(self, window_id: str, nodes: Sequence[str], start: float, end: float) -> None:
        """A maintenance window added while running (nodes must exist); it counts from now on."""
        indices = [self.graph.index[node] for node in nodes]
        self._windows[window_id] = self.timeline.add_window(indices, start, end)
        self.window_ops.add(f"+{window_id}")

    def end_maintenance(self, window_id: str) -> bool:
        """End a window added with ``add_maintenance`` now; False when it is not known."""
        added = self._windows.pop(window_id, None)
        if added is None:
            return False
        self.timeline.end_window(added)
        self.window_ops.add(f"-{window_id}")
        return True

    def running_windows(self) -> dict[str, tuple[list[int], float, float]]:
        """The windows added while running and not ended: their nodes, and when they count from and end."""
        running = {}
        for window_id, added in self._windows.items():
            if added:  # an empty list: it had ended before it was added
                nodes = [node for _, step, node in added if step == 1]
                running[window_id] = (nodes, added[0][0], added[-1][0])
        return running

    def restore_window(self, window_id: str, added: list[tuple[float, int, int]]) -> None:
        """A window carried on from a checkpoint, with the boundaries its timeline was given."""
        self._windows[window_id] = added

    def next_timer(self) -> float | None:
        """The next instant the clock must reach without an event: a maintenance boundary."""
        return self.timeline.next_boundary()

    def advance(self, now: float) -> None:
        """Move the clock without an event (maintenance windows start and end with it).

        The server never calls this on reads: events move its clock, and the maintenance timer
        (``bizmap.live.timers``) moves it to a window's start or end once that instant has passed.
        """
        if now > self.timeline.now:
            self.timeline.apply(now, [])

    def forget_old_history(self, keep_incidents: Container[str] = ()) -> tuple[int, int]:
        """Drop what no reader needs any more (semantics §11): each service's points before the
        oldest of ``HISTORY_DAYS`` before the clock, its previous SLA period's start and the start
        of its running incident membership (the episode open then kept whole); and the incidents
        closed before that horizon (they are stored), but those in ``keep_incidents``.
        Returns (points dropped, incidents dropped). Take it after the incidents followed."""
        horizon = self.timeline.now - HISTORY_DAYS * 86400
        if horizon <= self.start:
            return 0, 0
        tracker = self.tracked_incidents
        running: dict[str, float] = {}
        if tracker is not None:
            for incident in tracker.open_incidents():
                for membership in incident.active():
                    running[membership.service] = min(
                        membership.start, running.get(membership.service, horizon)
                    )
        taken = tracker.taken() if tracker is not None else {}
        dropped = 0
        for facts in self.graph.services:
            keep_from = min(horizon, running.get(self.graph.ids[facts.index], horizon))
            if facts.sla is not None:
                zone_name = self.calendar(facts.sla_calendar).timezone
                current, _ = period_containing(zone_name, facts.sla.period, self.timeline.now)
                previous, _ = period_containing(zone_name, facts.sla.period, current - 1)
                keep_from = min(keep_from, previous)
            most = (
                taken.get(facts.index, 0) if tracker is not None else len(self.timeline.history[facts.index])
            )
            count = self.timeline.forget_before(facts.index, keep_from, most)
            if count and tracker is not None:
                tracker.history_dropped(facts.index, count)
            dropped += count
        self._tallies.clear()  # they may point into what went
        forgotten = tracker.forget(horizon, keep_incidents) if tracker is not None else 0
        return dropped, forgotten

    # -- what it costs now -------------------------------------------------------------
    def calendar(self, name: str) -> BusinessCalendar:
        if name not in self._calendars:
            self._calendars[name] = BusinessCalendar(self.graph.calendars.get(name), name)
        return self._calendars[name]

    def service_now(self, facts: ServiceFacts, at: float) -> ServiceNow:
        """State, cost and SLA of one business service at ``at`` (not before the engine's clock)."""
        graph = self.graph
        at = max(at, self.timeline.now)  # reading never moves the clock: only events do
        _, _, roots = self.timeline.status(facts.index)
        calendar = self.calendar(facts.calendar)
        sla_calendar = self.calendar(facts.sla_calendar)
        tz = zone(calendar.timezone)
        midnight = local_midnight(tz, datetime.fromtimestamp(at, tz).date())
        period_start, period_end = period_containing(
            sla_calendar.timezone, facts.sla.period if facts.sla is not None else "month", at
        )
        end = max(at, self.start + 1e-6)
        segments = self.timeline.segments(
            facts.index, end, since=max(self.start, min(midnight, period_start))
        )
        if at > self.timeline.now and segments:  # maintenance may have begun or ended since
            state, planned = segments[-1].state, segments[-1].planned
        else:  # at the clock itself, the last event counts already
            state, planned, _ = self.timeline.status(facts.index)
        begin = _episode_start_at(segments, max(self.start, min(midnight, period_start)))
        window = CalendarWindow(calendar, begin, end)
        found = episodes(facts, [s for s in segments if s.end > begin], window, end)
        current = found[-1] if found and found[-1].end is None and state != OK else None

        rate = 0.0
        if state not in (OK, UNKNOWN) and not planned and calendar.contains(at):
            allowance = WorkaroundAllowance(facts)
            used = current.counted_seconds if current is not None else 0.0
            rate = cost_per_hour(facts, state) * (allowance.factor if allowance.remaining > used else 1.0)

        sla = budget = remaining = None
        partial = False
        if facts.sla is not None:
            # nothing is measured before the first event: with none yet, an empty period at ``at``
            measured_from = min(max(period_start, self.start, self.known_from), end)
            partial = period_start < measured_from < end
            sla_window = CalendarWindow(sla_calendar, measured_from, max(period_end, end))
            so_far = sla_periods(facts, segments, sla_window, measured_from, end)
            sla = so_far[-1] if so_far else SlaPeriod(end, end, 0.0, 0.0, facts.sla.target)
            budget = (1 - facts.sla.target / 100) * sla.measured_seconds
            remaining = budget - sla.down_seconds
        return ServiceNow(
            id=graph.ids[facts.index],
            name=graph.names[facts.index],
            state=State(state),
            planned=planned,
            root_causes=tuple(sorted(graph.ids[r] for r in roots)),
            cost_per_hour=rate,
            cost_today=_cost_since(found, segments, facts, window, max(midnight, begin)),
            cost_this_period=_cost_since(found, segments, facts, window, max(period_start, begin)),
            current_episode=current,
            users_affected=facts.users if state != OK and not planned and calendar.contains(at) else 0,
            safety_critical=facts.safety_critical,
            sla=sla,
            sla_budget_seconds=budget,
            sla_budget_remaining_seconds=remaining,
            measurement_start=self.measurement_start,
            sla_partial=partial,
        )

    def services_now(self, at: float) -> list[ServiceNow]:
        return [self.service_now(facts, at) for facts in self.graph.services]

    def people_now(self, at: float) -> int:
        """People affected at ``at`` by all the business services (§3)."""
        return self.people_of(self.services_now(at))

    def people_of(self, services: Iterable[ServiceNow]) -> int:
        """People affected by these services as they stand: those in calendar and unplanned
        (``users_affected`` not 0), a shared population once (§3)."""
        graph = self.graph
        return people_affected(graph.service_of[graph.index[s.id]] for s in services if s.users_affected)

    # -- incidents (bizmap.engine.incidents) --------------------------------------------------
    @property
    def incidents(self) -> IncidentTracker:
        """The incidents of this engine's history (created on first use)."""
        if self.tracked_incidents is None:
            self.tracked_incidents = IncidentTracker(self.graph.ids)
        return self.tracked_incidents

    def incident_people(self, incident: TrackedIncident, at: float) -> int:
        """The people ``incident`` kept from work until ``at`` (or its end): the peak over its
        duration of the people affected by its services, each while it belonged to it (§3)."""
        return peak_people(self._incident_counting(incident, at))

    def incident_service_people(self, incident: TrackedIncident, at: float) -> dict[str, int]:
        """Of each of ``incident``'s services, its users if they counted at any instant, else 0."""
        return {
            self.graph.ids[facts.index]: facts.users if intervals else 0
            for facts, intervals in self._incident_counting(incident, at)
        }

    def _incident_counting(
        self, incident: TrackedIncident, at: float
    ) -> list[tuple[ServiceFacts, list[tuple[float, float]]]]:
        """Each service of ``incident`` and when, while it belonged to it, its people counted."""
        end = max(at, self.timeline.now, self.start + 1e-6)  # the window of ``incident_cost``
        spans: dict[str, list[tuple[float, float]]] = {}
        for membership in incident.memberships:
            until = min(membership.end if membership.end is not None else end, end)
            if until > membership.start:
                spans.setdefault(membership.service, []).append((membership.start, until))
        counting: list[tuple[ServiceFacts, list[tuple[float, float]]]] = []
        for service in incident.services:
            facts = self.graph.service_of[self.graph.index[service]]
            mine = spans.get(service, [])
            if not mine:
                counting.append((facts, []))
                continue
            since = min(a for a, _ in mine)
            segments = self.timeline.segments(facts.index, end, since=since, whole_episode=False)
            window = CalendarWindow(self.calendar(facts.calendar), since, end)
            counting.append((facts, counting_intervals(segments, window, mine)))
        return counting

    def after_apply(self) -> list[TrackedIncident]:
        """Bring the incidents up to date with the services' histories; the incidents that changed."""
        return self.incidents.follow(self.timeline.history)

    def incident_cost(self, incident: TrackedIncident, at: float) -> float:
        """What ``incident`` has cost until ``at`` (or its end): for each of its services, the cost
        of the time it belonged to the incident, the workaround counted from its episode's start."""
        end = max(at, self.timeline.now, self.start + 1e-6)
        total = 0.0
        for membership in incident.memberships:
            if membership.settled_cost is None:
                cost = self._membership_cost(membership, end)
                if membership.end is not None and membership.end <= self.timeline.now:
                    membership.settled_cost = cost  # its history is past: it cannot change any more
                total += cost
            else:
                total += membership.settled_cost
        return total

    def _membership_cost(self, membership: Membership, end: float) -> float:
        """The cost of one membership until ``end``, carried on from its checkpoint.

        History before the clock is final, so the cost up to ``min(until, clock)`` is kept in
        the membership's checkpoint; only the time since is priced on the next asking.
        """
        index = self.graph.index[membership.service]
        facts = self.graph.service_of[index]
        until = min(membership.end if membership.end is not None else end, end)
        if until <= membership.start:
            return 0.0
        calendar = self.calendar(facts.calendar)
        final = min(until, self.timeline.now)
        mark = membership.checkpoint
        if mark is None:  # first asking: the workaround counts from the start of its episode
            left = self._workaround_left(index, facts, membership.start)
            mark = CostCheckpoint(membership.start, 0.0, left)
        segments = self.timeline.segments(index, end, since=mark.time, whole_episode=False)
        allowance = WorkaroundAllowance(facts)
        allowance.remaining = mark.workaround_left
        window = CalendarWindow(calendar, mark.time, end)
        settled = mark.cost + _cost_within(segments, facts, window, mark.time, mark.time, final, allowance)
        membership.checkpoint = CostCheckpoint(final, settled, allowance.remaining)
        if until <= final:
            return settled
        # beyond the clock (a read at a later time): priced, not kept
        return settled + _cost_within(segments, facts, window, final, final, until, allowance)

    def _workaround_left(self, index: int, facts: ServiceFacts, at: float) -> float:
        """Seconds the workaround still covers at ``at`` (not after the clock) in the episode
        then open: its whole allowance less the time counted since the episode began.

        Each service's episode is tallied as far as it was last asked (history before the clock
        is final), so asking again later reads only what happened since.
        """
        allowance = WorkaroundAllowance(facts).remaining
        if allowance in (0.0, float("inf")):  # no workaround, or one without a limit
            return allowance
        tally = self._tallies.get(index)
        if tally is None or at < tally.time:  # from the start of the episode open at ``at``
            segments = self.timeline.segments(index, at, since=at)
            tally = _EpisodeTally(segments[0].start if segments else at, 0.0)
        else:
            segments = self.timeline.segments(index, at, since=tally.time, whole_episode=False)
        window = CalendarWindow(self.calendar(facts.calendar), tally.time, at)
        tally.advance(segments, window, at)
        self._tallies[index] = tally
        return max(allowance - tally.counted, 0.0)


@dataclass(slots=True)
class _EpisodeTally:
    """A service's episode as far as ``time``: its time counted so far (in its calendar,
    unplanned, neither ok nor unknown: what the workaround covers)."""

    time: float
    counted: float

    def advance(self, segments: Sequence[Segment], window: CalendarWindow, until: float) -> None:
        for segment in segments:
            start, end = max(segment.start, self.time), min(segment.end, until)
            if end <= start:
                continue
            if segment.state == OK:  # the episode ended: the next one counts from zero
                self.counted = 0.0
            elif not segment.planned and segment.state != UNKNOWN:
                self.counted += sum(b - a for a, b in window.clip(start, end))
        self.time = max(self.time, until)


def _episode_start_at(segments: Sequence[Segment], instant: float) -> float:
    """``instant``, or the start of the episode that is open at it (for the workaround)."""
    begin = instant
    for segment in reversed(segments):
        if segment.start > instant:
            continue
        if segment.state == OK:
            break
        begin = segment.start
    return begin


def _cost_since(
    found: Sequence[Episode],
    segments: Sequence[Segment],
    facts: ServiceFacts,
    window: CalendarWindow,
    since: float,
) -> float:
    """Cost accrued from ``since``: episodes that started before it count their part after it."""
    total = 0.0
    for episode in found:
        end = episode.end if episode.end is not None else float("inf")
        if end <= since:
            continue
        if episode.start >= since:
            total += episode.cost
        else:
            total += _cost_within(
                segments, facts, window, episode.start, since, end, WorkaroundAllowance(facts)
            )
    return total


def _cost_within(
    segments: Sequence[Segment],
    facts: ServiceFacts,
    window: CalendarWindow,
    episode_start: float,
    since: float,
    until: float,
    allowance: WorkaroundAllowance,
) -> float:
    """Cost in [since, until) of the episode that starts at ``episode_start`` (for incidents).

    ``allowance`` is the workaround's at ``episode_start``; it is used up as time is counted.
    """
    total = 0.0
    for segment in segments:
        if segment.end <= episode_start or segment.start >= until:
            continue
        if segment.planned or segment.state in (OK, UNKNOWN):
            continue
        pieces = window.clip(max(segment.start, episode_start), min(segment.end, until))
        before = [(a, min(b, since)) for a, b in pieces if a < since]
        after = [(max(a, since), b) for a, b in pieces if b > since]
        counted_cost(facts, segment.state, before, allowance)  # uses up the allowance only
        total += counted_cost(facts, segment.state, after, allowance)[1]
    return total
