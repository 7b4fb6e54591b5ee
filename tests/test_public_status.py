"""The model key ``public_status`` (a service on the public status page): validated like every key."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import graph_from_yaml, run_cli, write_text


def test_public_status_defaults_to_false_and_takes_a_boolean() -> None:
    graph = graph_from_yaml(
        """\
        services:
          - {id: shown, public_status: true}
          - {id: hidden, public_status: false}
          - {id: quiet}
        """
    )
    assert {graph.ids[s.index]: s.spec.public_status for s in graph.services} == {
        "shown": True,
        "hidden": False,
        "quiet": False,
    }


@pytest.mark.parametrize("value", ['"yes"', "1", "maybe", "[true]"])
def test_a_public_status_that_is_not_a_boolean_is_an_error_at_its_line(tmp_path: Path, value: str) -> None:
    path = write_text(
        tmp_path / "model.yaml",
        f"""\
        services:
          - id: booking
            public_status: {value}
        """,
    )
    result = run_cli("validate", path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:3: error: service 'booking': public_status")


def test_public_status_on_a_component_is_an_unknown_key(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "model.yaml",
        """\
        services:
          - {id: booking, depends_on: [web]}
        components:
          - id: web
            public_status: true
        """,
    )
    result = run_cli("validate", path)
    assert result.exit_code == 1
    assert f"{path}:5: error:" in result.stderr
    assert "'web'" in result.stderr and "public_status" in result.stderr
