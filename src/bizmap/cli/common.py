"""What every ``bizmap`` command shares: the Typer app, the consoles, argument types, and the
helpers that print JSON, money and durations or turn a bad model into exit code 1.

Command groups live in their own modules (``cli_*.py``) and add themselves to ``app``;
``bizmap.cli.main`` imports them all.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from bizmap.domain.compile import CompiledGraph

app = typer.Typer(
    help="bizmap: what IT failures cost the business, in money, people and service levels.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped or redirected output is still read by people: give tables room to breathe.
out = Console(width=None if Console().is_terminal else 120)
err = Console(stderr=True)

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
