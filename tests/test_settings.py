"""Every setting has help text and is documented in the README with its default."""

from __future__ import annotations

from pathlib import Path

from bizmap.settings import describe

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_setting_is_documented_with_its_default() -> None:
    for name, default, help_text in describe():
        assert help_text
        assert f"| `--{name.replace('_', '-')}` | `{default}` |" in README, name
