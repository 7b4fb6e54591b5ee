"""The ``bizmap`` entry point: ``bizmap --version`` answers before the command line is built.

Building the command line costs far more than a bare interpreter: typer (whose parameters
are checked with pydantic), rich, and every command's signature. ``bizmap --version`` needs
none of it; every other command line goes to the Typer app in ``bizmap.cli.main``, which
prints the same line for ``--version`` given with other arguments.
"""

from __future__ import annotations

import sys

from bizmap import __version__


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"bizmap {__version__}\n")
        return
    from bizmap.cli.main import main as command_line

    command_line()
