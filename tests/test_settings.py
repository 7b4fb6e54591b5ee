"""Every setting has help text and is documented in the README with its default; the trusted
proxies are addresses or networks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bizmap.errors import UsageError
from bizmap.settings import describe, parse_trusted_proxies
from helpers import SECTION_9_MODEL, run_cli, write_text

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_setting_is_documented_with_its_default() -> None:
    for name, default, help_text in describe():
        assert help_text
        assert f"| `--{name.replace('_', '-')}` | `{default}` |" in README, name


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert parse_trusted_proxies([]) == ()
    assert parse_trusted_proxies(["127.0.0.1"]) == ("127.0.0.1",)
    # repeated or comma- or space-separated (the environment variable), networks normalised
    assert parse_trusted_proxies(["10.0.0.5, 10.1.2.3/8", "::1 fd00::/8"]) == (
        "10.0.0.5",
        "10.0.0.0/8",
        "::1",
        "fd00::/8",
    )
    for wrong in ("proxy.internal", "*", "10.0.0.0/33", "localhost"):
        with pytest.raises(UsageError, match=f"--trusted-proxy: {re.escape(repr(wrong))} is not an IP"):
            parse_trusted_proxies([wrong])


def test_serve_refuses_a_trusted_proxy_that_is_not_an_address(tmp_path: Path) -> None:
    model = write_text(tmp_path / "model.yaml", SECTION_9_MODEL)
    result = run_cli("serve", model, "--db", f"sqlite:///{tmp_path / 'b.db'}", "--trusted-proxy", "*")
    assert result.exit_code == 2
    assert "--trusted-proxy: '*' is not an IP address or network" in result.stderr
