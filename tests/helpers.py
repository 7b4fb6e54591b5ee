"""Shared test helpers: build models and compiled graphs from small YAML texts or plain data.

Add to this file; do not change what others rely on.
"""

from __future__ import annotations

import json
import socket
import textwrap
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from bizmap.domain.compile import CompiledGraph, compile_model
from bizmap.domain.model import Model
from bizmap.domain.states import State
from bizmap.domain.validate import Document, validate_documents
from bizmap.model.loading import parse_yaml


def model_from_yaml(text: str, name: str = "model.yaml") -> Model:
    """Parse and validate one YAML text (dedented); fail loudly on any problem."""
    document, problems = parse_yaml(textwrap.dedent(text), name)
    assert not problems, [str(p) for p in problems]
    assert document is not None
    return validate_documents([document])


def graph_from_yaml(text: str, name: str = "model.yaml") -> CompiledGraph:
    """Parse, validate and compile one YAML text (dedented)."""
    return compile_model(model_from_yaml(text, name))


def graph_from_data(data: Mapping[str, Any], name: str = "model.yaml") -> CompiledGraph:
    """Validate and compile a model given as plain data (as YAML would parse it)."""
    return compile_model(validate_documents([Document(name, dict(data))]))


def own_states(graph: CompiledGraph, states: Mapping[str, str | State]) -> dict[int, int]:
    """{node id: state name} -> {node index: state value}, for ``Propagation.set_own``."""
    return {
        graph.index[node]: int(state if isinstance(state, State) else State[state.upper()])
        for node, state in states.items()
    }


class PageLimit:
    """A SQLite database that fills up on demand: ``PRAGMA max_page_count`` on every connection
    the engine hands out. Past the limit SQLite refuses writes with SQLITE_FULL, "database or
    disk is full", the very error of a full disk, without filling the machine's disk."""

    UNLIMITED = 1_073_741_823  # SQLite's default maximum page count

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pages = self.UNLIMITED
        sa_event.listen(engine, "checkout", self._apply)

    def _apply(self, dbapi_connection: Any, record: Any, proxy: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={self.pages}")

    def full_after(self, pages: int) -> None:
        """From now on, the database may grow by ``pages`` pages at most."""
        with self.engine.connect() as connection:
            self.pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one()) + pages

    def lift(self) -> None:
        """Space again: as when the disk is freed."""
        self.pages = self.UNLIMITED


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def utc(text: str) -> float:
    """POSIX seconds of an RFC 3339 time, computed with the standard library only."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# --- command line and files on disk (used by test_validate, test_replay, test_cli) ---------------

# The model of semantics §9: calendar `office` (Europe/Paris, mon-fri 09:00-17:00); `orders`
# (base 1,000 + 10 x 50 = 1,500/h) with a workaround (0.5 for 1.5 h) and a 24x7 monthly SLA of
# 99.9 %, depending on `app`, a quorum of 50 % over a (weight 2), b and c.
SECTION_9_MODEL = """\
calendars:
  office:
    timezone: Europe/Paris
    hours:
      mon-fri: "09:00-17:00"
services:
  - id: orders
    calendar: office
    impact:
      revenue_per_hour: 1000
      users: 10
      cost_per_user_hour: 50
    workaround:
      impact_factor: 0.5
      max_hours: 1.5
    sla:
      target: 99.9
      period: month
      calendar: 24x7
    depends_on: [app]
components:
  - id: app
    depends_on:
      rule: quorum
      need: "50%"
      children:
        - {id: a, weight: 2}
        - b
        - c
  - id: a
  - id: b
  - id: c
"""


def write_text(path: Path, text: str) -> Path:
    """Write a dedented text to ``path`` (parents created) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def write_events(path: Path, events: Sequence[Mapping[str, Any] | str]) -> Path:
    """Write an event log, one JSON object per line; a ``str`` item is written verbatim."""
    lines = [item if isinstance(item, str) else json.dumps(item) for item in events]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(*args: str | Path) -> Result:
    """Run ``bizmap ARGS`` in-process; stdout and stderr come back separately.

    A Python exception escaping the command is a bug (users must never see a traceback), so
    it fails the test here instead of being hidden in ``result.exception``.
    """
    from bizmap.cli.main import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            f"bizmap {' '.join(map(str, args))} raised {result.exception!r}\nstderr: {result.stderr}"
        ) from result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result


def nonempty_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def generated_model_data(nodes: int) -> dict[str, Any]:
    """A layered model of about ``nodes`` nodes as plain data: hosts, applications on three hosts
    each, and one business service per 100 nodes on five applications (large-model tests)."""
    services = max(1, nodes // 100)
    apps = nodes // 4
    hosts = nodes - apps - services
    components: list[dict[str, Any]] = [{"id": f"host-{i}", "type": "host"} for i in range(hosts)]
    components += [
        {"id": f"app-{i}", "depends_on": [f"host-{(i * 3 + k) % hosts}" for k in range(3)]}
        for i in range(apps)
    ]
    return {
        "services": [
            {
                "id": f"svc-{i}",
                "impact": {"revenue_per_hour": 1000, "users": 10},
                "depends_on": [f"app-{(i * 5 + k) % apps}" for k in range(5)],
            }
            for i in range(services)
        ],
        "components": components,
    }


def rfc3339(seconds: float) -> str:
    """A POSIX time as the RFC 3339 text events carry (UTC, microseconds)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
