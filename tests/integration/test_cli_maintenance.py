"""`bizmap maintenance add/list/remove` against a real server process."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

BIZMAP = str(Path(sys.executable).parent / "bizmap")
MODEL = "services:\n  - {id: shop, depends_on: [web]}\ncomponents:\n  - {id: web}\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bizmap(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BIZMAP, *args], capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    model = tmp_path / "model.yaml"
    model.write_text(MODEL)
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    token = bizmap("token", "create", "--role", "operate", "--db", db).stdout.strip()
    port = free_port()
    process = subprocess.Popen(
        [BIZMAP, "serve", str(model), "--db", db, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start within 30 s")
        yield url, token
    finally:
        process.kill()
        process.wait(timeout=10)


def test_add_list_and_remove_a_window(server: tuple[str, str]) -> None:
    url, token = server
    common = ("--url", url, "--token", token)
    added = bizmap(
        "maintenance",
        "add",
        "--nodes",
        "web",
        "--start",
        "2030-01-01T22:00:00Z",
        "--end",
        "2030-01-02T02:00:00Z",
        "--reason",
        "Patching",
        "--id",
        "mw-1",
        *common,
    )
    assert added.returncode == 0, added.stderr
    assert "mw-1" in added.stdout
    listed = bizmap("maintenance", "list", "--json", *common)
    assert '"mw-1"' in listed.stdout and '"Patching"' in listed.stdout
    assert bizmap("maintenance", "remove", "mw-1", *common).returncode == 0
    assert '"mw-1"' not in bizmap("maintenance", "list", "--json", *common).stdout


def test_errors_are_reported_without_a_traceback(server: tuple[str, str]) -> None:
    url, token = server
    unknown = bizmap(
        "maintenance",
        "add",
        "--nodes",
        "ghost",
        "--start",
        "2030-01-01T22:00:00Z",
        "--end",
        "2030-01-02T02:00:00Z",
        "--reason",
        "x",
        "--url",
        url,
        "--token",
        token,
    )
    assert unknown.returncode == 1 and "ghost" in unknown.stderr and "Traceback" not in unknown.stderr
    refused = bizmap("maintenance", "list", "--url", url, "--token", "bzm_wrong")
    assert refused.returncode == 1 and "401" in refused.stderr
    absent = bizmap("maintenance", "list", "--url", "http://127.0.0.1:9", "--token", token)
    assert absent.returncode == 1 and "cannot reach" in absent.stderr
