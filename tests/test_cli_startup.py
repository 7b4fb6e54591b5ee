"""The ``bizmap`` script builds only the command it runs, and behaves as the whole app.

``bizmap.cli.main.main`` gives Typer an app holding the one command (or group) that the
command line names (issue 15: building all of them took 40-60 ms of each run). Whatever it
prints, the whole app prints the same; help and mistyped names still see every command.
"""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from bizmap.cli.main import app, app_for, main

HOSPITAL = "examples/hospital"


def names(built: typer.Typer) -> list[str]:
    group = typer.main.get_command(built)
    return sorted(group.commands)  # type: ignore[attr-defined]


ALL = names(app)


def run(built: typer.Typer, *arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(built, list(arguments))
    return result.exit_code, result.stdout, result.stderr


def test_every_command_and_group_is_found_by_its_name() -> None:
    assert {"validate", "whatif", "spof", "graph", "serve", "token", "report", "bia", "import"} <= set(ALL)
    for name in ALL:
        assert names(app_for([name, "--help"])) == [name]


@pytest.mark.parametrize("name", ALL)
def test_help_of_each_command_is_the_same_built_alone(name: str) -> None:
    alone = run(app_for([name, "--help"]), name, "--help")
    assert alone[0] == 0
    assert alone == run(app, name, "--help")


@pytest.mark.parametrize(
    "arguments",
    [
        ["whatif", HOSPITAL, "--down", "dns-core", "--json"],
        ["whatif", HOSPITAL, "--down", "dns-core"],
        ["spof", HOSPITAL, "--json"],
        ["validate", HOSPITAL],
        ["whatif", HOSPITAL, "--down", "no-such-node"],  # exit 2, the message on stderr
        ["whatif", HOSPITAL, "--bogus"],  # Typer's own usage error
        ["report", "review", "--period", "2026-13"],  # a group's command
        ["token"],  # a group alone: its help
    ],
)
def test_a_command_built_alone_answers_as_in_the_whole_app(arguments: list[str]) -> None:
    assert run(app_for(arguments), *arguments) == run(app, *arguments)


@pytest.mark.parametrize("arguments", [[], ["--help"], ["--version"], ["--version", "whatif"], ["wahtif"]])
def test_options_first_and_unknown_names_get_the_whole_app(arguments: list[str]) -> None:
    assert app_for(arguments) is app


def test_a_mistyped_command_is_still_told_the_right_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["bizmap", "wahtif", HOSPITAL])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    assert "whatif" in capsys.readouterr().err


def test_top_level_help_through_main_lists_every_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["bizmap", "--help"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    for name in ALL:
        assert name in shown
