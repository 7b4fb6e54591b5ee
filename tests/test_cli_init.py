"""`bizmap init` writes a starter model a newcomer can run at once (issue 20)."""

from __future__ import annotations

from pathlib import Path

import orjson

from bizmap.domain.summary import counted
from helpers import run_cli


def test_the_starter_model_is_valid_and_answers_questions(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    result = run_cli("init", model)
    assert result.exit_code == 0, result.stderr
    assert f"bizmap validate {model}" in result.stderr  # the next steps
    assert model.read_text().startswith("# A starter model for bizmap")
    validated = run_cli("validate", model)
    assert validated.exit_code == 0, validated.stderr
    assert (
        "2 business services, 6 components, 9 dependencies, 1 calendar, 0 maintenance windows"
        in validated.stdout
    )
    # db down: the shop loses its 4,000 an hour; the desk's 12 people at 45 an hour: 540
    whatif = orjson.loads(run_cli("whatif", model, "--down", "db", "--json").stdout)
    assert {s["id"]: s["cost_per_hour"] for s in whatif["services"]} == {
        "online-shop": 4000.0,
        "customer-service": 540.0,
    }
    # one web server alone takes nothing down: the quorum needs one of two
    assert orjson.loads(run_cli("whatif", model, "--down", "web-1", "--json").stdout)["services"] == []


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text("mine\n")
    refused = run_cli("init", model)
    assert refused.exit_code == 2 and "exists" in refused.stderr and "--force" in refused.stderr
    assert model.read_text() == "mine\n"
    assert run_cli("init", model, "--force").exit_code == 0
    assert run_cli("validate", model).exit_code == 0


def test_counts_read_as_english() -> None:
    assert counted(1, "calendar") == "1 calendar"
    assert counted(0, "calendar") == "0 calendars"
    assert counted(1_200, "dependency", "dependencies") == "1,200 dependencies"
