"""deploy/grafana-dashboard.json and the Prometheus examples of deploy/ work as written.

Grafana is not packaged by Debian (no `grafana` on this machine), so the dashboard's structure
is checked against what Grafana's dashboard model requires (schemaVersion, unique panel ids, a
24-column grid without overlaps, every variable used defined), and every query of every panel
runs against a real Prometheus (Debian's `prometheus`, `make integration-deps`) scraping a
real `bizmap serve` through deploy/prometheus.yml, which also loads deploy/prometheus-rules.yml
(checked by `promtool`). Without the binaries these tests skip, except when CI=true.

The model, worked by hand: `shop` loses 4,000 an hour plus 20 people x 50 = 5,000 an hour when
down; `payroll` 10 people x 30 = 300. With `web` down, only `shop` is: cost 5,000 an hour,
20 people, one open incident, one service not ok.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from integration_support import Bizmap, Process, create_tokens, env_ci, free_port, rfc3339, wait_for

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
DASHBOARD = DEPLOY / "grafana-dashboard.json"
WAIT = 60.0
MODEL = """\
services:
  - id: shop
    name: Web shop
    impact: {revenue_per_hour: 4000, users: 20, cost_per_user_hour: 50}
    sla: {target: 99.5}
    depends_on: [web]
  - id: payroll
    impact: {users: 10, cost_per_user_hour: 30}
    sla: {target: 99.0}
    depends_on: [db]
components:
  - id: web
  - id: db
"""
# what Grafana fills in for the variables: every service, and a rate window of a minute
VARIABLES = {"$service": ".*", "$__rate_interval": "1m"}


def binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        reason = f"{name} is not installed (run `make integration-deps`)"
        if env_ci():
            pytest.fail(f"{reason}; CI=true: this test must run, not skip")
        pytest.skip(reason)
    return found


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def targets() -> list[tuple[str, str]]:
    return [(p["title"], t["expr"]) for p in dashboard()["panels"] for t in p["targets"]]


# --- the dashboard's structure ------------------------------------------------------------------


def test_the_dashboard_has_what_grafana_needs_to_import_it() -> None:
    board = dashboard()
    assert board["uid"] == "bizmap-business" and board["title"]
    assert board["id"] is None  # Grafana gives its own id on import
    assert isinstance(board["schemaVersion"], int) and board["schemaVersion"] >= 36
    panels = board["panels"]
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    cells: set[tuple[int, int]] = set()
    for p in panels:
        grid = p["gridPos"]
        assert grid["x"] >= 0 and grid["w"] > 0 and grid["x"] + grid["w"] <= 24, p["title"]
        own = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & own, f"{p['title']} overlaps another panel"
        cells |= own
        assert p["type"] in {"stat", "timeseries", "state-timeline", "bargauge"}
        assert p["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        refs = [t["refId"] for t in p["targets"]]
        assert refs and len(refs) == len(set(refs))
    defined = {v["name"] for v in board["templating"]["list"]}
    used = set(re.findall(r"\$\{?(\w+)", DASHBOARD.read_text())) - {"__rate_interval", "__all"}
    assert used <= defined, f"variables used but not defined: {used - defined}"


def test_the_dashboard_shows_every_business_figure_of_metrics() -> None:
    exprs = " ".join(expr for _, expr in targets())
    for metric in (
        "bizmap_service_cost_per_hour",
        "bizmap_service_users_affected",
        "bizmap_service_sli_percent",
        "bizmap_service_error_budget_remaining_seconds",
        "bizmap_open_incidents",
        "bizmap_service_state",
        "bizmap_service_cost_this_period",
    ):
        assert metric in exprs, metric


def test_promtool_accepts_the_rules_and_the_config(tmp_path: Path) -> None:
    promtool = binary("promtool")
    rules = subprocess.run(
        [promtool, "check", "rules", str(DEPLOY / "prometheus-rules.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert rules.returncode == 0 and "SUCCESS: 6 rules found" in rules.stdout, rules.stdout + rules.stderr
    config = tmp_path / "prometheus.yml"
    config.write_text(prometheus_config(8000, tmp_path / "token"))
    (tmp_path / "token").write_text("x\n")
    checked = subprocess.run(
        [promtool, "check", "config", str(config)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- every query against a real Prometheus scraping a real bizmap -------------------------------


def prometheus_config(port: int, token_file: Path) -> str:
    """deploy/prometheus.yml as a user installs it, pointed at this server, scraping each second."""
    text = (DEPLOY / "prometheus.yml").read_text()
    for old, new in (
        ('"127.0.0.1:8000"', f'"127.0.0.1:{port}"'),
        ("/etc/prometheus/bizmap-read.token", str(token_file)),
        ("/etc/prometheus/bizmap-rules.yml", str(DEPLOY / "prometheus-rules.yml")),
        ("scrape_interval: 30s", "scrape_interval: 1s"),
        ("evaluation_interval: 30s", "evaluation_interval: 1s"),
    ):
        assert old in text, f"deploy/prometheus.yml no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def bizmap(tmp_path: Path) -> Iterator[Bizmap]:
    model = tmp_path / "model.yaml"
    model.write_text(MODEL)
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    server = Bizmap(model, db, tmp_path / "bizmap.log", create_tokens(db))
    server.start()
    try:
        event = {"node": "web", "state": "down", "time": rfc3339(time.time() - 60)}
        answer = httpx.post(
            f"{server.base}/api/v1/events", json=event, headers=server.headers("ingest"), timeout=10
        )
        assert answer.status_code == 202, answer.text
        yield server
    finally:
        server.kill()


@pytest.fixture
def prometheus(bizmap: Bizmap, tmp_path: Path) -> Iterator[str]:
    executable = binary("prometheus")
    token_file = tmp_path / "bizmap-read.token"
    token_file.write_text(bizmap.tokens["read"] + "\n")
    config = tmp_path / "prometheus.yml"
    config.write_text(prometheus_config(bizmap.port, token_file))
    port = free_port()
    args = [
        executable,
        f"--config.file={config}",
        f"--storage.tsdb.path={tmp_path / 'prometheus-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    process = Process("prometheus", args, tmp_path / "prometheus.log")
    base = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            if not process.alive():
                raise AssertionError(f"prometheus exited with {process.proc.returncode}:\n{process.output()}")
            return httpx.get(f"{base}/-/ready", timeout=2).status_code == 200

        wait_for("prometheus to be ready", ready, WAIT)
        yield base
    finally:
        process.kill()


def query(base: str, expr: str) -> list[dict[str, Any]]:
    for variable, value in VARIABLES.items():
        expr = expr.replace(variable, value)
    answer = httpx.get(f"{base}/api/v1/query", params={"query": expr}, timeout=10)
    body = answer.json()
    assert answer.status_code == 200 and body["status"] == "success", f"{expr}: {body}"
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def value(base: str, expr: str) -> float:
    (only,) = query(base, expr)
    return float(only["value"][1])


def test_every_panel_query_runs_on_real_figures(bizmap: Bizmap, prometheus: str) -> None:
    # rate() needs two scrapes in its window: wait until every query has an answer
    def all_answer() -> bool:
        return all(query(prometheus, expr) for _, expr in targets())

    wait_for("every panel query to return data", all_answer, WAIT, interval=0.5)
    assert value(prometheus, 'sum by (currency) (bizmap_service_cost_per_hour{service=~"$service"})') == 5000
    assert value(prometheus, 'sum(bizmap_service_users_affected{service=~"$service"})') == 20
    assert value(prometheus, "bizmap_open_incidents") == 1
    assert value(prometheus, 'count(bizmap_service_state{service=~"$service"} > 0) or vector(0)') == 1
    states = {r["metric"]["service"]: float(r["value"][1]) for r in query(prometheus, "bizmap_service_state")}
    assert states == {"shop": 3, "payroll": 0}
    assert value(prometheus, 'bizmap_service_sli_percent{service="shop"}') < 100
    # the service variable's query: label_values(bizmap_service_state, service)
    labels = httpx.get(
        f"{prometheus}/api/v1/label/service/values", params={"match[]": "bizmap_service_state"}, timeout=10
    ).json()
    assert sorted(labels["data"]) == ["payroll", "shop"]


def test_the_rule_examples_load_and_evaluate(bizmap: Bizmap, prometheus: str) -> None:
    def shop_down_pending() -> list[dict[str, Any]] | None:
        groups = httpx.get(f"{prometheus}/api/v1/rules", timeout=10).json()["data"]["groups"]
        rules = [r for g in groups for r in g["rules"]]
        down = [r for r in rules if r["name"] == "BusinessServiceDown"]
        return rules if down and down[0]["state"] == "pending" else None

    rules = wait_for("BusinessServiceDown to be pending for shop", shop_down_pending, WAIT, interval=0.5)
    assert len(rules) == 6
    assert all(r["health"] == "ok" for r in rules), [(r["name"], r.get("lastError")) for r in rules]
    (down,) = [r for r in rules if r["name"] == "BusinessServiceDown"]
    assert [a["labels"]["service"] for a in down["alerts"]] == ["shop"]  # for: 5m, so pending
