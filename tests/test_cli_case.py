"""``bizmap case``: the §8 JSON, the Monte Carlo keys, the human report, charts, benefits from
an availability-dial JSON, and bad files reported as FILE:LINE with exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_cli, write_text

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

SECTION_8_CASE = """\
name: Extend online hours by 3.5 hours a day
currency: EUR
horizon_years: 5
discount_rate: 0.08          # yearly
costs:
  - {name: Scheduling software, once: 800000}          # paid at t = 0
  - {name: Support, per_year: 120000}                  # paid at the end of years 1..H
benefits:
  - {name: Extra online hours, per_year: 20000000, ramp: [0.5, 1, 1, 1, 1]}
uncertainty:                                           # optional, for Monte Carlo
  Extra online hours: {low: 0.4, mode: 1.0, high: 1.1} # triangular multiplier
"""

TEXTBOOK_CASE = """\
name: Textbook
horizon_years: 3
discount_rate: 0.1
costs:
  - {name: Investment, once: 1000}
benefits:
  - {name: Savings, per_year: 500, ramp: [1, 0.8, 0.6]}
"""


def test_section_8_json(tmp_path: Path) -> None:
    path = write_text(tmp_path / "case.yaml", SECTION_8_CASE)
    result = run_cli("case", path, "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == ["npv", "irr", "roi", "payback_years", "discounted_payback_years"]
    # worked in tests/analytics/test_business_case.py::test_section_8_example:
    # NPV = -800,000 + 9,880,000/1.08 + 19,880,000 × (1/1.08² + ... + 1/1.08⁵) = 69,315,816.28
    assert document["npv"] == pytest.approx(69315816.28, abs=0.011)
    assert document["roi"] == 63.285714  # (90 m - 1.4 m) / 1.4 m, 6 decimals
    assert document["payback_years"] == 0.080972  # 800,000 / 9,880,000
    assert document["discounted_payback_years"] == 0.087449  # 800,000 / 9,148,148.15
    assert document["irr"] > 13


def test_textbook_json_rounding(tmp_path: Path) -> None:
    path = write_text(tmp_path / "case.yaml", TEXTBOOK_CASE)
    document = json.loads(run_cli("case", path, "--json").stdout)
    # -1,000 + 454.545455 + 330.578512 + 225.394440 = 10.518407 -> 10.52; paybacks 2 + 1/3 and
    # 2 + 286/300; IRR 0.1065168 (10y³ - 5y² - 4y - 3 = 0, y = 1 + r)
    assert document == {
        "npv": 10.52,
        "irr": pytest.approx(0.106517, abs=1e-6),
        "roi": 0.2,
        "payback_years": 2.333333,
        "discounted_payback_years": 2.953333,
    }


def test_simulate_adds_percentiles_stable_for_a_seed(tmp_path: Path) -> None:
    path = write_text(tmp_path / "case.yaml", SECTION_8_CASE)
    first = json.loads(run_cli("case", path, "--json", "--simulate", "5000", "--seed", "11").stdout)
    again = json.loads(run_cli("case", path, "--json", "--simulate", "5000", "--seed", "11").stdout)
    assert first == again
    assert {"npv_p10", "npv_p50", "npv_p90", "probability_npv_positive"} <= set(first)
    assert first["npv_p10"] <= first["npv_p50"] <= first["npv_p90"]
    # even at the benefit's low (× 0.4) NPV stays positive: -800,000 - 120,000 × 3.99271
    # + 0.4 × 20 m × (0.5 × 0.925926 + 3.066784) = 27.0 m, so every run is positive
    assert first["probability_npv_positive"] == 1.0


def test_tornado_and_cash_flows_in_json(tmp_path: Path) -> None:
    path = write_text(tmp_path / "case.yaml", TEXTBOOK_CASE)
    document = json.loads(run_cli("case", path, "--json", "--tornado", "--cash-flows").stdout)
    assert document["currency"] == "EUR"  # the default
    assert [f["net"] for f in document["cash_flows"]] == [-1000, 500, 400, 300]
    assert [f["cumulative"] for f in document["cash_flows"]] == [-1000, -500, -100, 200]
    tornado = document["tornado"]
    assert tornado["assumed_range"] == 0.2  # no ranges given
    # Savings' own NPV 1,010.52 swings 404.21; Investment's 1,000 swings 400
    assert [i["name"] for i in tornado["inputs"]] == ["Savings", "Investment"]
    assert tornado["inputs"][0]["swing"] == pytest.approx(404.21, abs=0.01)


def test_human_report_states_units_currency_and_assumptions(tmp_path: Path) -> None:
    path = write_text(tmp_path / "case.yaml", SECTION_8_CASE)
    result = run_cli("case", path, "--simulate", "2000", "--seed", "1", "--tornado")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    for words in (
        "Business case: Extend online hours by 3.5 hours a day",
        "Cash flow by year (EUR)",
        "€69,315,816",  # NPV
        "discount rate 8.0 % a year over 5 year(s)",
        "one-off costs are paid now (year 0)",
        "Payback",
        "0.08 years",
        "Probability that NPV > 0",
        "Monte Carlo, 2,000 runs, seed 1",
        "Tornado",
        "Extra online hours ×0.4–×1.1",
    ):
        assert words in text, words
    assert "█" in text


def test_charts_are_svg_with_text(tmp_path: Path) -> None:
    path = write_text(tmp_path / "case.yaml", SECTION_8_CASE)
    result = run_cli("case", path, "--charts", tmp_path / "charts")
    assert result.exit_code == 0, result.stderr
    tornado = (tmp_path / "charts" / "tornado.svg").read_text()
    flows = (tmp_path / "charts" / "cash-flow.svg").read_text()
    assert tornado.startswith("<?xml") and "<svg" in tornado
    assert "Extra online hours" in tornado  # text kept as text (svg.fonttype none)
    assert "Cumulative cash flow" in flows


def test_the_shipped_online_hours_example() -> None:
    path = EXAMPLES / "decisions" / "online-hours.yaml"
    result = run_cli("case", path, "--json", "--simulate", "2000", "--seed", "42")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    # costs now 800,000 + 1,500,000 + 400,000 = 2.7 m; the benefit alone is 10 m in year 1
    assert document["payback_years"] < 1
    assert document["npv"] > 0 and document["npv_p10"] < document["npv_p90"]


# --- a benefit from an availability dial -------------------------------------------------------

DIAL_CASE = """\
name: Second database replica
currency: EUR
horizon_years: 3
discount_rate: 0.0
costs:
  - {name: Replica, once: 100000}
  - {name: Replica licence, per_year: 20000}
benefits:
  - {name: Fewer outages, per_year_from: dial.json}
"""


def test_benefit_from_dial_json(tmp_path: Path) -> None:
    (tmp_path / "dial.json").write_text(
        json.dumps({"currency": "EUR", "downtime_cost_avoided_per_year": 75000.0, "services": []})
    )
    path = write_text(tmp_path / "case.yaml", DIAL_CASE)
    document = json.loads(run_cli("case", path, "--json").stdout)
    # at 0 %: -100,000 + 3 × (75,000 - 20,000) = 65,000; ROI = (225,000 - 160,000) / 160,000
    # payback: 100,000 of 55,000 a year = 1.818182 years
    assert document["npv"] == 65000.0
    assert document["roi"] == pytest.approx(65000 / 160000, abs=1e-6)
    assert document["payback_years"] == pytest.approx(100000 / 55000, abs=1e-6)


@pytest.mark.parametrize(
    ("dial", "words"),
    [
        (None, "no such file"),
        ({"currency": "EUR"}, "no top-level 'downtime_cost_avoided_per_year'"),
        ({"currency": "GBP", "downtime_cost_avoided_per_year": 1}, "is in 'GBP' but the case is in 'EUR'"),
        ({"currency": "EUR", "downtime_cost_avoided_per_year": "lots"}, "is not a number"),
    ],
)
def test_bad_dial_json_is_an_error_at_its_key(
    tmp_path: Path, dial: dict[str, object] | None, words: str
) -> None:
    if dial is not None:
        (tmp_path / "dial.json").write_text(json.dumps(dial))
    path = write_text(tmp_path / "case.yaml", DIAL_CASE)
    result = run_cli("case", path, "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{path}:9: error: benefits[0].per_year_from: 'Fewer outages': " in result.stderr
    assert words in result.stderr


# --- bad files and arguments --------------------------------------------------------------------


UNCERTAIN = (
    "benefits:\n  - {name: Savings, per_year: 500, ramp: [1, 0.8, 0.6]}\n"
    "uncertainty:\n  Savngs: {low: 1, mode: 1, high: 1}"
)


@pytest.mark.parametrize(
    ("before", "after", "line", "words"),
    [
        ("once: 1000}", "once: 1000, colour: red}", 5, "costs[0].colour: unknown key 'colour'"),
        ("ramp: [1, 0.8, 0.6]", "ramp: [1, 0.8]", 7, "ramp has 2 value(s) but horizon_years is 3"),
        (
            "benefits:\n  - {name: Savings, per_year: 500, ramp: [1, 0.8, 0.6]}",
            UNCERTAIN,
            9,
            "named 'Savngs'",
        ),
        ("horizon_years: 3", "horizon_years: -2", 2, "horizon_years: Input should be greater"),
        # an unclosed [ on line 1: the parser notices on line 2, where the list should go on
        ("name: Textbook", "name: [oops", 2, "YAML syntax error"),
    ],
)
def test_bad_files_exit_1_with_file_and_line(
    tmp_path: Path, before: str, after: str, line: int, words: str
) -> None:
    assert before in TEXTBOOK_CASE
    path = write_text(tmp_path / "bad.yaml", TEXTBOOK_CASE.replace(before, after))
    result = run_cli("case", path, "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{path}:{line}: error: " in result.stderr, result.stderr
    assert words in result.stderr


def test_missing_file_exits_1(tmp_path: Path) -> None:
    result = run_cli("case", tmp_path / "nowhere.yaml")
    assert result.exit_code == 1
    assert "nowhere.yaml: error: no such file" in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--seed", "3"), "--seed applies to the Monte Carlo"),
        (("--simulate", "0"), "--simulate takes 1 to"),
        (("--simulate", "10", "--seed", "-1"), "--seed"),
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, args: tuple[str, ...], words: str) -> None:
    path = write_text(tmp_path / "case.yaml", TEXTBOOK_CASE)
    result = run_cli("case", path, *args)
    assert result.exit_code == 2
    assert words in result.stderr


def test_the_shipped_retailer_case_takes_its_benefit_from_the_dial_result() -> None:
    path = EXAMPLES / "decisions" / "retailer-resilience.yaml"
    dial = json.loads((EXAMPLES / "decisions" / "retailer-dial-result.json").read_text())
    avoided = dial["downtime_cost_avoided_per_year"]
    document = json.loads(run_cli("case", path, "--json").stdout)
    # 45,000 now, then (avoided - 60,000) at the end of each of 5 years; the annuity factor at
    # 8 % is (1 - 1.08⁻⁵) / 0.08 = (1 - 0.680583) / 0.08 = 3.992710
    assert document["npv"] == pytest.approx(-45000 + (avoided - 60000) * 3.992710, abs=1)
    assert document["payback_years"] == pytest.approx(45000 / (avoided - 60000), abs=1e-6)


def test_charts_into_a_file_path_exit_1(tmp_path: Path) -> None:
    path = write_text(tmp_path / "case.yaml", TEXTBOOK_CASE)
    blocker = write_text(tmp_path / "taken", "a file, not a directory")
    result = run_cli("case", path, "--charts", blocker)
    assert result.exit_code == 1
    assert "cannot write the charts" in result.stderr
