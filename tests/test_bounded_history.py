"""The engine forgets what no reader needs (issue 13, bounded memory): history older than
``HISTORY_DAYS`` before the clock, beyond the previous SLA period and the episodes still open,
and incidents closed before that. What any reader asks about the time kept is unchanged."""

from __future__ import annotations

import pytest

from bizmap.domain.event import Event
from bizmap.domain.propagate import OK
from bizmap.domain.states import State
from bizmap.engine.checkpoint import capture
from bizmap.engine.live_engine import HISTORY_DAYS, LiveEngine
from helpers import graph_from_yaml, utc

DAY = 86400.0
MODEL = """\
services:
  - id: shop
    impact: {revenue_per_hour: 600, users: 20}
    workaround: {impact_factor: 0.5, max_hours: 1}
    sla: {target: 99.5, period: quarter}
    depends_on: [web]
  - id: payroll
    impact: {revenue_per_hour: 100}
    depends_on: [batch]
components:
  - {id: web}
  - {id: batch}
"""
GRAPH = graph_from_yaml(MODEL)
T0 = utc("2026-01-05T00:00:00Z")


def feed(engine: LiveEngine, node: str, state: State, at: float) -> None:
    event = Event(state=state, time=at, node=node)
    engine.apply_routed([(event, at, engine.router.nodes_for(event.node, event.labels))])
    engine.after_apply()


def engine_with_a_year_of_outages() -> LiveEngine:
    """web fails for an hour every 3 days for 330 days; batch goes down on day 150 and stays."""
    engine = LiveEngine(GRAPH, T0)
    for day in range(0, 330, 3):
        if day == 150:
            feed(engine, "batch", State.DOWN, T0 + day * DAY + 600)
        feed(engine, "web", State.DOWN, T0 + day * DAY + 3600)
        feed(engine, "web", State.OK, T0 + day * DAY + 7200)
    engine.advance(T0 + 331 * DAY)
    return engine


def test_what_is_read_of_the_time_kept_is_unchanged_and_the_rest_goes() -> None:
    engine = engine_with_a_year_of_outages()
    now = engine.now  # 2026-12-02
    shop, payroll = GRAPH.index["shop"], GRAPH.index["payroll"]
    keep_since = now - HISTORY_DAYS * DAY
    before_now = engine.services_now(now)
    before_segments = engine.timeline.segments(shop, now, since=keep_since)
    open_incident = next(i for i in engine.incidents.open_incidents())
    before_cost = engine.incident_cost(open_incident, now)
    before_points, before_incidents = len(engine.timeline.history[shop]), len(engine.incidents.all())
    before_bytes = len(capture(engine))
    kept = next(
        i.id for i in engine.incidents.all() if i.closed_at is not None and i.closed_at < T0 + 30 * DAY
    )

    dropped, forgotten = engine.forget_old_history(keep_incidents={kept})

    assert engine.services_now(now) == before_now
    assert engine.timeline.segments(shop, now, since=keep_since) == before_segments
    assert engine.incident_cost(open_incident, now) == pytest.approx(before_cost, abs=1e-9)
    # shop: 2 points an outage; the quarter began 2026-10-01, the previous 2026-07-01, 100 days
    # ago is 2026-08-24: the previous quarter's start is the older; the point kept first is the
    # ok point at or before it
    first = engine.timeline.history[shop][0]
    assert first.state == OK and first.time <= utc("2026-07-01T00:00:00Z")
    assert first.time > utc("2026-07-01T00:00:00Z") - 3 * DAY
    assert len(engine.timeline.history[shop]) < before_points / 2
    # payroll: down since day 150 with an incident still open: its history from then is kept
    assert engine.timeline.history[payroll][-1].time == T0 + 150 * DAY + 600
    assert engine.timeline.history[payroll][-1].state == State.DOWN
    # incidents closed before 100 days ago are gone, but the one kept on request
    assert forgotten == before_incidents - len(engine.incidents.all()) > 50
    assert engine.incidents.get(kept) is not None
    assert all(
        i.closed_at is None or i.closed_at >= keep_since or i.id == kept for i in engine.incidents.all()
    )
    assert dropped == before_points - len(engine.timeline.history[shop])
    assert len(capture(engine)) < before_bytes / 2

    # the incidents keep following: a new outage opens a new incident, nothing is taken twice
    feed(engine, "web", State.DOWN, now + 60)
    newest = max(engine.incidents.all(), key=lambda i: i.opened_at)
    assert newest.opened_at == now + 60 and newest.services == ["shop"]


def test_nothing_is_forgotten_within_the_first_hundred_days() -> None:
    engine = LiveEngine(GRAPH, T0)
    feed(engine, "web", State.DOWN, T0 + DAY)
    feed(engine, "web", State.OK, T0 + DAY + 60)
    engine.advance(T0 + (HISTORY_DAYS - 1) * DAY)
    assert engine.forget_old_history() == (0, 0)
