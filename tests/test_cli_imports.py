"""The command line imports only what a command uses (issue 15).

A user pays for every library a command imports, at every run: scipy, the chart and PDF
libraries, the database and the web stack take seconds to import. Each test runs a fresh
interpreter with ``-X importtime`` and reads which modules it imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

import bizmap

ROOT = Path(__file__).resolve().parents[1]
# the libraries of the reports, the business cases, the database and the web server
HEAVY = {"scipy", "numpy", "matplotlib", "weasyprint", "alembic", "sqlalchemy", "fastapi"}
WEB = {"starlette", "uvicorn", "jinja2", "httpx"}
# what ``bizmap`` runs (the entry point's script, as pip writes it)
ENTRY_POINT = "import sys; from bizmap.cli.main import main; sys.argv[0] = 'bizmap'; sys.exit(main())"


def imported(*arguments: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run a fresh interpreter; the process and every module it imported."""
    env = dict(os.environ)
    # the same bizmap as this test process: the source tree, or an installed build
    env["PYTHONPATH"] = str(Path(bizmap.__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    listing = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    modules = {line.rpartition("|")[2].strip() for line in listing}
    modules.discard("imported package")  # the header line
    return done, modules


def packages(modules: set[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


@pytest.mark.parametrize("module", ["bizmap.cli", "bizmap.cli.main"])
def test_importing_the_command_line_imports_no_heavy_library(module: str) -> None:
    done, modules = imported("-c", f"import {module}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert module in modules  # the importtime listing is read right
    assert packages(modules) & (HEAVY | WEB) == set()


def test_version_imports_no_heavy_library() -> None:
    done, modules = imported("-c", ENTRY_POINT, "--version")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == f"bizmap {bizmap.__version__}\n"
    assert "typer" in packages(modules)
    assert packages(modules) & (HEAVY | WEB) == set()


def test_whatif_imports_no_heavy_library() -> None:
    done, modules = imported("-c", ENTRY_POINT, "whatif", "examples/hospital", "--down", "dns-core", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    hit = {service["id"] for service in orjson.loads(done.stdout)["services"]}
    assert {"patient-records", "e-prescribing"} <= hit
    assert {"bizmap.analytics.whatif", "bizmap.model.loading"} <= modules
    assert packages(modules) & (HEAVY | WEB) == set()


def test_help_lists_every_command_without_importing_a_heavy_library() -> None:
    done, modules = imported("-c", ENTRY_POINT, "--help")
    assert done.returncode == 0, done.stderr[-2000:]
    for command in ("validate", "whatif", "spof", "graph", "serve", "replay", "report", "case", "bia"):
        assert command in done.stdout
    assert "Single points of failure" in done.stdout  # the commands' help texts, not only names
    assert packages(modules) & (HEAVY | WEB) == set()


def test_the_listing_catches_a_heavy_import() -> None:
    """The way these tests read the imports does see a heavy library when one is imported."""
    done, modules = imported("-c", "import bizmap.cli.main; import bizmap.storage.store")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "sqlalchemy" in packages(modules)
