"""OpenSLO v1 import and export: what maps, what is warned about, and the round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from bizmap.domain.model import SlaSpec
from bizmap.model.loading import load_model
from helpers import run_cli, write_text

MODEL = """\
calendars:
  office:
    timezone: Europe/Paris
    hours:
      mon-fri: "09:00-17:00"
services:
  # the shop front: money comes in here
  - id: web-shop
    name: Web shop
    impact: {revenue_per_hour: 5000}
    depends_on: [app]
  - id: payroll
    name: Payroll
    calendar: office
    sla: {target: 99.0, period: week}
    depends_on: [app]
  - id: claims
    calendar: office
    sla: {target: 99.5, period: quarter, calendar: 24x7, degraded_counts_as: down}
  - id: intranet
components:
  - id: app
"""

SERVICE_AND_CALENDAR_SLO = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: web-shop
  displayName: Web shop
spec:
  description: Customers buy here
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: web-shop-availability
spec:
  service: web-shop
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar:
        startTime: 2026-01-01 00:00:00
        timeZone: UTC
  objectives:
    - target: 0.9995
"""

ROLLING_SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: payroll-28d
spec:
  service: hr-payroll
  indicator:
    metadata: {name: payroll-good-requests}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(ok[5m]))'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(all[5m]))'}}}
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Timeslices
  objectives:
    - displayName: latency
      op: lte
      value: 300
      target: 0.99
      timeSliceTarget: 0.95
      timeSliceWindow: 1m
    - targetPercent: 99.5
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: page-me
spec: {}
"""


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return write_text(tmp_path / "model" / "services.yaml", MODEL).parent


def test_calendar_and_rolling_windows_from_several_files(model: Path, tmp_path: Path) -> None:
    shop = write_text(tmp_path / "slo" / "shop.yaml", SERVICE_AND_CALENDAR_SLO)
    payroll = write_text(tmp_path / "slo" / "payroll.yaml", ROLLING_SLO)
    mapping = write_text(tmp_path / "map.yaml", "hr-payroll: payroll\n")
    result = run_cli("slo", "import", shop, payroll, "--model", model, "--map", mapping, "--write")
    assert result.exit_code == 0, result.stderr
    written = {s.id: s.sla for s in load_model(model).services}
    # 0.9995 -> 99.95 %; 1M calendar window -> month; UTC is the 24x7 calendar's timezone
    assert written["web-shop"] == SlaSpec(target=99.95, period="month")
    # the strictest objective (99.5 % beats 0.99); rolling 28 d -> the nearest period, a month
    assert written["payroll"] == SlaSpec(target=99.5, period="month")
    assert written["intranet"] is None
    warnings = result.stderr
    # each warning names the file, the line of the document and the SLO
    assert f"{payroll}:1: warning: SLO 'payroll-28d': the rolling 28d window cannot be mapped" in warnings
    assert "mapped to the nearest calendar period, month" in warnings
    assert "the threshold (op 'lte', value 300) is not imported" in warnings
    assert "the indicator 'payroll-good-requests' (ratioMetric) is not imported" in warnings
    assert "budgetingMethod Timeslices is not imported" in warnings
    assert "2 objectives (99 %, 99.5 %)" in warnings
    # the AlertPolicy document begins on line 27, after the `---` on line 26
    assert f"{payroll}:27: warning: AlertPolicy 'page-me' is not imported" in warnings
    assert str(shop) not in warnings  # nothing lost from the calendar-aligned SLO


def test_write_keeps_the_rest_of_the_file(model: Path, tmp_path: Path) -> None:
    shop = write_text(tmp_path / "shop.yaml", SERVICE_AND_CALENDAR_SLO)
    assert run_cli("slo", "import", shop, "--model", model, "--write").exit_code == 0
    text = (model / "services.yaml").read_text()
    assert "# the shop front: money comes in here" in text
    # the new sla goes before depends_on, and the other services are untouched
    assert text.index("sla:", text.index("web-shop")) < text.index("depends_on", text.index("web-shop"))
    assert "sla: {target: 99.0, period: week}" in text


def test_without_write_nothing_changes(model: Path, tmp_path: Path) -> None:
    before = (model / "services.yaml").read_text()
    shop = write_text(tmp_path / "shop.yaml", SERVICE_AND_CALENDAR_SLO)
    result = run_cli("slo", "import", shop, "--model", model)
    assert result.exit_code == 0
    assert "web-shop: sla {target: 99.95, period: month}" in result.stdout
    assert "--write" in result.stdout
    assert (model / "services.yaml").read_text() == before


@pytest.mark.parametrize(
    ("duration", "rolling", "period", "warned"),
    [
        ("1d", False, "day", False),
        ("24h", False, "day", False),
        ("1w", False, "week", False),
        ("7d", False, "week", False),
        ("1M", False, "month", False),
        ("1Q", False, "quarter", False),
        ("3M", False, "quarter", False),
        ("2w", False, "week", True),  # 14 d: nearer a week (x2) than a month (x2.17)
        ("1Y", False, "quarter", True),
        ("7d", True, "week", True),
        ("30d", True, "month", True),
        ("90d", True, "quarter", True),
        ("1h", True, "day", True),
    ],
)
def test_time_windows(
    model: Path, tmp_path: Path, duration: str, rolling: bool, period: str, warned: bool
) -> None:
    window = (
        f"{{duration: {duration}, isRolling: true}}"
        if rolling
        else f"{{duration: {duration}, calendar: {{startTime: '2026-01-05 00:00:00', timeZone: UTC}}}}"
    )
    # 2026-01-05 is a Monday and not the 1st: only weeks and days start there
    slo = write_text(
        tmp_path / "slo.yaml",
        f"""\
        apiVersion: openslo/v1
        kind: SLO
        metadata: {{name: shop}}
        spec:
          service: web-shop
          timeWindow: [{window}]
          objectives: [{{target: 0.999}}]
        """,
    )
    result = run_cli("slo", "import", slo, "--model", model, "--write")
    assert result.exit_code == 0, result.stderr
    assert {s.id: s.sla for s in load_model(model).services}["web-shop"] == SlaSpec(
        target=99.9, period=period
    )  # type: ignore[arg-type]
    mapping_warned = "cannot be mapped" in result.stderr or "has no bizmap period" in result.stderr
    assert mapping_warned == warned
    start_warned = "is not the start of a" in result.stderr
    assert start_warned == (not rolling and period in ("month", "quarter"))


def test_a_timezone_other_than_the_calendars_is_warned(model: Path, tmp_path: Path) -> None:
    slo = write_text(
        tmp_path / "slo.yaml",
        """\
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: payroll}
        spec:
          service: payroll
          timeWindow:
            - {duration: 1w, calendar: {startTime: "2026-01-05 00:00:00", timeZone: America/New_York}}
          objectives: [{target: 0.99}]
        """,
    )
    result = run_cli("slo", "import", slo, "--model", model)
    assert result.exit_code == 0
    # payroll's SLA is on its service calendar, office, in Europe/Paris
    assert (
        "periods start at local midnight in Europe/Paris (the timezone of calendar 'office')" in result.stderr
    )


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        (
            "service: ghost",
            "no business service 'ghost' in the model; add it to the model, or map it with --map",
        ),
        ("service: app", "'app' is a component: SLAs belong to business services"),
        ("{}", "spec.service is missing"),
    ],
)
def test_unknown_services_are_errors(model: Path, tmp_path: Path, spec: str, error: str) -> None:
    body = "\n          ".join(spec.split("\n")) if spec != "{}" else ""
    slo = write_text(
        tmp_path / "slo.yaml",
        f"""\
        apiVersion: openslo/v1
        kind: SLO
        metadata: {{name: lost}}
        spec:
          {body}
          timeWindow: [{{duration: 1M, isRolling: false, calendar: {{startTime: "2026-01-01 00:00:00"}}}}]
          objectives: [{{target: 0.99}}]
        """,
    )
    before = (model / "services.yaml").read_text()
    result = run_cli("slo", "import", slo, "--model", model, "--write")
    assert result.exit_code == 1
    assert f"{slo}:1: error: SLO 'lost': {error}" in result.stderr
    assert (model / "services.yaml").read_text() == before


@pytest.mark.parametrize(
    ("objective", "error"),
    [
        ("{target: 1.0}", "target 100 % leaves no room"),
        ("{targetPercent: 0}", "target 0 % leaves no room"),
        ("{displayName: x}", "has no numeric target"),
    ],
)
def test_targets_outside_the_range_are_errors(
    model: Path, tmp_path: Path, objective: str, error: str
) -> None:
    slo = write_text(
        tmp_path / "slo.yaml",
        f"""\
        apiVersion: openslo/v1
        kind: SLO
        metadata: {{name: shop}}
        spec:
          service: web-shop
          timeWindow: [{{duration: 1M, isRolling: false, calendar: {{startTime: "2026-01-01 00:00:00"}}}}]
          objectives: [{objective}]
        """,
    )
    result = run_cli("slo", "import", slo, "--model", model)
    assert result.exit_code == 1
    assert error in result.stderr


def test_other_versions_and_bad_yaml_are_errors(model: Path, tmp_path: Path) -> None:
    old = write_text(tmp_path / "old.yaml", "apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: {name: x}\n")
    broken = write_text(tmp_path / "broken.yaml", "apiVersion: openslo/v1\nkind: [SLO\n")
    result = run_cli("slo", "import", old, broken, "--model", model)
    assert result.exit_code == 1
    assert f"{old}:1: error: SLO 'x': apiVersion 'openslo/v1alpha' is not read" in result.stderr
    assert f"{broken}:3: error: YAML syntax error" in result.stderr


def test_round_trip_gives_the_same_slas(model: Path, tmp_path: Path) -> None:
    exported = tmp_path / "exported.yaml"
    assert run_cli("slo", "export", model, "--output", exported).exit_code == 0
    before = {s.id: s.sla for s in load_model(model).services}
    # drop every SLA from the model, then import what was exported
    (model / "services.yaml").write_text(
        MODEL.replace("    sla: {target: 99.0, period: week}\n", "").replace(
            "    sla: {target: 99.5, period: quarter, calendar: 24x7, degraded_counts_as: down}\n", ""
        )
    )
    assert all(s.sla is None for s in load_model(model).services)
    result = run_cli("slo", "import", exported, "--model", model, "--write")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # bizmap's own export maps without a warning
    assert {s.id: s.sla for s in load_model(model).services} == before


def test_export_documents(model: Path) -> None:
    import yaml

    result = run_cli("slo", "export", model)
    assert result.exit_code == 0
    documents = list(yaml.safe_load_all(result.stdout))
    # two services have an SLA: a Service and an SLO for each, by id
    assert [(d["kind"], d["metadata"]["name"]) for d in documents] == [
        ("Service", "claims"),
        ("SLO", "claims-sla"),
        ("Service", "payroll"),
        ("SLO", "payroll-sla"),
    ]
    claims, payroll = documents[1]["spec"], documents[3]["spec"]
    assert claims["objectives"] == [{"displayName": "SLA", "target": 0.995}]
    # claims: quarter on the 24x7 calendar (UTC); payroll: week on office (Europe/Paris)
    assert claims["timeWindow"] == [
        {
            "duration": "1Q",
            "isRolling": False,
            "calendar": {"startTime": "2024-01-01 00:00:00", "timeZone": "UTC"},
        }
    ]
    assert payroll["timeWindow"][0]["duration"] == "1w"
    assert payroll["timeWindow"][0]["calendar"]["timeZone"] == "Europe/Paris"
    assert documents[1]["metadata"]["annotations"] == {
        "bizmap.io/degraded-counts-as": "down",
        "bizmap.io/sla-calendar": "24x7",
    }
