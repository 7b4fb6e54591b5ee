"""A real Prometheus Alertmanager (Debian's `prometheus-alertmanager`) notifies a real `bizmap serve`.

An alert posted to Alertmanager's own API reaches bizmap through the webhook receiver of
deploy/alertmanager.yml, the example users install (bearer
token, payload version 4); the business service goes down with its root cause and an open
episode, and comes back when the alert is resolved. `make integration-deps` installs the
binary; without it this test skips, except when CI=true: then it fails.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from integration_support import Bizmap, Process, create_tokens, env_ci, free_port, rfc3339, wait_for

ALERTMANAGER = "prometheus-alertmanager"
WAIT = 30.0

MODEL = """\
services:
  - id: shop
    depends_on: [web]
components:
  - id: web
    match:
      - {alertname: WebDown}
"""

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "alertmanager.yml"


def example_config(port: int, token_file: Path) -> str:
    """deploy/alertmanager.yml as a user installs it, pointed at this server and token file,
    its waits shortened to a second for the test."""
    text = EXAMPLE.read_text()
    for old, new in (
        ("http://127.0.0.1:8000/", f"http://127.0.0.1:{port}/"),
        ("/etc/prometheus/bizmap.token", str(token_file)),
        ("group_wait: 10s", "group_wait: 1s"),
        ("group_interval: 30s", "group_interval: 1s"),
    ):
        assert old in text, f"deploy/alertmanager.yml no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def alertmanager_binary() -> str:
    found = shutil.which(ALERTMANAGER)
    if found is None:
        reason = f"{ALERTMANAGER} is not installed (run `make integration-deps`)"
        if env_ci():
            pytest.fail(f"{reason}; CI=true: this test must run, not skip")
        pytest.skip(reason)
    return found


@pytest.fixture
def bizmap(tmp_path: Path) -> Iterator[Bizmap]:
    model = tmp_path / "model.yaml"
    model.write_text(MODEL)
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    tokens = create_tokens(db)
    server = Bizmap(model, db, tmp_path / "bizmap.log", tokens)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def alertmanager(alertmanager_binary: str, bizmap: Bizmap, tmp_path: Path) -> Iterator[str]:
    """A running Alertmanager whose only receiver is bizmap; its base URL."""
    config = tmp_path / "alertmanager.yml"
    token_file = tmp_path / "bizmap.token"
    token_file.write_text(bizmap.tokens["ingest"] + "\n")
    config.write_text(example_config(bizmap.port, token_file))
    port = free_port()
    args = [
        alertmanager_binary,
        f"--config.file={config}",
        f"--storage.path={tmp_path / 'alertmanager-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
        "--log.level=debug",
    ]
    process = Process("alertmanager", args, tmp_path / "alertmanager.log")
    base = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            if not process.alive():
                raise AssertionError(
                    f"alertmanager exited with {process.proc.returncode}:\n{process.output()}"
                )
            return httpx.get(f"{base}/-/ready", timeout=2).status_code == 200

        wait_for("alertmanager to be ready", ready, WAIT)
        yield base
    finally:
        process.kill()


def post_alert(base: str, starts: float, ends: float) -> None:
    alert = {
        "labels": {"alertname": "WebDown", "severity": "critical"},
        "annotations": {"summary": "the web tier is down"},
        "startsAt": rfc3339(starts),
        "endsAt": rfc3339(ends),
    }
    response = httpx.post(f"{base}/api/v2/alerts", json=[alert], timeout=10)
    assert response.status_code == 200, response.text


def test_an_alert_from_alertmanager_takes_the_service_down_and_its_resolution_brings_it_back(
    bizmap: Bizmap, alertmanager: str
) -> None:
    assert bizmap.get("/api/v1/services/shop")["state"] == "ok"
    starts = float(int(time.time()) - 5)  # whole seconds: Go writes no fraction then, nor do we below
    post_alert(alertmanager, starts, starts + 3600)

    def down() -> dict[str, Any] | None:
        shop = bizmap.get("/api/v1/services/shop")
        return shop if shop["state"] == "down" else None

    shop = wait_for("shop to be down", down, WAIT, interval=0.2)
    assert shop["root_causes"] == ["web"]
    assert shop["episode"] is not None and shop["episode"]["worst_state"] == "down"

    post_alert(alertmanager, starts, time.time())

    def ok() -> dict[str, Any] | None:
        shop = bizmap.get("/api/v1/services/shop")
        return shop if shop["state"] == "ok" else None

    shop = wait_for("shop to be ok again", ok, WAIT, interval=0.2)
    assert shop["root_causes"] == [] and shop["episode"] is None

    events = bizmap.all_events(source="alertmanager")
    assert [(e["state"], e["source"], e["matched"]) for e in events] == [
        ("down", "alertmanager", True),
        ("ok", "alertmanager", True),
    ], events
    firing, resolved = events
    assert firing["labels"]["alertname"] == "WebDown" and firing["summary"] == "the web tier is down"
    assert firing["id"].startswith("am:") and firing["id"].endswith(
        ":firing:" + rfc3339(starts).replace(".000000", "")
    )
    assert firing["key"] == resolved["key"]  # the alert's fingerprint: one signal
    # Nothing else reached bizmap (e.g. no unmatched or repeated notification was stored).
    assert len(bizmap.all_events()) == 2


def test_the_example_configuration_passes_amtool() -> None:
    amtool = shutil.which("amtool")
    if amtool is None:
        if env_ci():
            pytest.fail("amtool (Debian's prometheus-alertmanager) is missing; CI=true: it must run")
        pytest.skip("amtool is not installed (Debian package prometheus-alertmanager)")
    done = subprocess.run([amtool, "check-config", str(EXAMPLE)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
