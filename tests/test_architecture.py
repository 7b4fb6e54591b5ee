"""The domain core does no I/O: the import-linter contract holds, and it would catch a breach."""

from __future__ import annotations

import ast
import importlib
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


@pytest.mark.parametrize("library", ["sqlite3", "yaml", "json", "socket", "bizmap.model.loading"])
def test_contract_catches_an_io_import_in_the_domain(tmp_path: Path, library: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    rules = project / "src" / "bizmap" / "domain" / "cost.py"
    rules.write_text(f"import {library}  # a breach\n" + rules.read_text())
    result = _lint(project)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


# -- the layout (docs/architecture.md) ---------------------------------------------------------
PACKAGE = ROOT / "src" / "bizmap"
MAX_MODULE_LINES = 600
MAX_TOP_LEVEL_MODULES = 6


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The bizmap modules ``name`` imports anywhere (inside functions too), except under
    ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text())
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:
                    found.add(sub)
                elif base in known:
                    found.add(base)
    found.discard(name)
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.get(module, ()):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycle_between_modules() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import() -> None:
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_is_too_long_to_read() -> None:
    long = {name: n for name, path in _modules().items() if (n := len(path.read_text().splitlines())) > 600}
    assert long == {}, f"split these modules (over {MAX_MODULE_LINES} lines): {long}"


def test_few_modules_sit_loose_at_the_top() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(loose) <= MAX_TOP_LEVEL_MODULES, loose


def test_the_layers_contract_holds() -> None:
    result = _lint(ROOT)
    assert "The folders are the pipeline: each layer imports only those below it KEPT" in result.stdout


def test_the_layers_contract_catches_an_upward_import(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    store = project / "src" / "bizmap" / "storage" / "store.py"
    store.write_text(
        "import bizmap.web.app  # a breach: storage reaching up to the web\n" + store.read_text()
    )
    result = _lint(project)
    assert result.returncode != 0
    assert "each layer imports only those below it BROKEN" in result.stdout


def test_every_error_class_is_a_bizmap_error_drawn_in_errors_py() -> None:
    import bizmap.errors

    drawn = bizmap.errors.__doc__ or ""
    classes = {
        node.name: name
        for name, path in _modules().items()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
        and any(ast.unparse(base).endswith(("Error", "Exception", "Invalid")) for base in node.bases)
    }
    for class_name, module in classes.items():
        kind = getattr(importlib.import_module(module), class_name)
        assert issubclass(kind, bizmap.errors.BizmapError), f"{module}.{class_name} is outside the hierarchy"
        if not class_name.startswith("_"):
            assert class_name in drawn, f"errors.py does not draw {class_name} ({module})"
