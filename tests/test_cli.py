"""The `bizmap` command line (semantics §5): `whatif` and `spof` JSON, `graph`, help and errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from bizmap.cli.main import app
from helpers import SECTION_9_MODEL, nonempty_lines, run_cli, write_events, write_text

# ---------------------------------------------------------------------------------------------
# whatif


def test_whatif_json_on_the_section_9_example(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", SECTION_9_MODEL)
    result = run_cli("whatif", model, "--down", "a", "--degraded", "c", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    # total weight 4, q = 2; W_ok = 1 (b), W_up = 2 (b, c): app and orders degraded;
    # cost_per_hour = 0.5 x 1,500 = 750; root causes a and c
    assert document == {
        "services": [
            {
                "id": "orders",
                "state": "degraded",
                "cost_per_hour": 750.0,
                "users": 10,
                "safety_critical": False,
                "root_causes": ["a", "c"],
            }
        ],
        "total_cost_per_hour": 750.0,
        "users_affected": 10,
    }
    # keys in the order of semantics §5
    assert list(document) == ["services", "total_cost_per_hour", "users_affected"]
    assert list(document["services"][0]) == [
        "id",
        "state",
        "cost_per_hour",
        "users",
        "safety_critical",
        "root_causes",
    ]


WHATIF_MODEL = """\
calendars:
  never:
    hours: {sun: "00:00-00:01"}
services:
  - id: alpha
    calendar: never                     # the calendar is not applied by whatif
    impact: {revenue_per_hour: 100, users: 5}
    depends_on: [db]
  - id: beta
    impact: {revenue_per_hour: 100, users: 2, cost_per_user_hour: 100, safety_critical: true}
    workaround: {impact_factor: 0.1}    # nor the workaround
    depends_on: [db]
  - id: gamma
    impact: {revenue_per_hour: 100, users: 1, degraded_factor: 0.2}
    depends_on: [db]
  - id: delta
    impact: {revenue_per_hour: 1000, users: 2}
    depends_on: [cache]
  - id: epsilon
    impact: {revenue_per_hour: 1000, users: 4, degraded_factor: 0.25}
    depends_on: [{id: cache, effect: soft}, web]
components:
  - id: db
  - id: cache
  - id: web
  - id: orphan
"""


def test_whatif_sorts_by_cost_then_id_and_counts_everyone_hit(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", WHATIF_MODEL)
    result = run_cli("whatif", model, "--down", " db , web", "--unknown", "cache", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document == {
        "services": [
            # epsilon: web down -> down; base 1,000
            {
                "id": "epsilon",
                "state": "down",
                "cost_per_hour": 1000.0,
                "users": 4,
                "safety_critical": False,
                "root_causes": ["cache", "web"],
            },
            # beta: base 100 + 2 x 100 = 300, down, workaround not applied
            {
                "id": "beta",
                "state": "down",
                "cost_per_hour": 300.0,
                "users": 2,
                "safety_critical": True,
                "root_causes": ["db"],
            },
            # alpha and gamma tie at 100 (down, calendar not applied): by id
            {
                "id": "alpha",
                "state": "down",
                "cost_per_hour": 100.0,
                "users": 5,
                "safety_critical": False,
                "root_causes": ["db"],
            },
            {
                "id": "gamma",
                "state": "down",
                "cost_per_hour": 100.0,
                "users": 1,
                "safety_critical": False,
                "root_causes": ["db"],
            },
            # delta: unknown costs nothing but its people count
            {
                "id": "delta",
                "state": "unknown",
                "cost_per_hour": 0.0,
                "users": 2,
                "safety_critical": False,
                "root_causes": ["cache"],
            },
        ],
        # 1,000 + 300 + 100 + 100 + 0
        "total_cost_per_hour": 1500.0,
        # 4 + 2 + 5 + 1 + 2
        "users_affected": 14,
    }


def test_whatif_degraded_uses_each_services_degraded_factor(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", WHATIF_MODEL)
    result = run_cli("whatif", model, "--degraded", "db", "--json")
    assert result.exit_code == 0, result.stderr
    costs = {s["id"]: (s["state"], s["cost_per_hour"]) for s in json.loads(result.stdout)["services"]}
    # beta 300 x 0.5 (default) = 150; alpha 100 x 0.5 = 50; gamma 100 x 0.2 = 20
    assert costs == {"beta": ("degraded", 150.0), "alpha": ("degraded", 50.0), "gamma": ("degraded", 20.0)}
    assert [s["id"] for s in json.loads(result.stdout)["services"]] == ["beta", "alpha", "gamma"]


def test_whatif_with_nothing_hit(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", WHATIF_MODEL)
    result = run_cli("whatif", model, "--down", "orphan", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"services": [], "total_cost_per_hour": 0.0, "users_affected": 0}


def test_whatif_soft_edge_caps_at_degraded(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", WHATIF_MODEL)
    result = run_cli("whatif", model, "--down", "cache", "--json")
    document = json.loads(result.stdout)
    # epsilon sees cache through a soft edge: degraded, 1,000 x 0.25 = 250; delta: down, 1,000
    assert [(s["id"], s["state"], s["cost_per_hour"]) for s in document["services"]] == [
        ("delta", "down", 1000.0),
        ("epsilon", "degraded", 250.0),
    ]
    assert document["total_cost_per_hour"] == 1250.0
    assert document["users_affected"] == 6


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--down", "nope"], "nope"),
        (["--down", "a,nope"], "nope"),
        (["--degraded", "Orders"], "Orders"),
        (["--down", "a", "--degraded", "a"], "a"),
        (["--degraded", "b", "--unknown", "b"], "b"),
        (["--down", "a,b", "--unknown", "c,b"], "b"),
    ],
    ids=["unknown", "unknown-in-list", "wrong-case", "down-and-degraded", "degraded-and-unknown", "in-lists"],
)
def test_whatif_argument_errors_exit_2(tmp_path: Path, args: list[str], named: str) -> None:
    model = write_text(tmp_path / "model.yaml", SECTION_9_MODEL)
    result = run_cli("whatif", model, *args, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"'{named}'" in result.stderr or f'"{named}"' in result.stderr


def test_whatif_without_any_node_exits_2(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", SECTION_9_MODEL)
    result = run_cli("whatif", model, "--json")
    assert result.exit_code == 2
    assert result.stderr.strip()


def test_whatif_same_node_twice_with_one_state_is_fine(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", SECTION_9_MODEL)
    result = run_cli("whatif", model, "--down", "app,app", "--json")
    assert result.exit_code == 0, result.stderr
    # app down: orders down at its full base of 1,500
    assert json.loads(result.stdout)["total_cost_per_hour"] == 1500.0


def test_whatif_human_output(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", SECTION_9_MODEL)
    result = run_cli("whatif", model, "--down", "app")
    assert result.exit_code == 0, result.stderr
    assert "orders" in result.stdout and "1,500" in result.stdout


# ---------------------------------------------------------------------------------------------
# spof


def test_spof_json_on_the_section_9_example(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", SECTION_9_MODEL)
    result = run_cli("spof", model, "--json")
    assert result.exit_code == 0, result.stderr
    # a alone down leaves W_ok = 2 = q: app ok; b or c alone leave 3. app itself is a group
    # (children, no match, no mtbf_hours): not a failure unit, so nothing is listed
    assert json.loads(result.stdout) == {"services": [{"id": "orders", "single_points": []}], "ranked": []}


def test_spof_json_shape_and_order(tmp_path: Path) -> None:
    model = write_text(
        tmp_path / "model.yaml",
        """\
        services:
          - id: zeta
            impact: {revenue_per_hour: 100, degraded_factor: 0.5}
            depends_on: [{id: web, effect: soft}, db, {id: logs, effect: ignore}]
          - id: portal
            impact: {users: 4, cost_per_user_hour: 25}
            depends_on: [zeta]
          - id: alpha
        components:
          - id: web
          - id: db
            depends_on: {rule: any, children: [d1, d2]}
          - id: d1
          - id: d2
          - id: logs
        """,
    )
    result = run_cli("spof", model, "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document == {
        "services": [
            # nothing below alpha
            {"id": "alpha", "single_points": []},
            # through zeta: web (soft: degraded); zeta has children and no match: a group;
            # db is an any-pair (a group) and d1 or d2 alone leave it up
            {"id": "portal", "single_points": [{"node": "web", "effect": "degraded"}]},
            # logs is ignored
            {"id": "zeta", "single_points": [{"node": "web", "effect": "degraded"}]},
        ],
        # web down: zeta degraded 0.5 x 100 = 50; portal sees zeta degraded through a hard edge:
        # degraded, 0.5 (default factor) x 4 x 25 = 50. Total 100, people 0 + 4 = 4.
        "ranked": [
            {"node": "web", "cost_per_hour": 100.0, "users_affected": 4, "services": ["portal", "zeta"]}
        ],
    }
    assert list(document["services"][1]) == ["id", "single_points"]
    assert list(document["services"][1]["single_points"][0]) == ["node", "effect"]


HOSPITAL = Path(__file__).resolve().parents[1] / "examples" / "hospital"


def table_rows(text: str) -> list[list[str]]:
    """The cells of a Rich table's header and body rows (lines with vertical bars), first cell
    not empty (a continuation line of a wrapped cell is left out)."""
    rows = []
    for line in text.splitlines():
        line = line.replace("┃", "│")  # the header's heavy bar
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if len(cells) > 1 and cells[0]:
            rows.append(cells)
    return rows


def test_spof_prints_the_ranked_table_by_default() -> None:
    result = run_cli("spof", HOSPITAL)
    assert result.exit_code == 0, result.stderr
    rows = table_rows(result.stdout)
    assert rows[0][:3] == ["node", "cost per hour", "people"] and rows[0][3].startswith("services")
    # dns-core: all five services, 158,320 an hour, 8,610 people (test_examples works it out);
    # ad-domain (its own monitoring) next: EPR, ePMA and imaging down, 74,000 + 32,000 +
    # 19,000, and e-mail degraded through the directory sync, 0.3 x 26,000 = 7,800: 132,800.
    assert rows[1][:3] == ["dns-core", "£158,320", "8,610"]
    assert rows[2][:2] == ["ad-domain", "£132,800"]
    nodes = [row[0] for row in rows[1:]]
    assert "core-network" not in nodes and "epr-lb" not in nodes and "vm-storage" not in nodes
    assert "core-network" not in result.stdout


def test_spof_by_service_prints_the_per_service_listing() -> None:
    result = run_cli("spof", HOSPITAL, "--by-service")
    assert result.exit_code == 0, result.stderr
    assert "down if any of these fails" in result.stdout
    rows = {row[0]: row for row in table_rows(result.stdout)}
    assert "imaging" in rows and "pacs-archive" in rows["imaging"][1]
    assert "core-network" not in result.stdout


def test_spof_table_keeps_money_whole_at_80_columns() -> None:
    script = installed_bizmap()
    assert script is not None, "the bizmap script is installed (make .venv/.installed)"
    env = {**os.environ, "COLUMNS": "80"}
    piped = subprocess.run(
        [script, "spof", str(HOSPITAL)], capture_output=True, text=True, env=env, check=True
    )
    narrow = _run_at_width(80, "spof", HOSPITAL)
    for text in (piped.stdout, narrow):
        assert "…" not in text  # nothing cut with an ellipsis
        # each money figure whole on one line: 158,320 (dns-core), 32,000 (integration-engine),
        # 19,000 (pacs-archive)
        for money in ("£158,320", "£32,000", "£19,000"):
            assert money in text
    assert max(len(line) for line in narrow.splitlines()) <= 80


def _run_at_width(width: int, *args: str | Path) -> str:
    from bizmap.cli.common import out

    saved = out.width
    out.width = width
    try:
        result = run_cli(*args)
    finally:
        out.width = saved
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_spof_json_carries_both_keys_on_the_hospital() -> None:
    document = json.loads(run_cli("spof", HOSPITAL, "--json").stdout)
    assert list(document) == ["services", "ranked"]
    assert document["ranked"][0]["node"] == "dns-core"


# ---------------------------------------------------------------------------------------------
# graph


GRAPH_MODEL = """\
services:
  - id: check-in
    depends_on: [dcs-app, network]
  - id: baggage
    depends_on: [network, {id: bhs.plc, effect: soft}]
components:
  - id: dcs-app
    depends_on:
      rule: quorum
      need: 2
      children: [web-1, {id: web-2, weight: 2}, {id: reporting, effect: ignore}]
  - id: web-1
  - id: web-2
  - id: reporting
  - id: network
  - id: bhs.plc
"""
ALL_NODES = {"check-in", "baggage", "dcs-app", "web-1", "web-2", "reporting", "network", "bhs.plc"}


def dot_nodes(text: str) -> set[str]:
    """Node ids declared in DOT text (lines like `"id" [label=...]`)."""
    return {
        line.split('"')[1] for line in text.splitlines() if line.strip().startswith('"') and "->" not in line
    }


@pytest.mark.parametrize("fmt", ["dot", "mermaid"])
def test_graph_names_every_node(tmp_path: Path, fmt: str) -> None:
    model = write_text(tmp_path / "model.yaml", GRAPH_MODEL)
    result = run_cli("graph", model, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    for node in ALL_NODES:
        assert node in result.stdout, node
    if fmt == "dot":
        assert result.stdout.lstrip().startswith("digraph")
        assert dot_nodes(result.stdout) == ALL_NODES
        assert '"check-in" -> "dcs-app"' in result.stdout
        assert '"dcs-app" -> "reporting"' in result.stdout  # ignored edges are drawn too
    else:
        assert result.stdout.lstrip().startswith(("flowchart", "graph"))


@pytest.mark.parametrize("fmt", ["dot", "mermaid"])
def test_graph_service_restricts_to_its_subgraph(tmp_path: Path, fmt: str) -> None:
    model = write_text(tmp_path / "model.yaml", GRAPH_MODEL)
    result = run_cli("graph", model, "--format", fmt, "--service", "check-in")
    assert result.exit_code == 0, result.stderr
    below = {"check-in", "dcs-app", "web-1", "web-2", "reporting", "network"}
    for node in below:
        assert node in result.stdout, node
    for node in ALL_NODES - below:
        assert node not in result.stdout, node
    if fmt == "dot":
        assert dot_nodes(result.stdout) == below


def test_graph_default_format_is_dot_and_output_file(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", GRAPH_MODEL)
    target = tmp_path / "out.dot"
    result = run_cli("graph", model, "-o", target)
    assert result.exit_code == 0, result.stderr
    assert dot_nodes(target.read_text(encoding="utf-8")) == ALL_NODES


@pytest.mark.parametrize(
    ("args", "named"),
    [(["--service", "nope"], "nope"), (["--format", "png"], "png")],
    ids=["service", "format"],
)
def test_graph_argument_errors_exit_2(tmp_path: Path, args: list[str], named: str) -> None:
    model = write_text(tmp_path / "model.yaml", GRAPH_MODEL)
    result = run_cli("graph", model, *args)
    assert result.exit_code == 2
    assert named in result.stderr


# ---------------------------------------------------------------------------------------------
# help


def registered_commands() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_the_documented_commands_exist() -> None:
    assert {"validate", "whatif", "spof", "replay", "graph"} <= set(registered_commands())


@pytest.mark.parametrize("command", registered_commands())
def test_every_command_has_help(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout and command in result.stdout


def test_top_level_help_lists_the_commands() -> None:
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in registered_commands():
        assert command in result.stdout


# ---------------------------------------------------------------------------------------------
# bad input never ends in a traceback


BAD_MODELS = {
    "missing-path": None,
    "unknown-key": "services:\n  - id: web\n    colour: red\n",
    "yaml-syntax": "services:\n  - id: web\n    name: a: b\n",
    "impossible-date": "calendars:\n  office:\n    holidays: [2026-02-30]\n",
    "impossible-time": (
        "components:\n  - id: db\nmaintenance:\n  - id: m\n    nodes: [db]\n"
        "    start: 2026-11-07T24:30:00Z\n    end: 2026-11-08T02:00:00Z\n"
    ),
    "not-a-mapping": "- just\n- a list\n",
    "binary": None,
}


def bad_model(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "model.yaml"
    if kind == "missing-path":
        return tmp_path / "nowhere.yaml"
    if kind == "binary":
        path.write_bytes(b"\xff\xfe\x00services")
        return path
    text = BAD_MODELS[kind]
    assert text is not None
    return write_text(path, text)


def command_args(command: str, model: Path, events: Path) -> list[str | Path]:
    return {
        "validate": ["validate", model],
        "whatif": ["whatif", model, "--down", "db", "--json"],
        "spof": ["spof", model, "--json"],
        "replay": ["replay", model, events, "--from", "2026-03-02T00:00:00Z", "--to", "2026-03-03T00:00:00Z"],
        "graph": ["graph", model],
    }[command]


@pytest.mark.parametrize("kind", BAD_MODELS.keys())
@pytest.mark.parametrize("command", ["validate", "whatif", "spof", "replay", "graph"])
def test_a_bad_model_exits_1_with_located_errors(tmp_path: Path, command: str, kind: str) -> None:
    model = bad_model(tmp_path, kind)
    events = write_events(
        tmp_path / "events.jsonl", [{"node": "db", "state": "down", "time": "2026-03-02T10:00:00Z"}]
    )
    result = run_cli(*command_args(command, model, events))  # run_cli fails on any exception
    assert result.exit_code == 1
    assert result.stdout == ""
    assert nonempty_lines(result.stderr)[0].startswith(f"{model}")
    assert ": error: " in result.stderr


def test_replay_with_a_missing_events_file_exits_1(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", SECTION_9_MODEL)
    missing = tmp_path / "missing.jsonl"
    result = run_cli(*command_args("replay", model, missing))
    assert result.exit_code == 1
    assert nonempty_lines(result.stderr)[0].startswith(f"{missing}: error: ")


def installed_bizmap() -> str | None:
    return shutil.which("bizmap", path=str(Path(sys.executable).parent)) or shutil.which("bizmap")


@pytest.mark.skipif(installed_bizmap() is None, reason="the bizmap script is not installed")
@pytest.mark.parametrize("kind", ["missing-path", "impossible-time", "yaml-syntax"])
def test_the_installed_script_prints_no_traceback(tmp_path: Path, kind: str) -> None:
    model = bad_model(tmp_path, kind)
    events = tmp_path / "missing.jsonl"
    for args in (command_args("validate", model, events), command_args("replay", model, events)):
        script = installed_bizmap()
        assert script is not None
        done = subprocess.run(
            [script, *map(str, args)], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert ": error: " in done.stderr


@pytest.mark.skipif(installed_bizmap() is None, reason="the bizmap script is not installed")
def test_the_installed_script_replay_errors(tmp_path: Path) -> None:
    script = installed_bizmap()
    assert script is not None
    model = write_text(tmp_path / "model.yaml", SECTION_9_MODEL)
    events = write_events(tmp_path / "events.jsonl", ['{"node": "a", "state": "down"'])
    done = subprocess.run(
        [script, "replay", str(model), str(events), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"{events}:1: error: ")
    assert "Traceback" not in done.stderr
