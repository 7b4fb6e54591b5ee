"""The command line imports only what a command uses (issue 15).

A user pays for every library a command imports, at every run: scipy, the chart and PDF
libraries, the database and the web stack take seconds to import. Each test runs a fresh
interpreter with ``-X importtime`` and reads which modules it imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import orjson
import pytest

import bizmap
from helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
# the libraries of the reports, the business cases, the database and the web server
HEAVY = {"scipy", "numpy", "matplotlib", "weasyprint", "alembic", "sqlalchemy", "fastapi"}
WEB = {"starlette", "uvicorn", "jinja2", "httpx"}
# the libraries that build the command line: ``bizmap --version`` answers without them
COMMAND_LINE = {"typer", "click", "rich", "pydantic"}


def entry_point() -> tuple[str, str]:
    """The module and function of the ``bizmap`` script (pyproject's [project.scripts])."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["bizmap"].partition(":")
    return module, function


def bizmap_script() -> str:
    """What the ``bizmap`` script that pip writes runs, as ``python -c`` code."""
    module, function = entry_point()
    return f"import sys; from {module} import {function}; sys.argv[0] = 'bizmap'; sys.exit({function}())"


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


@pytest.mark.parametrize("module", ["bizmap.cli", "bizmap.cli.main", entry_point()[0]])
def test_importing_the_command_line_imports_no_heavy_library(module: str) -> None:
    done, modules = imported("-c", f"import {module}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert module in modules  # the importtime listing is read right
    assert packages(modules) & (HEAVY | WEB) == set()


def test_version_answers_before_the_command_line_is_built() -> None:
    done, modules = imported("-c", bizmap_script(), "--version")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == f"bizmap {bizmap.__version__}\n"
    assert "bizmap" in packages(modules)
    assert packages(modules) & (HEAVY | WEB | COMMAND_LINE) == set()


def test_version_says_the_same_through_the_command_line() -> None:
    """``--version`` also reaches the Typer app (with other arguments): the same line."""
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"bizmap {bizmap.__version__}\n"


def test_whatif_imports_no_heavy_library() -> None:
    done, modules = imported(
        "-c", bizmap_script(), "whatif", "examples/hospital", "--down", "dns-core", "--json"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    hit = {service["id"] for service in orjson.loads(done.stdout)["services"]}
    assert {"patient-records", "e-prescribing"} <= hit
    assert {"bizmap.analytics.whatif", "bizmap.model.loading"} <= modules
    assert packages(modules) & (HEAVY | WEB) == set()
    assert "rich" not in packages(modules)  # JSON needs no console: rich is imported when one prints


def test_help_lists_every_command_without_importing_a_heavy_library() -> None:
    done, modules = imported("-c", bizmap_script(), "--help")
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


def test_a_progress_bar_draws_on_the_console_made_on_first_use() -> None:
    """``bizmap replay`` shows its progress on ``err``: rich's Live uses it as a context manager."""
    import io

    from rich.progress import Progress

    from bizmap.cli.common import console_on_first_use

    console = console_on_first_use(stderr=True)
    console.file = io.StringIO()
    with Progress(console=console, disable=False, transient=False) as progress:
        task = progress.add_task("reading events", total=10)
        progress.advance(task, 10)
    with console:  # as rich's own Console: output is buffered until the block ends
        console.print("done", markup=False)
    shown = console.file.getvalue()
    assert "reading events" in shown and "done" in shown


def test_the_server_starts_without_the_libraries_of_charts_cases_and_pdf() -> None:
    """``bizmap serve`` builds its app without numpy, scipy, matplotlib or WeasyPrint (a second
    or more of start-up); a page or a report that needs one imports it on first use."""
    done, modules = imported("-c", "import bizmap.web.app")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "bizmap.web.ui.decisions" in modules and "bizmap.reports.schedule" in modules
    assert packages(modules) & {"scipy", "numpy", "matplotlib", "weasyprint"} == set()
