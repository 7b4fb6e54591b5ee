"""Replaying event logs (semantics §3-§6, §9): episodes, cost, SLA, and the `--json` document.

Every scenario runs twice, through ``replay()`` + ``to_json()`` and through
``bizmap replay --json``; both must give the document worked out by hand in the comments.
Most models use a base rate of 3,600/h, i.e. 1 per second, so that a cost reads as seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from bizmap.domain.calendar import format_time
from bizmap.engine.replay import read_event_log, replay, to_json
from bizmap.errors import EventLineError
from bizmap.model.loading import load_graph
from helpers import SECTION_9_MODEL, nonempty_lines, run_cli, utc, write_events, write_text

Replay = Callable[..., dict[str, Any]]

DAY = "2026-03-02"  # a Monday


def t(clock: str, day: str = DAY) -> str:
    """``"10:30"`` -> ``"2026-03-02T10:30:00Z"``."""
    return f"{day}T{clock}:00Z"


def ev(node: str, state: str | int, time: str, **extra: Any) -> dict[str, Any]:
    return {"node": node, "state": state, "time": time, **extra}


def episode(
    start: str,
    end: str | None,
    worst: str,
    counted: int,
    cost: float,
    roots: Sequence[str],
    planned: bool = False,
) -> dict[str, Any]:
    """One episode of the `--json` document, keys in the order of semantics §5."""
    return {
        "start": start,
        "end": end,
        "worst_state": worst,
        "planned": planned,
        "counted_seconds": counted,
        "cost": cost,
        "root_causes": list(roots),
    }


def period(
    start: str, end: str, measured: int, down: int, sli: float, target: float, budget: int, remaining: int
) -> dict[str, Any]:
    """One SLA period of the `--json` document, keys in the order of semantics §5."""
    return {
        "period_start": start,
        "period_end": end,
        "measured_seconds": measured,
        "down_seconds": down,
        "sli": sli,
        "target": target,
        "met": sli >= target,
        "budget_seconds": budget,
        "budget_remaining_seconds": remaining,
    }


@pytest.fixture(params=["library", "cli"])
def run_replay(request: pytest.FixtureRequest, tmp_path: Path) -> Replay:
    """``run_replay(model, events, start, end)`` -> the `--json` document, one way or the other."""

    def run(model: str, events: Sequence[dict[str, Any] | str], start: str, end: str) -> dict[str, Any]:
        model_path = write_text(tmp_path / "model.yaml", model)
        events_path = write_events(tmp_path / "events.jsonl", events)
        if request.param == "library":
            graph = load_graph(model_path)
            result = replay(graph, read_event_log(events_path).events, utc(start), utc(end))
            document = to_json(graph, result)
            assert json.loads(json.dumps(document)) == document  # plain JSON types only
            return document
        result = run_cli("replay", model_path, events_path, "--from", start, "--to", end, "--json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    return run


# A 24x7 shop at 1 per second, depending on db and net; `idle` is hit by nothing.
SHOP = """\
services:
  - id: shop
    impact: {revenue_per_hour: 3600}
    depends_on: [db, net]
  - id: idle
    impact: {revenue_per_hour: 1000000}
components:
  - id: db
  - id: net
"""


def shop_with(**sections: str) -> str:
    """SHOP with extra keys for `shop` (e.g. workaround="{impact_factor: 0.5}")."""
    extra = "".join(f"    {key}: {value}\n" for key, value in sections.items())
    return SHOP.replace("    depends_on: [db, net]\n", f"    depends_on: [db, net]\n{extra}")


# ---------------------------------------------------------------------------------------------
# §9


SECTION_9_SLA = period(
    "2026-03-01T00:00:00Z",
    "2026-04-01T00:00:00Z",
    # 31 days x 86,400 s
    2678400,
    # 2026-03-06T15:00Z to 2026-03-09T09:00Z: 2 days 18 h = 66 h = 237,600 s
    237600,
    # 100 x (2,678,400 - 237,600) / 2,678,400 = 91.12903... -> 91.129 (4 decimals: 91.1290)
    91.129,
    99.9,
    # (1 - 0.999) x 2,678,400 = 2,678.4 -> 2678
    2678,
    # 2,678.4 - 237,600 = -234,921.6 -> floor -234,922
    -234922,
)


def test_section_9_worked_example(run_replay: Replay) -> None:
    document = run_replay(
        SECTION_9_MODEL,
        [ev("app", "down", "2026-03-06T15:00:00Z"), ev("app", "ok", "2026-03-09T09:00:00Z")],
        "2026-03-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
    )
    # counted: Friday 16-17 and Monday 09-10 Paris = 7,200 s; the first 1.5 h at 0.5 x 1,500
    # = 750/h: 1,125; the last 0.5 h at 1,500/h: 750; episode cost 1,875
    assert document == {
        "from": "2026-03-01T00:00:00Z",
        "to": "2026-04-01T00:00:00Z",
        "currency": "EUR",
        "total_cost": 1875.0,
        "services": {
            "orders": {
                "cost": 1875.0,
                "episodes": [
                    episode("2026-03-06T15:00:00Z", "2026-03-09T09:00:00Z", "down", 7200, 1875.0, ["app"])
                ],
                "sla": [SECTION_9_SLA],
            }
        },
    }
    # key order as in semantics §5
    assert list(document) == ["from", "to", "currency", "total_cost", "services"]
    orders = document["services"]["orders"]
    assert list(orders) == ["cost", "episodes", "sla"]
    assert list(orders["episodes"][0]) == list(episode("", None, "", 0, 0, []))
    assert list(orders["sla"][0]) == list(SECTION_9_SLA)


def test_section_9_through_the_quorum_children(run_replay: Replay) -> None:
    # a (weight 2) and c down: W_ok = 1 (b) < q = 2 and W_up = 1 < 2, so app and orders are down;
    # the root causes are a and c (app's own state is ok); same times, so the same 1,875
    document = run_replay(
        SECTION_9_MODEL,
        [
            ev("a", "down", "2026-03-06T15:00:00Z"),
            ev("c", "down", "2026-03-06T15:00:00Z"),
            ev("c", "ok", "2026-03-09T09:00:00Z"),
            ev("a", "ok", "2026-03-09T09:00:00Z"),
        ],
        "2026-03-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
    )
    assert document["services"]["orders"]["episodes"] == [
        episode("2026-03-06T15:00:00Z", "2026-03-09T09:00:00Z", "down", 7200, 1875.0, ["a", "c"])
    ]
    assert document["services"]["orders"]["sla"] == [SECTION_9_SLA]


def test_section_9_quorum_holds_with_only_a_down(run_replay: Replay) -> None:
    # a down alone: W_ok = 1 + 1 = 2 >= q = 2, so app stays ok: nothing to pay, SLA untouched
    document = run_replay(
        SECTION_9_MODEL,
        [ev("a", "down", "2026-03-06T15:00:00Z")],
        "2026-03-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
    )
    # budget (1 - 0.999) x 2,678,400 = 2,678.4 -> 2678, nothing spent
    assert document["services"]["orders"] == {
        "cost": 0.0,
        "episodes": [],
        "sla": [period("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", 2678400, 0, 100.0, 99.9, 2678, 2678)],
    }


# ---------------------------------------------------------------------------------------------
# workarounds and states


@pytest.mark.parametrize(
    ("workaround", "cost"),
    [
        # no max_hours: unlimited; 7,200 s x 1/s x 0.25 = 1,800
        ("{impact_factor: 0.25}", 1800.0),
        # max_hours 0: covers nothing; 7,200 x 1 = 7,200
        ("{impact_factor: 0.25, max_hours: 0}", 7200.0),
        # 1.5 h covered: 5,400 x 0.25 + 1,800 x 1 = 1,350 + 1,800 = 3,150
        ("{impact_factor: 0.25, max_hours: 1.5}", 3150.0),
        # impact_factor 0: the workaround hides all cost while it lasts; 5,400 x 0 + 1,800 = 1,800
        ("{impact_factor: 0, max_hours: 1.5}", 1800.0),
    ],
    ids=["unlimited", "max-hours-0", "max-hours-1.5", "factor-0"],
)
def test_workaround_covers_the_first_max_hours(run_replay: Replay, workaround: str, cost: float) -> None:
    document = run_replay(
        shop_with(workaround=workaround),
        [ev("db", "down", t("10:00")), ev("db", "ok", t("12:00"))],
        t("08:00"),
        t("16:00"),
    )
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), t("12:00"), "down", 7200, cost, ["db"])
    ]
    assert document["total_cost"] == cost


def test_each_episode_gets_a_fresh_workaround_allowance(run_replay: Replay) -> None:
    document = run_replay(
        shop_with(workaround="{impact_factor: 0.5, max_hours: 1.5}"),
        [
            ev("db", "down", t("09:00")),
            ev("db", "ok", t("10:00")),
            ev("db", "down", t("11:00")),
            ev("db", "ok", t("13:00")),
        ],
        t("08:00"),
        t("16:00"),
    )
    assert document["services"]["shop"]["episodes"] == [
        # 3,600 s all covered: 3,600 x 0.5 = 1,800
        episode(t("09:00"), t("10:00"), "down", 3600, 1800.0, ["db"]),
        # 5,400 s covered: 2,700; then 1,800 s at full rate: 1,800; 4,500
        episode(t("11:00"), t("13:00"), "down", 7200, 4500.0, ["db"]),
    ]
    assert document["services"]["shop"]["cost"] == 6300.0  # 1,800 + 4,500
    assert document["total_cost"] == 6300.0


@pytest.mark.parametrize(
    ("impact", "cost"),
    [
        # 5,400 s x 1/s x 0.4 = 2,160
        ("{revenue_per_hour: 3600, degraded_factor: 0.4}", 2160.0),
        # default degraded_factor 0.5: 5,400 x 0.5 = 2,700
        ("{revenue_per_hour: 3600}", 2700.0),
        # people only: 6 users x 600/user-hour = 3,600/h; 2,700 as above
        ("{users: 6, cost_per_user_hour: 600}", 2700.0),
        # revenue 1,800 + 3 x 600 = 3,600/h, factor 0: degraded costs nothing
        ("{revenue_per_hour: 1800, users: 3, cost_per_user_hour: 600, degraded_factor: 0}", 0.0),
    ],
)
def test_degraded_costs_the_degraded_factor(run_replay: Replay, impact: str, cost: float) -> None:
    model = SHOP.replace("impact: {revenue_per_hour: 3600}", f"impact: {impact}")
    document = run_replay(
        model, [ev("db", "degraded", t("10:00")), ev("db", "ok", t("11:30"))], t("08:00"), t("16:00")
    )
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), t("11:30"), "degraded", 5400, cost, ["db"])
    ]


def test_degraded_and_workaround_factors_multiply(run_replay: Replay) -> None:
    model = SHOP.replace(
        "impact: {revenue_per_hour: 3600}",
        "impact: {revenue_per_hour: 3600, degraded_factor: 0.4}\n"
        "    workaround: {impact_factor: 0.5, max_hours: 1}",
    )
    document = run_replay(
        model, [ev("db", "degraded", t("10:00")), ev("db", "ok", t("12:00"))], t("08:00"), t("16:00")
    )
    # first hour 3,600 x 0.4 x 0.5 = 720; second hour 3,600 x 0.4 = 1,440; 2,160
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), t("12:00"), "degraded", 7200, 2160.0, ["db"])
    ]


@pytest.mark.parametrize(
    ("down", "ok", "worst", "cost"),
    [
        ("critical", "up", "down", 3600.0),
        ("CRIT", 0, "down", 3600.0),
        ("error", "OK", "down", 3600.0),
        (2, "ok", "down", 3600.0),
        ("Warning", "ok", "degraded", 1800.0),  # 3,600 x default degraded_factor 0.5
        ("warn", "ok", "degraded", 1800.0),
        (1, 0, "degraded", 1800.0),
        (3, 0, "unknown", 0.0),  # unknown counts no time and no money
    ],
)
def test_state_spellings_and_nagios_codes(
    run_replay: Replay, down: str | int, ok: str | int, worst: str, cost: float
) -> None:
    document = run_replay(
        SHOP, [ev("db", down, t("10:00")), ev("db", ok, t("11:00"))], t("08:00"), t("16:00")
    )
    counted = 0 if worst == "unknown" else 3600
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), t("11:00"), worst, counted, cost, ["db"])
    ]


def test_worst_state_ranks_unknown_above_degraded(run_replay: Replay) -> None:
    document = run_replay(
        SHOP,
        [ev("db", "degraded", t("10:00")), ev("db", "unknown", t("11:00")), ev("db", "ok", t("12:00"))],
        t("08:00"),
        t("16:00"),
    )
    # counted: only the degraded hour, 3,600 s x 0.5 = 1,800; the unknown hour counts nothing
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), t("12:00"), "unknown", 3600, 1800.0, ["db"])
    ]


# ---------------------------------------------------------------------------------------------
# unknown and SLA


def test_unknown_counts_no_time_no_money_and_is_not_measured(run_replay: Replay) -> None:
    document = run_replay(
        shop_with(sla="{target: 99, period: day}"),
        [ev("db", "unknown", t("10:00")), ev("db", "down", t("11:00")), ev("db", "ok", t("12:00"))],
        t("00:00"),
        t("00:00", "2026-03-03"),
    )
    shop = document["services"]["shop"]
    # one episode (non-ok throughout); counted and paid: the down hour only, 3,600
    assert shop["episodes"] == [episode(t("10:00"), t("12:00"), "down", 3600, 3600.0, ["db"])]
    # measured 86,400 - 3,600 unknown = 82,800; down 3,600;
    # sli = 100 x 79,200 / 82,800 = 95.652173... -> 95.6522; budget 0.01 x 82,800 = 828;
    # remaining 828 - 3,600 = -2,772
    assert shop["sla"] == [period(t("00:00"), t("00:00", "2026-03-03"), 82800, 3600, 95.6522, 99, 828, -2772)]


def test_an_unknown_only_episode_costs_nothing(run_replay: Replay) -> None:
    document = run_replay(
        shop_with(sla="{target: 99, period: day}"),
        [ev("db", "unknown", t("10:00")), ev("db", "ok", t("11:00"))],
        t("00:00"),
        t("00:00", "2026-03-03"),
    )
    shop = document["services"]["shop"]
    assert shop["episodes"] == [episode(t("10:00"), t("11:00"), "unknown", 0, 0.0, ["db"])]
    assert shop["cost"] == 0.0
    # measured 82,800; nothing down; budget 828 untouched
    assert shop["sla"] == [period(t("00:00"), t("00:00", "2026-03-03"), 82800, 0, 100.0, 99, 828, 828)]


@pytest.mark.parametrize(
    ("counts_as", "down", "sli", "remaining"),
    [
        # degraded counts as up: nothing down; budget 0.01 x 86,400 = 864 untouched
        ("up", 0, 100.0, 864),
        # degraded counts as down: 3,600 down; sli = 100 x 82,800 / 86,400 = 95.8333...;
        # remaining 864 - 3,600 = -2,736
        ("down", 3600, 95.8333, -2736),
    ],
)
def test_degraded_counts_as(
    run_replay: Replay, counts_as: str, down: int, sli: float, remaining: int
) -> None:
    document = run_replay(
        shop_with(sla=f"{{target: 99, period: day, degraded_counts_as: {counts_as}}}"),
        [ev("db", "degraded", t("10:00")), ev("db", "ok", t("11:00"))],
        t("00:00"),
        t("00:00", "2026-03-03"),
    )
    assert document["services"]["shop"]["sla"] == [
        period(t("00:00"), t("00:00", "2026-03-03"), 86400, down, sli, 99, 864, remaining)
    ]


# The window runs from Saturday 2026-03-07 12:00Z to Tuesday 2026-03-10 12:00Z; db is down
# from Sunday 23:00Z to Monday 01:00Z, an hour on each side of midnight. 24x7, target 99.
SLA_PERIODS = {
    "day": [
        # 12 h = 43,200 s; budget 432
        period("2026-03-07T12:00:00Z", "2026-03-08T00:00:00Z", 43200, 0, 100.0, 99, 432, 432),
        # sli = 100 x 82,800 / 86,400 = 95.8333; budget 864; 864 - 3,600 = -2,736
        period("2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z", 86400, 3600, 95.8333, 99, 864, -2736),
        period("2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z", 86400, 3600, 95.8333, 99, 864, -2736),
        period("2026-03-10T00:00:00Z", "2026-03-10T12:00:00Z", 43200, 0, 100.0, 99, 432, 432),
    ],
    "week": [
        # ISO weeks from Monday 2026-03-09: 36 h = 129,600 s either side;
        # sli = 100 x 126,000 / 129,600 = 97.2222; budget 1,296; 1,296 - 3,600 = -2,304
        period("2026-03-07T12:00:00Z", "2026-03-09T00:00:00Z", 129600, 3600, 97.2222, 99, 1296, -2304),
        period("2026-03-09T00:00:00Z", "2026-03-10T12:00:00Z", 129600, 3600, 97.2222, 99, 1296, -2304),
    ],
    "month": [
        # 72 h = 259,200 s; down 7,200; sli = 100 x 252,000 / 259,200 = 97.2222;
        # budget 2,592; 2,592 - 7,200 = -4,608
        period("2026-03-07T12:00:00Z", "2026-03-10T12:00:00Z", 259200, 7200, 97.2222, 99, 2592, -4608),
    ],
}


@pytest.mark.parametrize(("sla_period", "expected"), SLA_PERIODS.items(), ids=SLA_PERIODS.keys())
def test_sla_periods_across_the_window(run_replay: Replay, sla_period: str, expected: list[Any]) -> None:
    document = run_replay(
        shop_with(sla=f"{{target: 99, period: {sla_period}}}"),
        [ev("db", "down", "2026-03-08T23:00:00Z"), ev("db", "ok", "2026-03-09T01:00:00Z")],
        "2026-03-07T12:00:00Z",
        "2026-03-10T12:00:00Z",
    )
    assert document["services"]["shop"]["sla"] == expected


def test_sla_quarters_split_at_the_quarter(run_replay: Replay) -> None:
    document = run_replay(
        shop_with(sla="{target: 99.5, period: quarter}"),
        [],
        "2026-03-31T00:00:00Z",
        "2026-04-02T00:00:00Z",
    )
    # one day in Q1, one in Q2; budget 0.005 x 86,400 = 432 each
    assert document["services"]["shop"]["sla"] == [
        period("2026-03-31T00:00:00Z", "2026-04-01T00:00:00Z", 86400, 0, 100.0, 99.5, 432, 432),
        period("2026-04-01T00:00:00Z", "2026-04-02T00:00:00Z", 86400, 0, 100.0, 99.5, 432, 432),
    ]


def test_sla_days_are_aligned_to_the_sla_calendars_midnight(run_replay: Replay) -> None:
    model = "calendars:\n  paris: {timezone: Europe/Paris}\n" + shop_with(
        sla="{target: 99, period: day, calendar: paris}"
    )
    document = run_replay(model, [], "2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z")
    # midnight in Paris (UTC+1 in early March) is 23:00Z: 23 h = 82,800 s (budget 828),
    # then 1 h = 3,600 s (budget 36)
    assert document["services"]["shop"]["sla"] == [
        period("2026-03-09T00:00:00Z", "2026-03-09T23:00:00Z", 82800, 0, 100.0, 99, 828, 828),
        period("2026-03-09T23:00:00Z", "2026-03-10T00:00:00Z", 3600, 0, 100.0, 99, 36, 36),
    ]


def test_sla_on_business_hours_measures_only_those_hours(run_replay: Replay) -> None:
    model = (
        'calendars:\n  office:\n    timezone: Europe/Paris\n    hours: {mon-fri: "09:00-17:00"}\n'
        + shop_with(sla="{target: 99, period: week, calendar: office}")
    )
    document = run_replay(
        model,
        # Tuesday 08:00Z-10:00Z = 09:00-11:00 in Paris: 2 h inside the hours
        [ev("db", "down", "2026-03-10T08:00:00Z"), ev("db", "ok", "2026-03-10T10:00:00Z")],
        "2026-03-09T00:00:00Z",
        "2026-03-16T00:00:00Z",
    )
    # Paris weeks start Monday 00:00 Paris = Sunday 23:00Z. First: 5 x 8 h = 40 h = 144,000 s;
    # down 7,200; sli = 100 x 136,800 / 144,000 = 95.0; budget 1,440; 1,440 - 7,200 = -5,760.
    # Second: Monday 00:00-01:00 Paris, outside the hours: nothing measured, sli 100
    assert document["services"]["shop"]["sla"] == [
        period("2026-03-09T00:00:00Z", "2026-03-15T23:00:00Z", 144000, 7200, 95.0, 99, 1440, -5760),
        period("2026-03-15T23:00:00Z", "2026-03-16T00:00:00Z", 0, 0, 100.0, 99, 0, 0),
    ]
    # the service itself is 24x7: 2 h at 1/s
    assert document["services"]["shop"]["cost"] == 7200.0


# ---------------------------------------------------------------------------------------------
# maintenance


def maintained(start: str, end: str, nodes: str = "[db]") -> str:
    return shop_with(sla="{target: 99, period: day}") + (
        f"maintenance:\n  - id: mw-1\n    nodes: {nodes}\n    start: {start}\n    end: {end}\n"
    )


def test_episode_inside_a_maintenance_window_is_planned_and_free(run_replay: Replay) -> None:
    document = run_replay(
        maintained(t("10:00"), t("12:00")),
        [ev("db", "down", t("10:30")), ev("db", "ok", t("11:30"))],
        t("00:00"),
        t("00:00", "2026-03-03"),
    )
    shop = document["services"]["shop"]
    assert shop["episodes"] == [episode(t("10:30"), t("11:30"), "down", 0, 0.0, ["db"], planned=True)]
    # the planned hour is not measured: 86,400 - 3,600 = 82,800; budget 828
    assert shop["sla"] == [period(t("00:00"), t("00:00", "2026-03-03"), 82800, 0, 100.0, 99, 828, 828)]
    assert document["total_cost"] == 0.0


def test_episode_outliving_its_maintenance_window_is_unplanned_after_it(run_replay: Replay) -> None:
    document = run_replay(
        maintained(t("10:00"), t("11:00")),
        [ev("db", "down", t("10:30")), ev("db", "ok", t("12:00"))],
        t("00:00"),
        t("00:00", "2026-03-03"),
    )
    shop = document["services"]["shop"]
    # 10:30-11:00 planned, 11:00-12:00 unplanned: counted and paid 3,600
    assert shop["episodes"] == [episode(t("10:30"), t("12:00"), "down", 3600, 3600.0, ["db"])]
    # measured 86,400 - 1,800 planned = 84,600; down 3,600;
    # sli = 100 x 81,000 / 84,600 = 95.744680... -> 95.7447; budget 846; 846 - 3,600 = -2,754
    assert shop["sla"] == [period(t("00:00"), t("00:00", "2026-03-03"), 84600, 3600, 95.7447, 99, 846, -2754)]


def test_planned_only_while_every_root_cause_is_in_maintenance(run_replay: Replay) -> None:
    document = run_replay(
        maintained(t("10:00"), t("12:00")),
        [ev("db", "down", t("10:00")), ev("net", "down", t("10:30")), ev("net", "ok", t("11:00"))],
        t("08:00"),
        t("16:00"),
    )
    # 10:00-10:30: db only, planned; 10:30-11:00: net too, not in maintenance: unplanned, 1,800;
    # 11:00-12:00: db only again, planned; 12:00-16:00: the window is over, db still down: 14,400
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), None, "down", 16200, 16200.0, ["db", "net"])
    ]


def test_maintenance_of_the_service_itself_plans_everything_below_it(run_replay: Replay) -> None:
    document = run_replay(
        maintained(t("10:00"), t("12:00"), nodes="[shop]"),
        [
            ev("db", "down", t("10:30")),
            ev("net", "down", t("10:30")),
            ev("db", "ok", t("11:00")),
            ev("net", "ok", t("11:00")),
        ],
        t("08:00"),
        t("16:00"),
    )
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:30"), t("11:00"), "down", 0, 0.0, ["db", "net"], planned=True)
    ]


def test_maintenance_window_open_at_the_start_and_a_services_own_signal(run_replay: Replay) -> None:
    model = """\
services:
  - id: shop
    impact: {revenue_per_hour: 3600}
    sla: {target: 99, period: day}
    depends_on: [db]
    match: [{check: shop}]
components:
  - id: db
maintenance:
  - id: mw
    nodes: [db]
    start: 2026-03-02T06:00:00Z
    end: 2026-03-02T09:00:00Z
"""
    document = run_replay(
        model,
        [
            ev("db", "down", t("07:00")),
            ev("db", "ok", t("10:00")),
            {"labels": {"check": "shop"}, "state": "down", "time": t("11:00")},  # the service's own check
            ev("db", "down", t("11:30")),
            {"labels": {"check": "shop"}, "state": "ok", "time": t("12:00")},
            ev("db", "ok", t("12:30")),
        ],
        t("08:00"),
        t("14:00"),
    )
    shop = document["services"]["shop"]
    assert shop["episodes"] == [
        # 08:00-09:00 in maintenance (planned), 09:00-10:00 not: 3,600
        episode(t("08:00"), t("10:00"), "down", 3600, 3600.0, ["db"]),
        # shop is its own root cause while its own signal is down: 11:00-12:30, 5,400
        episode(t("11:00"), t("12:30"), "down", 5400, 5400.0, ["db", "shop"]),
    ]
    # 6 h = 21,600 s less the planned hour = 18,000 measured; down 3,600 + 5,400 = 9,000;
    # sli = 100 x 9,000 / 18,000 = 50.0; budget 0.01 x 18,000 = 180; 180 - 9,000 = -8,820
    assert shop["sla"] == [period(t("08:00"), t("14:00"), 18000, 9000, 50.0, 99, 180, -8820)]


# ---------------------------------------------------------------------------------------------
# root causes, window edges


def test_root_causes_are_the_union_over_the_episode(run_replay: Replay) -> None:
    document = run_replay(
        SHOP,
        [
            ev("db", "down", t("10:00")),
            ev("net", "down", t("10:30")),
            ev("db", "ok", t("11:00")),
            ev("net", "ok", t("12:00")),
        ],
        t("08:00"),
        t("16:00"),
    )
    # non-ok from 10:00 to 12:00 without a break: one episode, 7,200 s at 1/s
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), t("12:00"), "down", 7200, 7200.0, ["db", "net"])
    ]


def test_episode_open_at_the_end_of_the_window_has_no_end(run_replay: Replay) -> None:
    document = run_replay(SHOP, [ev("db", "down", t("10:00"))], t("08:00"), t("12:00"))
    # cut at 12:00: 7,200 s
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), None, "down", 7200, 7200.0, ["db"])
    ]


def test_episode_open_at_the_start_begins_there_with_a_fresh_allowance(run_replay: Replay) -> None:
    document = run_replay(
        shop_with(workaround="{impact_factor: 0.5, max_hours: 1}"),
        [ev("db", "down", t("07:00")), ev("db", "ok", t("10:00"))],
        t("08:00"),
        t("12:00"),
    )
    # begins at 08:00, not 07:00; the allowance starts there: 08-09 at 0.5 = 1,800, 09-10 at 1 = 3,600
    assert document["services"]["shop"]["episodes"] == [
        episode(t("08:00"), t("10:00"), "down", 7200, 5400.0, ["db"])
    ]


def test_events_before_the_window_set_the_state_at_its_start(run_replay: Replay) -> None:
    document = run_replay(
        SHOP,
        [
            ev("db", "down", t("05:00")),
            ev("db", "ok", t("06:00")),  # cleared before the window: no episode from db
            ev("net", "degraded", t("07:00")),  # still degraded at 08:00
            ev("net", "ok", t("09:00")),
        ],
        t("08:00"),
        t("12:00"),
    )
    # 08:00-09:00 degraded: 3,600 x 0.5 = 1,800
    assert document["services"]["shop"]["episodes"] == [
        episode(t("08:00"), t("09:00"), "degraded", 3600, 1800.0, ["net"])
    ]


def test_events_at_or_after_the_end_are_ignored(run_replay: Replay) -> None:
    document = run_replay(
        SHOP,
        [
            ev("db", "down", t("10:00")),
            ev("db", "ok", t("12:00")),  # exactly at --to: ignored, so the episode stays open
            ev("net", "down", t("12:00")),  # at --to: no episode
            ev("net", "down", t("13:00")),  # after --to
        ],
        t("08:00"),
        t("12:00"),
    )
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), None, "down", 7200, 7200.0, ["db"])
    ]


def test_from_and_to_are_printed_in_utc(run_replay: Replay) -> None:
    document = run_replay(SHOP, [], "2026-03-02T09:00:00+01:00", "2026-03-02T08:00:00-05:00")
    assert (document["from"], document["to"]) == (t("08:00"), t("13:00"))


# ---------------------------------------------------------------------------------------------
# order, duplicates, signals


@pytest.mark.parametrize(
    ("events", "end"),
    [
        # at 11:00: ok, then down again: db stays down to the end of the window
        ([ev("db", "down", t("10:00")), ev("db", "ok", t("11:00")), ev("db", "down", t("11:00"))], None),
        # at 11:00: down (no change), then ok: the episode ends at 11:00
        (
            [ev("db", "down", t("10:00")), ev("db", "down", t("11:00")), ev("db", "ok", t("11:00"))],
            t("11:00"),
        ),
        # the same, written out of time order: sorted by time, ties kept in input order
        ([ev("db", "ok", t("11:00")), ev("db", "down", t("11:00")), ev("db", "down", t("10:00"))], None),
        (
            [ev("db", "down", t("11:00")), ev("db", "ok", t("11:00")), ev("db", "down", t("10:00"))],
            t("11:00"),
        ),
    ],
    ids=["ok-then-down", "down-then-ok", "ok-then-down-unsorted", "down-then-ok-unsorted"],
)
def test_ties_at_the_same_time_apply_in_input_order(
    run_replay: Replay, events: list[dict[str, Any]], end: str | None
) -> None:
    document = run_replay(SHOP, events, t("08:00"), t("12:00"))
    seconds = 3600 if end else 7200
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), end, "down", seconds, float(seconds), ["db"])
    ]


def test_a_zero_length_blip_makes_no_episode(run_replay: Replay) -> None:
    document = run_replay(
        SHOP, [ev("db", "down", t("10:00")), ev("db", "ok", t("10:00"))], t("08:00"), t("12:00")
    )
    assert document["services"]["shop"] == {"cost": 0.0, "episodes": []}


def test_duplicate_ids_are_ignored_in_file_order(run_replay: Replay) -> None:
    document = run_replay(
        SHOP,
        [
            ev("db", "down", t("10:00"), id="e1"),
            ev("db", "ok", t("11:00"), id="e2"),
            # a retry of e2 (however it differs): ignored, although it is earlier in time
            ev("db", "ok", t("10:30"), id="e2"),
            # a retry of e1 after e2: ignored, so db does not go down again
            ev("db", "down", t("11:30"), id="e1"),
            # no id: never a duplicate
            ev("net", "down", t("13:00")),
            ev("net", "down", t("13:00")),
            ev("net", "ok", t("13:30")),
        ],
        t("08:00"),
        t("16:00"),
    )
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), t("11:00"), "down", 3600, 3600.0, ["db"]),
        episode(t("13:00"), t("13:30"), "down", 1800, 1800.0, ["net"]),
    ]


def test_a_node_is_down_until_every_key_clears(run_replay: Replay) -> None:
    document = run_replay(
        SHOP,
        [
            ev("db", "down", t("10:00"), key="disk"),
            ev("db", "down", t("10:30"), key="cpu"),
            ev("db", "ok", t("11:00"), key="disk"),
            ev("db", "ok", t("12:00"), key="cpu"),
        ],
        t("08:00"),
        t("16:00"),
    )
    # down from 10:00 until the last key clears at 12:00: 7,200
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), t("12:00"), "down", 7200, 7200.0, ["db"])
    ]


def test_an_ok_event_clears_only_its_own_key(run_replay: Replay) -> None:
    document = run_replay(
        SHOP,
        [
            ev("db", "degraded", t("10:00"), key="cpu"),
            ev("db", "down", t("10:30"), key="disk"),
            ev("db", "ok", t("11:00"), key="disk"),
            ev("db", "ok", t("11:30")),  # key "default" was never set: changes nothing
            ev("db", "ok", t("12:00"), key="cpu"),
        ],
        t("08:00"),
        t("16:00"),
    )
    # 10:00-10:30 degraded 1,800 x 0.5 = 900; 10:30-11:00 down 1,800;
    # 11:00-12:00 degraded again 3,600 x 0.5 = 1,800; 4,500
    assert document["services"]["shop"]["episodes"] == [
        episode(t("10:00"), t("12:00"), "down", 7200, 4500.0, ["db"])
    ]


# ---------------------------------------------------------------------------------------------
# matching labels


MATCHED = """\
services:
  - id: shop
    impact: {revenue_per_hour: 3600}
    depends_on: [db, net]
components:
  - id: db
    match:
      - {job: postgres, instance: "db-1:5432"}
      - {site: paris}
  - id: net
    match:
      - {service: network, alertname: "~Link(Down|Flap)"}
      - {site: paris, kind: network}
"""


def test_events_are_routed_by_match_selectors(run_replay: Replay) -> None:
    document = run_replay(
        MATCHED,
        [
            # all labels of the first selector equal (an extra label does not matter): db
            {
                "labels": {"job": "postgres", "instance": "db-1:5432", "x": "y"},
                "state": "down",
                "time": t("09:00"),
            },
            {"labels": {"job": "postgres", "instance": "db-1:5432"}, "state": "ok", "time": t("10:00")},
            # the regex fits the whole value: net
            {"labels": {"service": "network", "alertname": "LinkFlap"}, "state": "down", "time": t("11:00")},
            {"labels": {"service": "network", "alertname": "LinkFlap"}, "state": "ok", "time": t("11:30")},
            # fits a selector of db and one of net: both, each its own root cause
            {"labels": {"site": "paris", "kind": "network"}, "state": "down", "time": t("12:00")},
            {"labels": {"site": "paris", "kind": "network"}, "state": "ok", "time": t("12:15")},
            # the regex must fit the whole value, not a part: unmatched
            {
                "labels": {"service": "network", "alertname": "LinkDownNow"},
                "state": "down",
                "time": t("13:00"),
            },
            {"labels": {"service": "network", "alertname": "XLinkDown"}, "state": "down", "time": t("13:00")},
            # one label short of a selector: unmatched
            {"labels": {"job": "postgres"}, "state": "down", "time": t("13:00")},
        ],
        t("08:00"),
        t("16:00"),
    )
    assert document["services"]["shop"]["episodes"] == [
        episode(t("09:00"), t("10:00"), "down", 3600, 3600.0, ["db"]),
        episode(t("11:00"), t("11:30"), "down", 1800, 1800.0, ["net"]),
        episode(t("12:00"), t("12:15"), "down", 900, 900.0, ["db", "net"]),
    ]
    assert document["total_cost"] == 6300.0  # 3,600 + 1,800 + 900


UNMATCHED_EVENTS = [
    ev("db", "down", t("10:00")),
    ev("ghost", "down", t("10:30")),  # line 2: no such node
    {"labels": {"job": "nothing"}, "state": "down", "time": t("10:45")},  # line 3: fits no selector
    ev("db", "ok", t("11:00")),
]


def test_unmatched_events_are_kept_and_reported_by_replay(tmp_path: Path) -> None:
    graph = load_graph(write_text(tmp_path / "model.yaml", MATCHED))
    log = read_event_log(write_events(tmp_path / "events.jsonl", UNMATCHED_EVENTS))
    result = replay(graph, log.events, utc(t("08:00")), utc(t("16:00")))
    assert [(e.node, e.labels) for _, e in result.unmatched] == [("ghost", None), (None, {"job": "nothing"})]
    assert to_json(graph, result)["total_cost"] == 3600.0


def test_unmatched_events_are_reported_on_stderr_by_the_cli(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", MATCHED)
    events = write_events(tmp_path / "events.jsonl", UNMATCHED_EVENTS)
    result = run_cli("replay", model, events, "--from", t("08:00"), "--to", t("16:00"), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total_cost"] == 3600.0
    assert "unmatched" in result.stderr
    assert f"{events}:2" in result.stderr and "ghost" in result.stderr
    assert f"{events}:3" in result.stderr and "nothing" in result.stderr
    assert f"{events}:1" not in result.stderr and f"{events}:4" not in result.stderr


# ---------------------------------------------------------------------------------------------
# malformed lines


BAD_LINES = {
    "not-json": "{not json",
    "array": json.dumps([ev("db", "down", t("10:30"))]),
    "missing-state": json.dumps({"node": "db", "time": t("10:30")}),
    "unknown-state": json.dumps(ev("db", "broken", t("10:30"))),
    "nagios-code-out-of-range": json.dumps(ev("db", 4, t("10:30"))),
    "boolean-state": json.dumps(ev("db", True, t("10:30"))),
    "missing-time": json.dumps({"node": "db", "state": "down"}),
    "time-without-offset": json.dumps(ev("db", "down", "2026-03-02T10:30:00")),
    "time-not-a-time": json.dumps(ev("db", "down", "yesterday")),
    "unknown-field": json.dumps(ev("db", "down", t("10:30"), colour="red")),
    "neither-node-nor-labels": json.dumps({"state": "down", "time": t("10:30")}),
    "empty-key": json.dumps(ev("db", "down", t("10:30"), key="")),
}


@pytest.mark.parametrize("bad", BAD_LINES.values(), ids=BAD_LINES.keys())
def test_a_malformed_line_stops_the_replay_with_its_line_number(tmp_path: Path, bad: str) -> None:
    model = write_text(tmp_path / "model.yaml", SHOP)
    events = write_events(
        tmp_path / "events.jsonl", [ev("db", "down", t("10:00")), bad, ev("db", "ok", t("11:00"))]
    )
    with pytest.raises(EventLineError) as raised:
        read_event_log(events)
    assert raised.value.line == 2
    result = run_cli("replay", model, events, "--from", t("08:00"), "--to", t("16:00"), "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert nonempty_lines(result.stderr)[0].startswith(f"{events}:2: error: ")


@pytest.mark.parametrize("bad", BAD_LINES.values(), ids=BAD_LINES.keys())
def test_skip_bad_reports_and_skips_a_malformed_line(tmp_path: Path, bad: str) -> None:
    model = write_text(tmp_path / "model.yaml", SHOP)
    events = write_events(
        tmp_path / "events.jsonl", [ev("db", "down", t("10:00")), bad, ev("db", "ok", t("11:00"))]
    )
    log = read_event_log(events, skip_bad=True)
    assert [bad_line.line for bad_line in log.bad] == [2]
    assert [line for line, _ in log.events] == [1, 3]
    result = run_cli(
        "replay", model, events, "--from", t("08:00"), "--to", t("16:00"), "--json", "--skip-bad"
    )
    assert result.exit_code == 0, result.stderr
    assert f"{events}:2" in result.stderr
    assert json.loads(result.stdout)["services"]["shop"]["episodes"] == [
        episode(t("10:00"), t("11:00"), "down", 3600, 3600.0, ["db"])
    ]


def test_blank_lines_are_not_malformed(run_replay: Replay) -> None:
    document = run_replay(
        SHOP, [ev("db", "down", t("10:00")), "", "   ", ev("db", "ok", t("11:00"))], t("08:00"), t("16:00")
    )
    assert document["total_cost"] == 3600.0


# ---------------------------------------------------------------------------------------------
# calendars and DST


NIGHT = """\
calendars:
  night:
    timezone: Europe/London
    hours:
      mon-sun: "00:00-03:00"
services:
  - id: batch
    calendar: night
    impact: {revenue_per_hour: 3600}
    depends_on: [db]
components:
  - id: db
"""


@pytest.mark.parametrize(
    ("start", "end", "counted"),
    [
        # clocks go back on Sunday 2026-10-25 (02:00 BST -> 01:00 GMT): 00:00 BST = 10-24T23:00Z
        # to 03:00 GMT = 10-25T03:00Z is 4 real hours: 14,400 s (Saturday's hours, 10-23T23:00Z
        # to 10-24T02:00Z, are before the episode)
        ("2026-10-24T20:00:00Z", "2026-10-25T06:00:00Z", 14400),
        # clocks go forward on Sunday 2026-03-29 (01:00 GMT -> 02:00 BST): 00:00 GMT = 00:00Z to
        # 03:00 BST = 02:00Z is 2 real hours: 7,200 s
        ("2026-03-28T22:00:00Z", "2026-03-29T06:00:00Z", 7200),
    ],
    ids=["clocks-back", "clocks-forward"],
)
def test_calendar_hours_follow_the_local_clock_across_dst(
    run_replay: Replay, start: str, end: str, counted: int
) -> None:
    window = (start[:10] + "T00:00:00Z", end[:10] + "T12:00:00Z")
    document = run_replay(NIGHT, [ev("db", "down", start), ev("db", "ok", end)], *window)
    # at 3,600/h, cost = counted seconds
    assert document["services"]["batch"]["episodes"] == [
        episode(start, end, "down", counted, float(counted), ["db"])
    ]


def test_business_hours_across_a_dst_weekend_with_a_workaround(run_replay: Replay) -> None:
    model = """\
calendars:
  office:
    timezone: Europe/London
    hours: {mon-fri: "08:00-18:00"}
services:
  - id: desk
    calendar: office
    impact: {revenue_per_hour: 3600}
    workaround: {impact_factor: 0.5, max_hours: 1.5}
    depends_on: [db]
components:
  - id: db
"""
    document = run_replay(
        model,
        # Friday 17:00Z = 17:00 GMT to Monday 08:00Z = 09:00 BST (clocks went forward on Sunday)
        [ev("db", "down", "2026-03-27T17:00:00Z"), ev("db", "ok", "2026-03-30T08:00:00Z")],
        "2026-03-27T00:00:00Z",
        "2026-03-31T00:00:00Z",
    )
    # counted: Friday 17:00-18:00 GMT (1 h) and Monday 08:00-09:00 BST = 07:00Z-08:00Z (1 h): 7,200 s;
    # the first 1.5 h at 0.5 x 3,600 = 2,700, the last 0.5 h at 3,600/h = 1,800: 4,500
    assert document["services"]["desk"]["episodes"] == [
        episode("2026-03-27T17:00:00Z", "2026-03-30T08:00:00Z", "down", 7200, 4500.0, ["db"])
    ]


def test_holidays_count_no_time(run_replay: Replay) -> None:
    model = """\
calendars:
  office:
    timezone: UTC
    hours: {mon-fri: "09:00-17:00"}
    holidays: [2026-03-03]
services:
  - id: desk
    calendar: office
    impact: {revenue_per_hour: 3600}
    depends_on: [db]
components:
  - id: db
"""
    # Monday 16:00 to Wednesday 10:00: Monday 16-17 (1 h), Tuesday a holiday, Wednesday 09-10 (1 h)
    document = run_replay(
        model,
        [ev("db", "down", t("16:00")), ev("db", "ok", t("10:00", "2026-03-04"))],
        t("00:00"),
        t("00:00", "2026-03-05"),
    )
    assert document["services"]["desk"]["episodes"] == [
        episode(t("16:00"), t("10:00", "2026-03-04"), "down", 7200, 7200.0, ["db"])
    ]


# ---------------------------------------------------------------------------------------------
# the shape of the document


def test_every_business_service_appears_and_sla_only_where_defined(run_replay: Replay) -> None:
    model = """\
services:
  - id: shop
    impact: {revenue_per_hour: 3600}
    sla: {target: 99, period: day}
    depends_on: [db]
  - id: free
    depends_on: [db]
  - id: idle
    impact: {revenue_per_hour: 1000}
    sla: {target: 99.5}
components:
  - id: db
"""
    document = run_replay(
        model, [ev("db", "down", t("10:00")), ev("db", "ok", t("11:00"))], t("00:00"), t("12:00")
    )
    services = document["services"]
    assert list(services) == ["free", "idle", "shop"]  # ids ascending
    # `free` has no impact: it is hit (counted time 3,600) but costs nothing
    assert services["free"] == {
        "cost": 0.0,
        "episodes": [episode(t("10:00"), t("11:00"), "down", 3600, 0.0, ["db"])],
    }
    # `idle` is hit by nothing; its monthly SLA period is clipped to the window: 12 h = 43,200 s,
    # budget 0.005 x 43,200 = 216
    assert services["idle"] == {
        "cost": 0.0,
        "episodes": [],
        "sla": [period(t("00:00"), t("12:00"), 43200, 0, 100.0, 99.5, 216, 216)],
    }
    # measured 43,200; down 3,600; sli = 100 x 39,600 / 43,200 = 91.6667; budget 432; 432 - 3,600
    assert services["shop"]["sla"] == [period(t("00:00"), t("12:00"), 43200, 3600, 91.6667, 99, 432, -3168)]
    assert document["total_cost"] == 3600.0


def test_money_is_rounded_to_cents_after_summing(run_replay: Replay) -> None:
    model = """\
services:
  - id: one
    impact: {revenue_per_hour: 1000}
    depends_on: [db]
  - id: two
    impact: {revenue_per_hour: 1000}
    depends_on: [db]
components:
  - id: db
"""
    document = run_replay(
        model, [ev("db", "down", t("10:00")), ev("db", "ok", t("10:20"))], t("08:00"), t("12:00")
    )
    # 1,000/h for 20 min = 333.333... -> 333.33 each; the total 666.666... -> 666.67
    # (rounding before summing would give 666.66)
    for service in ("one", "two"):
        assert document["services"][service]["cost"] == 333.33
        assert document["services"][service]["episodes"][0]["cost"] == 333.33
    assert document["total_cost"] == 666.67


def test_seconds_are_whole_and_times_are_utc_with_z(run_replay: Replay) -> None:
    document = run_replay(
        SHOP,
        [ev("db", "down", "2026-03-02T11:00:00.600+01:00"), ev("db", "ok", "2026-03-02T10:00:10Z")],
        t("08:00"),
        t("12:00"),
    )
    [found] = document["services"]["shop"]["episodes"]
    # 10:00:00.6 to 10:00:10: 9.4 s -> 9 whole seconds; the cost 9.4 x 1/s = 9.4
    assert found["counted_seconds"] == 9 and isinstance(found["counted_seconds"], int)
    assert found["cost"] == 9.4
    assert found["end"] == "2026-03-02T10:00:10Z"
    assert found["start"].endswith("Z") and utc(found["start"]) == utc("2026-03-02T10:00:00.600Z")


def test_an_empty_log_costs_nothing(run_replay: Replay) -> None:
    document = run_replay(SHOP, [], t("08:00"), t("12:00"))
    assert document == {
        "from": t("08:00"),
        "to": t("12:00"),
        "currency": "EUR",
        "total_cost": 0.0,
        "services": {"idle": {"cost": 0.0, "episodes": []}, "shop": {"cost": 0.0, "episodes": []}},
    }


def test_currency_comes_from_the_model(run_replay: Replay) -> None:
    assert run_replay("currency: GBP\n" + SHOP, [], t("08:00"), t("12:00"))["currency"] == "GBP"


# ---------------------------------------------------------------------------------------------
# arguments


def test_missing_events_file_is_an_error_without_traceback(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", SHOP)
    missing = tmp_path / "nowhere.jsonl"
    result = run_cli("replay", model, missing, "--from", t("08:00"), "--to", t("12:00"), "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert nonempty_lines(result.stderr)[0].startswith(f"{missing}: error: ")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (t("12:00"), t("08:00")),
        (t("08:00"), t("08:00")),
        ("yesterday", t("08:00")),
        (t("08:00"), "2026-03-02T12:00"),
    ],
    ids=["backwards", "empty", "not-a-time", "no-offset"],
)
def test_a_bad_window_exits_2(tmp_path: Path, start: str, end: str) -> None:
    model = write_text(tmp_path / "model.yaml", SHOP)
    events = write_events(tmp_path / "events.jsonl", [ev("db", "down", t("10:00"))])
    result = run_cli("replay", model, events, "--from", start, "--to", end, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "error" in result.stderr


def test_a_window_still_running_ends_now(tmp_path: Path) -> None:
    # semantics §10: `--to` in the future is cut at now, so an open episode is never priced
    # past the present (issue 12, defect 1). A service down since 10 s ago at 3,600/h costs
    # about 10.00, not a year of outage.
    model = tmp_path / "model.yaml"
    model.write_text("services:\n  - id: shop\n    impact: {revenue_per_hour: 3600}\n")
    now = time.time()
    log = tmp_path / "events.jsonl"
    log.write_text(json.dumps({"node": "shop", "state": "down", "time": format_time(now - 10)}) + "\n")
    result = run_cli("replay", model, log, "--to", format_time(now + 365 * 86400), "--json")
    after = time.time()
    assert result.exit_code == 0, result.stderr
    assert "the window ends now" in result.stderr
    document = json.loads(result.stdout)
    # 1.00 a second from 10 s before `now` to the command's own now (whole seconds)
    assert 9.0 <= document["total_cost"] <= after - now + 10.0
    [episode] = document["services"]["shop"]["episodes"]
    assert episode["end"] is None  # still open, cut at now
    future = run_cli("replay", model, log, "--from", format_time(now + 3600), "--to", format_time(now + 7200))
    assert future.exit_code == 2 and "is in the future" in future.stderr
