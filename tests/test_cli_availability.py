"""``bizmap availability``: the §7 document, the simulation, the dial and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_cli, write_text

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# app = any [app-1, app-2], each 99/1 (0.99): 1 - 0.01^2 = 0.9999; dns 999/1 (0.999).
# s = all [app, dns]: 0.9999 x 0.999 = 0.9989001; 24x7 2026: (1 - 0.9989001) x 8,760 =
# 9.635124 h; at 1,000/h: 9,635.124 a year.
DIAL_MODEL = """\
currency: EUR
services:
  - id: s
    impact: {revenue_per_hour: 1000}
    depends_on: [app, dns]
components:
  - {id: app, depends_on: {rule: any, children: [app-1, app-2]}}
  - {id: app-1, mtbf_hours: 99, mttr_hours: 1, match: [{instance: app-1}]}
  - {id: app-2, mtbf_hours: 99, mttr_hours: 1}
  - {id: dns, mtbf_hours: 999, mttr_hours: 1}
"""


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return write_text(tmp_path / "model.yaml", DIAL_MODEL)


def test_json_document_of_section_7(model: Path) -> None:
    result = run_cli("availability", model, "--year", "2026", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    [service] = document["services"]
    assert service["id"] == "s"
    assert service["method"] == "exact"
    assert service["availability"] == pytest.approx(0.9989001, abs=1e-12)
    assert service["expected_down_hours_per_year"] == pytest.approx(9.635124, abs=1e-9)
    assert service["expected_cost_per_year"] == 9635.12
    assert document["currency"] == "EUR"


def test_human_table_states_assumptions(model: Path) -> None:
    result = run_cli("availability", model, "--year", "2026")
    assert result.exit_code == 0, result.stderr
    assert "99.89 %" in result.stdout  # 0.9989001: 2.96 nines, two decimals show the 8
    assert "€9,635" in result.stdout
    assert "independently" in result.stdout and "exponential" in result.stdout


def test_simulation_in_json(model: Path) -> None:
    result = run_cli("availability", model, "--year", "2026", "--simulate", "100", "--seed", "4", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["simulation"] == {"years": 100, "seed": 4, "batches": 30}
    simulated = document["services"][0]["simulated"]
    low, high = simulated["confidence_interval"]
    assert low <= 0.9989001 <= high
    wanted = {"failures_per_year", "mean_outage_hours", "down_hours_per_year", "cost_per_year"}
    assert set(simulated) >= wanted


def test_bad_arguments_exit_2(model: Path) -> None:
    assert run_cli("availability", model, "--seed", "3").exit_code == 2
    assert run_cli("availability", model, "--simulate", "0").exit_code == 2


# The dial: a third app server (app = 1 - 0.01^3 = 0.999999) and a second DNS appliance
# (dns-pair = 1 - 0.001^2 = 0.999999). After: 0.999999^2 = 0.999998000001; down
# 1.999999e-6 x 8,760 = 0.01751999 h, 17.52 a year. Avoided 9,635.124 - 17.519991 = 9,617.604;
# net of 5,000 a year: 4,617.60.
DIAL = """\
name: Third app server and a second DNS appliance
currency: EUR
yearly_cost: 5000
changes:
  - add_replica: {to: app, id: app-3, copy_of: app-1}
  - remove_single_point: {node: dns, replica: dns-2}
"""


def test_dial_before_after_and_net_value(model: Path, tmp_path: Path) -> None:
    changes = write_text(tmp_path / "dial.yaml", DIAL)
    result = run_cli("availability", model, "--year", "2026", "--dial", changes, "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    [service] = document["services"]
    assert service["before"]["availability"] == pytest.approx(0.9989001, abs=1e-12)
    assert service["after"]["availability"] == pytest.approx(0.999998000001, abs=1e-12)
    assert service["after"]["expected_cost_per_year"] == 17.52
    assert document["currency"] == "EUR"
    assert document["yearly_cost"] == 5000.0
    assert document["downtime_cost_avoided_per_year"] == 9617.6
    assert document["net_value_per_year"] == 4617.6


def test_dial_set_mtbf(model: Path, tmp_path: Path) -> None:
    # dns 9,999/1 (0.9999): after = 0.9999 x 0.9999 = 0.99980001
    changes = write_text(
        tmp_path / "dial.yaml",
        "yearly_cost: 0\nchanges:\n  - set: {node: dns, mtbf_hours: 9999}\n",
    )
    document = json.loads(run_cli("availability", model, "--dial", changes, "--json").stdout)
    assert document["services"][0]["after"]["availability"] == pytest.approx(0.99980001, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "yearly_cost: 1\nchanges:\n  - set: {node: dnz, mttr_hours: 1}\n",
            ["dial.yaml:3: error: change 1 (set)", "unknown node 'dnz'"],
        ),
        (
            "yearly_cost: 1\nchanges:\n  - set: {node: dns, mttr_hours: 1}\n"
            "  - add_replica: {to: s, id: x, copy_of: dns}\n",
            ["dial.yaml:4: error: change 2 (add_replica)", "'s' has rule 'all'"],
        ),
        (
            "yearly_cost: 1\nchanges:\n  - add_replica: {to: app, id: app-2, copy_of: app-1}\n",
            ["dial.yaml:3: error: change 1 (add_replica)", "'app-2' is already taken"],
        ),
        (
            "currency: USD\nyearly_cost: 1\nchanges:\n  - set: {node: dns, mttr_hours: 1}\n",
            ["dial.yaml:1: error: currency USD disagrees with the model's EUR"],
        ),
        (
            "yearly_cost: 1\nchanges:\n  - sett: {node: dns, mttr_hours: 1}\n",
            ["dial.yaml:3: error: change 1", "unknown key 'sett'"],
        ),
        (
            "changes:\n  - set: {node: dns, mttr_hours: 1}\n",
            ["dial.yaml", "missing required key 'yearly_cost'"],
        ),
        ("yearly_cost: [1\n", ["dial.yaml:", "YAML syntax error"]),
    ],
)
def test_bad_change_files_name_file_change_and_id(
    model: Path, tmp_path: Path, text: str, expected: list[str]
) -> None:
    changes = write_text(tmp_path / "dial.yaml", text)
    result = run_cli("availability", model, "--dial", changes, "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    for part in expected:
        assert part in result.stderr, result.stderr


@pytest.mark.parametrize("example", ["hospital", "retailer"])
def test_examples_and_their_dials(example: str) -> None:
    result = run_cli("availability", EXAMPLES / example, "--year", "2026", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert all(0 < s["availability"] <= 1 for s in document["services"])
    dial = EXAMPLES / "decisions" / f"{example}-dial.yaml"
    turned = run_cli("availability", EXAMPLES / example, "--year", "2026", "--dial", dial, "--json")
    assert turned.exit_code == 0, turned.stderr
    body = json.loads(turned.stdout)
    assert body["downtime_cost_avoided_per_year"] > 0
    assert body["net_value_per_year"] == pytest.approx(
        body["downtime_cost_avoided_per_year"] - body["yearly_cost"], abs=0.011
    )
