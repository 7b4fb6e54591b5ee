"""The parts of an episode's cost, on the model of semantics §9, and against the examples' replays."""

from __future__ import annotations

from pathlib import Path

import pytest

from bizmap.analytics.impact_breakdown import budget_burn, episode_breakdown, root_cause_costs
from bizmap.domain.calendar import BusinessCalendar, CalendarWindow
from bizmap.domain.episodes import Episode
from bizmap.domain.event import Event
from bizmap.domain.states import State
from bizmap.engine.replay import replay
from bizmap.reports.sources import EventSource, run
from helpers import SECTION_9_MODEL, graph_from_yaml, utc

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def section_9_run(*events: tuple[str, str, str]) -> tuple[EventSource, float, float]:
    graph = graph_from_yaml(SECTION_9_MODEL)
    log = [(n, Event(State[state.upper()], utc(at), node=node)) for n, (node, state, at) in enumerate(events)]
    return EventSource(graph, log, "model.yaml"), utc("2026-03-01T00:00:00Z"), utc("2026-04-01T00:00:00Z")


def test_the_section_9_episode_splits_into_revenue_people_workaround_and_full_impact() -> None:
    # app down Fri 2026-03-06 16:00 Paris to Mon 10:00: counted Fri 16-17 and Mon 09-10 = 7,200 s.
    # Workaround 0.5 for the first 1.5 h: 1,500 x 0.5 x 1.5 = 1,125; the last 0.5 h at 1,500 = 750.
    # Revenue is 1,000 of the 1,500 base: 2/3 x 1,875 = 1,250; people 10 x 50 = 500: 625.
    # The whole episode is 66 h (237,600 s) of which 2 h in office hours; nothing planned.
    source, start, end = section_9_run(
        ("app", "down", "2026-03-06T15:00:00Z"), ("app", "ok", "2026-03-09T09:00:00Z")
    )
    window = run(source, start, end)
    [episode] = window.result.services[0].episodes
    facts = window.facts("orders")
    parts = episode_breakdown(facts, window.segments("orders"), window.calendar("office"), episode)
    assert parts.cost == pytest.approx(1875.0) == pytest.approx(episode.cost)
    assert parts.revenue == pytest.approx(1250.0) and parts.productivity == pytest.approx(625.0)
    assert parts.workaround_cost == pytest.approx(1125.0) and parts.full_impact_cost == pytest.approx(750.0)
    assert parts.down_cost == pytest.approx(1875.0) and parts.degraded_cost == 0.0
    assert parts.counted_seconds == 7200 and parts.workaround_seconds == 5400
    assert parts.total_seconds == 237600 and parts.unplanned_seconds == 237600 and parts.planned_seconds == 0
    assert parts.in_calendar_seconds == 7200


def test_degraded_time_is_its_own_part() -> None:
    # a down and c degraded: W_ok = 1 (b) < q = 2, W_up = 2 (b, c) >= 2, so app is degraded.
    # Monday 2026-03-09 10:00-11:00 Paris (09:00-10:00Z), degraded at 0.5 x 1,500 = 750/h, inside
    # the workaround (x 0.5): 375 for the hour, all of it degraded and all under the workaround.
    source, start, end = section_9_run(
        ("a", "down", "2026-03-09T09:00:00Z"),
        ("c", "degraded", "2026-03-09T09:00:00Z"),
        ("a", "ok", "2026-03-09T10:00:00Z"),
    )
    window = run(source, start, end)
    [episode] = window.result.services[0].episodes
    parts = episode_breakdown(
        window.facts("orders"), window.segments("orders"), window.calendar("office"), episode
    )
    assert episode.cost == pytest.approx(375.0)
    assert parts.degraded_cost == pytest.approx(375.0) and parts.down_cost == 0.0
    assert parts.workaround_cost == pytest.approx(375.0) and parts.full_impact_cost == 0.0


@pytest.mark.parametrize("example", ["hospital", "retailer"])
def test_the_parts_of_every_example_episode_sum_to_the_replays_cost(example: str) -> None:
    from bizmap.reports.sources import replay_source

    source = replay_source(EXAMPLES / example, EXAMPLES / example / "events.jsonl")
    window = run(source, utc("2026-10-01T00:00:00Z"), utc("2026-11-01T00:00:00Z"))
    official = replay(source.graph, source.events, window.start, window.end)  # what --json prints
    checked = 0
    for service in official.services:
        facts = window.facts(service.id)
        for episode in service.episodes:
            parts = episode_breakdown(
                facts, window.segments(service.id), window.calendar(facts.calendar), episode
            )
            assert parts.cost == pytest.approx(episode.cost, abs=1e-6)
            assert parts.revenue + parts.productivity == pytest.approx(episode.cost, abs=1e-6)
            assert parts.down_cost + parts.degraded_cost == pytest.approx(episode.cost, abs=1e-6)
            assert parts.workaround_cost + parts.full_impact_cost == pytest.approx(episode.cost, abs=1e-6)
            assert parts.counted_seconds == pytest.approx(episode.counted_seconds)
            assert parts.planned_seconds + parts.unplanned_seconds == pytest.approx(parts.total_seconds)
            checked += 1
        for period in service.sla or []:
            calendar = CalendarWindow(
                BusinessCalendar(source.graph.calendars.get(facts.sla_calendar), facts.sla_calendar),
                window.start,
                window.end,
            )
            burn = budget_burn(
                facts, window.segments(service.id), calendar, period.period_start, period.period_end
            )
            assert burn[-1][1] == pytest.approx(period.down_seconds)
    assert checked > 10


def test_root_cause_costs_share_an_episode_equally_and_sum_to_the_total() -> None:
    # 900 between x and y (450 each), 100 on x alone: x 550, y 450; a cause-less episode is left out.
    one = Episode(0, 1, 3, False, 1, 900.0, frozenset())
    two = Episode(2, 3, 3, False, 1, 100.0, frozenset())
    ranked = root_cause_costs([(one, ["x", "y"]), (two, ["x"])])
    assert ranked == [("x", 550.0, 2), ("y", 450.0, 1)]
    assert sum(cost for _, cost, _ in ranked) == 1000.0
