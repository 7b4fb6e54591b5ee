"""The OpenAPI document is the truth: schemathesis drives a real server with every check.

A real ``bizmap serve`` on a free port (SQLite in a temporary directory, the hospital model),
an admin token, and the schemathesis CLI against ``/openapi.json``: every operation, every
check (server errors, undocumented statuses and content types, response schemas, schema-valid
requests refused, schema-violating requests taken, ``Allow`` on 405, ...), the examples,
coverage, fuzzing and stateful phases. Any failure fails the test with schemathesis's report.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
BIN = Path(sys.executable).parent


@pytest.fixture
def running_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    database = f"sqlite:///{tmp_path / 'contract.db'}"
    created = subprocess.run(
        [BIN / "bizmap", "token", "create", "--role", "admin", "--db", database],
        capture_output=True,
        text=True,
        check=True,
    )
    token = created.stdout.strip().splitlines()[-1]
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [BIN / "bizmap", "serve", ROOT / "examples" / "hospital", "--db", database, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "bizmap serve did not start within 60 s"
            time.sleep(0.2)
        yield url, token
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert "Traceback" not in (tmp_path / "serve.log").read_text(), (tmp_path / "serve.log").read_text()


def test_the_api_keeps_every_promise_of_its_openapi_document(running_server: tuple[str, str]) -> None:
    url, token = running_server
    result = subprocess.run(
        [
            BIN / "schemathesis",
            "--config-file",
            CONFIG,
            "run",
            f"{url}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--seed",
            "20261203",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-20_000:]
    assert "No issues found" in report or " passed" in report, report[-5_000:]
