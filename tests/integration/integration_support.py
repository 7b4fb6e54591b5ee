"""Real processes for the integration tests: `bizmap serve` (and its tokens) as a subprocess.

Everything listens on 127.0.0.1 only, on free ports; every wait is bounded; a started
process is always ended (SIGKILL at the latest) by whoever started it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

BIZMAP = Path(sys.executable).parent / "bizmap"
START_TIMEOUT = 30.0
T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def create_token(db: str, role: str) -> str:
    result = subprocess.run(
        [str(BIZMAP), "token", "create", "--role", role, "--db", db],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token and "\n" not in token, result.stdout
    return token


def create_tokens(db: str, roles: tuple[str, ...] = ("ingest", "read")) -> dict[str, str]:
    """A token of each role, created by `bizmap token create` (the first one migrates the database)."""
    first, *rest = roles
    tokens = {first: create_token(db, first)}
    with ThreadPoolExecutor(len(rest) or 1) as pool:
        tokens.update(zip(rest, pool.map(lambda role: create_token(db, role), rest), strict=True))
    return tokens


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, interval: float = 0.1) -> T:
    """Call ``probe`` until it returns something other than None (or False); bounded."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = probe()
        except httpx.TransportError as error:
            last = error
        else:
            if last is not None and last is not False:
                return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; last: {last!r}")
        time.sleep(interval)


class Process:
    """A subprocess with its output in a log file, shown when something goes wrong."""

    def __init__(self, name: str, args: list[str], log: Path) -> None:
        self.name = name
        self.log = log
        self._out = log.open("ab")
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL, as a crash would; waits until it is gone."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._out.close()

    def stop(self) -> None:
        """SIGTERM, and SIGKILL after 10 s."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._out.close()


class Bizmap:
    """`bizmap serve MODEL --db DB` on a free port of 127.0.0.1, with an ingest and a read token."""

    def __init__(self, model: Path, db: str, log: Path, tokens: dict[str, str]) -> None:
        self.model = model
        self.db = db
        self.log = log
        self.tokens = tokens
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: Process | None = None

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def start(self) -> None:
        args = [str(BIZMAP), "serve", str(self.model), "--db", self.db]
        args += ["--host", "127.0.0.1", "--port", str(self.port)]
        self.process = process = Process("bizmap", args, self.log)

        def healthy() -> bool:
            if not process.alive():
                raise AssertionError(
                    f"bizmap serve exited with {process.proc.returncode}:\n{process.output()}"
                )
            return httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200

        try:
            wait_for("bizmap serve to answer /healthz", healthy, START_TIMEOUT)
        except BaseException:
            process.kill()
            raise

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def get(self, path: str, **params: Any) -> Any:
        response = httpx.get(f"{self.base}{path}", params=params, headers=self.headers("read"), timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def all_events(self, page: int = 50, **filters: Any) -> list[dict[str, Any]]:
        """Every stored event, paging with ``since``."""
        events: list[dict[str, Any]] = []
        since = 0
        for _ in range(10_000):
            answer = self.get("/api/v1/events", since=since, limit=page, **filters)
            events += answer["events"]
            if not answer["events"]:
                return events
            assert answer["next_since"] > since
            since = answer["next_since"]
        raise AssertionError("paging /api/v1/events did not end")


def env_ci() -> bool:
    return os.environ.get("CI") == "true"
