"""Reloading the model without a restart, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from conftest_web import Server

from helpers import SECTION_9_MODEL

GROWN = SECTION_9_MODEL.replace("    depends_on: [app]", "    depends_on: [app, d]") + "  - id: d\n"


def orders(server: Server) -> dict:
    return dict(server.client.get("/api/v1/services/orders", headers=server.headers("read")).json())


def test_a_valid_model_is_swapped_in_and_keeps_the_live_state(server: Server, model_path: Path) -> None:
    ingest = server.headers("ingest")
    server.client.post(
        "/api/v1/events",
        json=[
            {"node": "a", "state": "down"},
            {"node": "c", "state": "down"},
            {"node": "d", "state": "degraded"},
        ],
        headers=ingest,
    )
    before = orders(server)
    assert before["state"] == "down" and before["root_causes"] == ["a", "c"]  # d is not in the model yet

    model_path.write_text(GROWN)
    reloaded = server.client.post("/api/v1/model/reload", headers=server.headers("admin"))
    assert reloaded.status_code == 200, reloaded.text
    assert reloaded.json() == {"reloaded": True, "nodes": 6, "services": 1}
    after = orders(server)
    # a and c are still down (state kept); the stored event for d now matches and counts too
    assert after["state"] == "down" and after["root_causes"] == ["a", "c", "d"]


def test_an_invalid_model_is_refused_with_its_errors_and_the_old_one_stays(
    server: Server, model_path: Path
) -> None:
    server.client.post(
        "/api/v1/events", json={"node": "a", "state": "down"}, headers=server.headers("ingest")
    )
    model_path.write_text(SECTION_9_MODEL.replace('need: "50%"', "need: 9"))
    refused = server.client.post("/api/v1/model/reload", headers=server.headers("admin"))
    assert refused.status_code == 422
    problems = refused.json()["problems"]
    assert len(problems) == 1 and f"{model_path}:" in problems[0] and "need 9" in problems[0]
    assert orders(server)["root_causes"] == []  # a (weight 2) down alone: quorum 2 of 4 still ok
    assert server.client.get("/api/v1/services/orders", headers=server.headers("read")).status_code == 200


def test_only_an_admin_reloads(server: Server) -> None:
    for role in ("read", "ingest", "operate"):
        assert server.client.post("/api/v1/model/reload", headers=server.headers(role)).status_code == 403


def test_a_hostile_model_is_refused_at_its_alias_and_the_old_one_stays(
    server: Server, model_path: Path
) -> None:
    server.client.post(
        "/api/v1/events", json={"node": "c", "state": "down"}, headers=server.headers("ingest")
    )
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [
        f"{name}: &{name} [" + ", ".join([f"*{before}"] * 10) + "]"
        for before, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]  # nine lines that would expand to over a billion values
    for text, line, words in (
        ("\n".join(laughs) + "\n", 9, ["alias *h", "write the values out or use fewer aliases"]),
        ("services:\n  - &a {id: s, depends_on: [*a]}\n", 2, ["alias *a", "inside"]),
    ):
        model_path.write_text(text)
        refused = server.client.post("/api/v1/model/reload", headers=server.headers("admin"))
        assert refused.status_code == 422, refused.text
        assert f"{model_path}:{line}:" in refused.text and all(w in refused.text for w in words)
        assert orders(server)["root_causes"] == []  # the old model still serves: c down alone
