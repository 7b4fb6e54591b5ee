"""The hospital example in the browser: its public services on the status page, a DNS failure on
the overview and on a service page (the screenshots in docs/screenshots come from here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ui_support import UiServer, now_text

from conftest import shoot

HOSPITAL = Path(__file__).resolve().parents[2] / "examples" / "hospital"


@pytest.fixture
def ui_model() -> Path:
    return HOSPITAL


def test_the_hospital_status_page_shows_its_two_public_services(page: Any, server: UiServer) -> None:
    page.goto(server.url + "/status")
    assert page.locator(".status-item h2").all_inner_texts() == [
        "Electronic patient record (EPR)",
        "Online outpatient booking",
    ]


def test_a_dns_failure_on_the_hospital_overview_and_service_page(
    logged_in_page: Any, server: UiServer
) -> None:
    page = logged_in_page
    server.post_events(
        [
            {"node": "dns-core", "state": "down", "time": now_text(-1500), "summary": "DNS appliance down"},
            {"node": "pacs-archive", "state": "degraded", "time": now_text(-900), "summary": "slow disks"},
        ]
    )
    page.wait_for_function("document.getElementById('incident-count').textContent !== '0'", timeout=2_000)
    page.set_viewport_size({"width": 1400, "height": 900})
    shoot(page, "hospital-overview")
    services = server.api("/api/v1/services")["services"]
    hit = sorted(s["id"] for s in services if s["state"] != "ok")
    first = page.locator("#tiles > li").first.get_attribute("data-service")
    assert first == services[0]["id"]  # the API's order is by cost per hour, as the tiles begin
    assert hit  # the DNS appliance is a single point of failure of the trust
    page.goto(server.url + "/ui/services/patient-records")
    page.wait_for_function("document.querySelector('#graph canvas') !== null")
    page.wait_for_timeout(500)  # the layout settles
    shoot(page, "hospital-service")
    page.locator("#graph").screenshot(
        path=str(shoot(page, "hospital-service-graph", full_page=False))
    )
    page.goto(server.url + "/status")
    shoot(page, "hospital-status")
