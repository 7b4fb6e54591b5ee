"""The domain core does no I/O: the import-linter contract holds, and it would catch a breach."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(project / "src"), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_domain_core_imports_no_io_library() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The domain core does no I/O KEPT" in result.stdout


@pytest.mark.parametrize("library", ["sqlite3", "yaml", "json", "socket", "bizmap.loading"])
def test_contract_catches_an_io_import_in_the_domain(tmp_path: Path, library: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    rules = project / "src" / "bizmap" / "domain" / "cost.py"
    rules.write_text(f"import {library}  # a breach\n" + rules.read_text())
    result = _lint(project)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
