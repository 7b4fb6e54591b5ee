"""Each reproduction of the hardening issue, against a real `bizmap serve` on the hospital model:
every one is answered 4xx with a problem document, the server keeps serving, and its log has no
traceback. (Each case has its own focused tests beside the code; this is the whole at once, as
an attacker or a careless client would send it.)"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from integration_support import Bizmap, create_tokens

ROOT = Path(__file__).resolve().parents[2]
BILLION_LAUGHS = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Bizmap]:
    model = tmp_path / "hospital"
    shutil.copytree(ROOT / "examples" / "hospital", model)
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    served = Bizmap(model, db, tmp_path / "server.log", create_tokens(db, ("ingest", "read", "admin")))
    served.start()
    try:
        yield served
    finally:
        served.stop()


def _refused(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["detail"]
    return body


def test_every_reproduction_is_refused_and_the_server_keeps_serving(server: Bizmap) -> None:
    url, ingest, read = server.base, server.headers("ingest"), server.headers("read")
    with httpx.Client(base_url=url, timeout=30) as client:
        deep = "[" * 1000 + "]" * 1000
        _refused(client.post("/api/v1/events", content=deep, headers=ingest), 400)
        nested = '{"node": "dns-core", "state": "down", "labels": ' + '{"a": ' * 1000 + "1" + "}" * 1001
        _refused(client.post("/api/v1/events", content=nested, headers=ingest), 400)
        huge = _refused(
            client.post("/api/v1/events", content='{"node": "x", "state": 1e400}', headers=ingest), 400
        )
        assert huge["field"] == "state"
        nul = _refused(
            client.post("/api/v1/events", json={"node": "dns\x00core", "state": "down"}, headers=ingest), 400
        )
        assert nul["field"] == "node"
        icinga = {
            "type": "Service",
            "filter": 'host.name=="dns-1" && service.name=="dns"',
            "exit_status": 2,
            "plugin_output": "DNS CRITICAL - no answer",
            "execution_end": 1e15,
        }
        far = _refused(client.post("/api/v1/ingest/icinga", json=icinga, headers=ingest), 400)
        assert far["field"] == "execution_end"
        for path in ("/api/v1/events?since=99999999999999999999999", "/api/v1/availability?seed=-6745"):
            _refused(client.get(path, headers=read), 422)

        (server.model / "zz-hostile.yaml").write_text(BILLION_LAUGHS + "\n")
        reload = _refused(client.post("/api/v1/model/reload", headers=server.headers("admin")), 422)
        assert "zz-hostile.yaml:9" in str(reload["detail"]) and "alias" in str(reload["detail"])

        services = client.get("/api/v1/services", headers=read)
        assert services.status_code == 200 and len(services.json()["services"]) == 5
        taken = client.post("/api/v1/events", json={"node": "dns-core", "state": "down"}, headers=ingest)
        assert taken.status_code == 202, taken.text
    assert server.process is not None and server.process.alive()
    log = server.log.read_text()
    assert "Traceback" not in log and "Internal Server Error" not in log, log[-4000:]
