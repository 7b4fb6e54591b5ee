"""What every ``bizmap`` command shares: the Typer app, the consoles, argument types, and the
helpers that print JSON, money and durations or turn a bad model into exit code 1.

Command groups live in their own modules (``cli_*.py``) and add themselves to ``app``;
``bizmap.cli.main`` imports them all.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

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
            else:  # piped or redirected output is still read by people: give tables room to breathe,
                # unless COLUMNS says how wide (rich reads it)
                wide = Console().is_terminal or os.environ.get("COLUMNS", "").isdigit()
                console = Console(width=None if wide else 120)
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


def print_table(table: Table) -> None:
    """Print a table whose figures are never cut: money, counts and durations stay whole.

    The right-aligned columns hold the figures; each is kept as wide as its widest cell, and
    the text columns (names, causes) wrap at spaces instead. When even that does not fit the
    width (a narrow terminal, ``COLUMNS``, 120 when piped), each row is printed as a block of
    ``header  value`` lines.
    """
    for column in table.columns:
        if column.justify == "right":
            column.no_wrap = True
            column.min_width = max(column.min_width or 0, _widest(column.cells))
    if not table.show_header or _least_width(table) <= out.width:
        out.print(table)
    else:
        _print_as_blocks(table)


def _texts(cells: Iterable[Any]) -> list[Text]:
    from rich.text import Text

    return [Text.from_markup(cell) if isinstance(cell, str) else Text(str(cell)) for cell in cells]


def _widest(cells: Iterable[Any]) -> int:
    return max((text.cell_len for text in _texts(cells)), default=0)


def _least_width(table: Table) -> int:
    """The narrowest the table can be with nothing cut: columns that do not wrap whole, the
    others as wide as their longest word; one space of padding each side, and the borders."""
    total = 1
    for column in table.columns:
        cells = [column.header, *column.cells]
        if column.no_wrap:
            need = _widest(cells)
        else:
            need = max((len(word) for text in _texts(cells) for word in text.plain.split()), default=0)
        total += max(need, column.min_width or 0) + 3
    return total


def _print_as_blocks(table: Table) -> None:
    """Each row as its first cell, then one ``header  value`` line per other column."""
    from rich.table import Table

    if table.title:
        out.print(table.title, style="bold", highlight=False)
    columns = table.columns
    for row in zip(*(list(column.cells) for column in columns), strict=True):
        block = Table.grid(padding=(0, 2, 0, 0), pad_edge=False)
        block.add_column(no_wrap=True)
        block.add_column(overflow="fold")
        for column, cell in zip(columns[1:], row[1:], strict=True):
            if str(cell):
                block.add_row(f"  {column.header}", cell)
        out.print()
        out.print(row[0], highlight=False)  # cells hold the table's own markup
        out.print(block, highlight=False)


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
