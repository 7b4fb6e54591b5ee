"""The deployment files in deploy/ work as written: systemd accepts the unit, and its command
line starts a real server (paths and port swapped for the test's)."""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from integration_support import Process, env_ci, free_port, wait_for

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
BIZMAP = str(Path(sys.executable).with_name("bizmap"))
MODEL = "services:\n  - {id: shop, depends_on: [web]}\ncomponents:\n  - {id: web}\n"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "bizmap.service")
    return parser


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if env_ci():
            pytest.fail("systemd-analyze is missing; CI=true: the unit must be checked")
        pytest.skip("systemd-analyze is not installed")
    text = (DEPLOY / "bizmap.service").read_text().replace("/opt/bizmap/bin/bizmap", BIZMAP)
    local = tmp_path / "bizmap.service"
    local.write_text(text)
    done = subprocess.run([analyze, "verify", str(local)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_the_units_command_line_serves(tmp_path: Path) -> None:
    command = shlex.split(unit()["Service"]["ExecStart"])
    assert command[:2] == ["/opt/bizmap/bin/bizmap", "serve"]
    model = tmp_path / "model"
    model.mkdir()
    (model / "services.yaml").write_text(MODEL)
    port = free_port()
    swapped = {
        "/opt/bizmap/bin/bizmap": BIZMAP,
        "/etc/bizmap/model": str(model),
        "sqlite:////var/lib/bizmap/bizmap.db": f"sqlite:///{tmp_path / 'bizmap.db'}",
        "8000": str(port),
    }
    args = [swapped.get(arg, arg) for arg in command]
    assert all(not arg.startswith(("/opt", "/etc", "/var")) for arg in args), args
    process = Process("bizmap", args, tmp_path / "server.log")
    try:
        wait_for(
            "the unit's bizmap serve to answer",
            lambda: (
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
                if process.alive()
                else pytest.fail(process.output())
            ),
            30,
        )
    finally:
        process.stop()
    assert os.path.exists(tmp_path / "bizmap.db")
