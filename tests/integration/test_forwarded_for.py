"""`bizmap serve` trusts X-Forwarded-For (and X-Forwarded-Proto) only from the proxies named
with --trusted-proxy: by default a client cannot escape the login throttle by sending a new
X-Forwarded-For with each try, not even from this machine.

Real servers on free ports of 127.0.0.1 (uvicorn's proxy handling runs outside the app, so an
in-process client would not see it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from integration_support import BIZMAP, START_TIMEOUT, Process, free_port, wait_for

from bizmap.storage.store import Store, migrate
from bizmap.storage.users import UserStore
from helpers import SECTION_9_MODEL

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "reader-password"


class Served:
    def __init__(self, folder: Path, *options: str) -> None:
        self.db = f"sqlite:///{folder / 'bizmap.db'}"
        model = folder / "model.yaml"
        model.write_text(SECTION_9_MODEL)
        migrate(self.db)
        with Store(self.db) as store:
            self.admin = store.create_token("admin", "admin")
            UserStore(store.engine).add_user("read-user", "read", PASSWORD)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        args = [str(BIZMAP), "serve", str(model), "--db", self.db, "--port", str(port), *options]
        self.process = Process("bizmap", args, folder / "server.log")

        def healthy() -> bool:
            if not self.process.alive():
                raise AssertionError(f"bizmap serve exited:\n{self.process.output()}")
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200

        try:
            wait_for("bizmap serve to answer /healthz", healthy, START_TIMEOUT)
        except BaseException:
            self.process.kill()
            raise

    def log_in(self, password: str, forwarded_for: str) -> int:
        """One login attempt by a fresh browser, through a 'proxy' that says it came from
        ``forwarded_for``; the status code."""
        headers = {"X-Forwarded-For": forwarded_for}
        with httpx.Client(base_url=self.url, headers=headers, timeout=10) as browser:
            form = CSRF.search(browser.get("/login").text)
            assert form is not None
            data = {"csrf_token": form.group(1), "name": "read-user", "password": password}
            return browser.post("/login", data=data).status_code

    def refused_addresses(self) -> list[str]:
        answer = httpx.get(
            f"{self.url}/api/v1/audit", headers={"Authorization": f"Bearer {self.admin}"}, timeout=10
        )
        assert answer.status_code == 200, answer.text
        entries = answer.json()["entries"]
        return [e["detail"].get("address") for e in entries if e["action"] == "ui.login.refused"]


# one server of each kind for the module: each test tries its own addresses
@pytest.fixture(scope="module")
def default_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = Served(tmp_path_factory.mktemp("default"))
    yield served
    served.process.stop()


@pytest.fixture(scope="module")
def proxied_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = Served(tmp_path_factory.mktemp("proxied"), "--trusted-proxy", "127.0.0.1")
    yield served
    served.process.stop()


def test_a_new_forwarded_for_each_try_does_not_escape_the_throttle(default_server: Served) -> None:
    for number in range(5):
        assert default_server.log_in("wrong-password", f"198.51.100.{number}") == 401
    assert default_server.log_in(PASSWORD, "198.51.100.99") == 429
    assert set(default_server.refused_addresses()) == {"127.0.0.1"}  # the real peer, every time


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_clients(proxied_server: Served) -> None:
    for _ in range(5):
        assert proxied_server.log_in("wrong-password", "203.0.113.7") == 401
    assert proxied_server.log_in(PASSWORD, "203.0.113.7") == 429  # that client waits
    assert proxied_server.log_in(PASSWORD, "203.0.113.8") == 303  # another one behind the proxy does not
    assert set(proxied_server.refused_addresses()) == {"203.0.113.7"}


def test_https_at_the_proxy_makes_cookies_secure_only_when_the_proxy_is_trusted(
    default_server: Served, proxied_server: Served
) -> None:
    def login_cookie(served: Served) -> str:
        answer = httpx.get(f"{served.url}/login", headers={"X-Forwarded-Proto": "https"}, timeout=10)
        return answer.headers["set-cookie"]

    assert "secure" in login_cookie(proxied_server).lower()
    assert "secure" not in login_cookie(default_server).lower()
