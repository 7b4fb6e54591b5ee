"""What every ``bizmap`` command shares: the Typer app, the consoles, argument types, and the
helpers that print JSON, money and durations or turn a bad model into exit code 1.

Command groups live in their own modules (``cli_*.py``) and add themselves to ``app``;
``bizmap.cli.main`` imports them all.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from bizmap.domain.compile import CompiledGraph

app = typer.Typer(
    help="bizmap: what IT failures cost the business, in money, people and service levels.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class _ConsoleOnFirstUse:
    """A rich Console, made when first used: rich takes tens of milliseconds to import, which
    a command printing JSON never needs. Reading or setting an attribute reaches the console,
    and so does ``with`` (rich's Live and Progress hold their console that way)."""

    _stderr: bool
    _console: Console | None

    def __init__(self, stderr: bool) -> None:
        object.__setattr__(self, "_stderr", stderr)
        object.__setattr__(self, "_console", None)

    def _made(self) -> Console:
        console = self._console
        if console is None:
            from rich.console import Console

            if self._stderr:
                console = Console(stderr=True)
            else:  # piped or redirected output is still read by people: give tables room to breathe
                console = Console(width=None if Console().is_terminal else 120)
            object.__setattr__(self, "_console", console)
        return console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._made(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._made(), name, value)

    def __enter__(self) -> Console:
        return self._made().__enter__()

    def __exit__(self, *exc_info: Any) -> None:
        self._made().__exit__(*exc_info)


def console_on_first_use(stderr: bool) -> Console:
    """A rich Console for stdout or stderr, made when it is first used."""
    return cast("Console", _ConsoleOnFirstUse(stderr))


out = console_on_first_use(stderr=False)
err = console_on_first_use(stderr=True)

ModelArg = Annotated[
    Path, typer.Argument(help="A model: one YAML file or a directory of them.", show_default=False)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON (semantics §5).")]


def fail(message: str, code: int) -> NoReturn:
    err.print(message, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def graph_or_exit(model: Path) -> CompiledGraph:
    from bizmap.domain.validate import ModelInvalid
    from bizmap.model.loading import load_graph

    try:
        return load_graph(model)
    except ModelInvalid as invalid:
        for problem in invalid.problems:
            err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def print_json(document: Any) -> None:
    import orjson

    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")
