"""The live read API on SQLite and PostgreSQL: nodes, what-if, single points, audit, /metrics.

The clock stands at Monday 2026-03-09 09:00 UTC (10:00 in Paris) and the model is the §9
example: `orders` (office hours Mon-Fri 09:00-17:00 Paris, base 1,000 revenue + 10 people
x 50 = 1,500/h, degraded factor 0.5, workaround x0.5 for 1.5 h) depends on `app`, a quorum
of 50 % of the weight 4 (need 2) over a (weight 2), b and c.

The usual live state below: `a` down since 08:00Z and `c` degraded since 08:30Z. Then `app`
sees ok weight 1 (b) and degraded weight 1 (c): 2 >= 2 with degraded, so `app` and `orders`
are degraded, with root causes a and c.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest_web import Server, make_tokens
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bizmap.settings import Settings
from bizmap.storage.store import Store
from bizmap.web.app import create_app
from helpers import utc

NOW = utc("2026-03-09T09:00:00Z")
LIVE_EVENTS = [
    {"node": "a", "state": "down", "time": "2026-03-09T08:00:00Z", "id": "e1"},
    {"node": "c", "state": "degraded", "time": "2026-03-09T08:30:00Z", "id": "e2", "key": "latency"},
]


@pytest.fixture
def server(database: str, model_path: Path) -> Iterator[Server]:
    tokens = make_tokens(database)
    app = create_app(Settings(model=str(model_path), db=database, max_body_bytes=10_000), clock=lambda: NOW)
    with TestClient(app) as client:
        yield Server(client, database, tokens)


@pytest.fixture
def degraded(server: Server) -> Server:
    """The server with `a` down and `c` degraded."""
    response = server.client.post("/api/v1/events", json=LIVE_EVENTS, headers=server.headers("ingest"))
    assert response.status_code == 202, response.text
    return server


def get(server: Server, path: str, role: str = "read") -> dict[str, Any]:
    response = server.client.get(path, headers=server.headers(role))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def whatif(server: Server, body: object) -> tuple[int, dict[str, Any]]:
    response = server.client.post("/api/v1/whatif", json=body, headers=server.headers("read"))
    return response.status_code, response.json()


# --- nodes -------------------------------------------------------------------------------------


def test_nodes_show_state_own_state_signals_and_root_causes(degraded: Server) -> None:
    nodes = {n["id"]: n for n in get(degraded, "/api/v1/nodes")["nodes"]}
    assert list(nodes) == ["orders", "app", "a", "b", "c"]
    assert nodes["orders"] == {
        "id": "orders",
        "name": None,
        "kind": "service",
        "state": "degraded",
        "own_state": "ok",
        "in_maintenance": False,
        "signals": {},
        "root_causes": ["a", "c"],
    }
    assert nodes["app"]["kind"] == "component"
    assert (nodes["app"]["state"], nodes["app"]["own_state"]) == ("degraded", "ok")
    assert nodes["app"]["root_causes"] == ["a", "c"]
    assert (nodes["a"]["state"], nodes["a"]["own_state"], nodes["a"]["signals"]) == (
        "down",
        "down",
        {"default": "down"},
    )
    assert nodes["a"]["root_causes"] == ["a"]
    assert nodes["c"]["signals"] == {"latency": "degraded"}
    assert (nodes["b"]["state"], nodes["b"]["signals"], nodes["b"]["root_causes"]) == ("ok", {}, [])


def test_nodes_filter_by_state(degraded: Server) -> None:
    assert [n["id"] for n in get(degraded, "/api/v1/nodes?state=down")["nodes"]] == ["a"]
    assert [n["id"] for n in get(degraded, "/api/v1/nodes?state=degraded")["nodes"]] == ["orders", "app", "c"]
    assert [n["id"] for n in get(degraded, "/api/v1/nodes?state=ok")["nodes"]] == ["b"]
    assert get(degraded, "/api/v1/nodes?state=unknown")["nodes"] == []
    bad = degraded.client.get("/api/v1/nodes?state=sideways", headers=degraded.headers("read"))
    assert bad.status_code == 422


def test_one_node_with_children_and_parents(degraded: Server) -> None:
    app = get(degraded, "/api/v1/nodes/app")
    assert app["state"] == "degraded" and app["rule"] == "quorum"
    assert app["children"] == [
        {"id": "a", "weight": 2, "effect": "hard"},
        {"id": "b", "weight": 1, "effect": "hard"},
        {"id": "c", "weight": 1, "effect": "hard"},
    ]
    assert app["parents"] == [{"id": "orders", "weight": 1, "effect": "hard"}]
    leaf = get(degraded, "/api/v1/nodes/b")
    assert leaf["children"] == [] and leaf["parents"] == [{"id": "app", "weight": 1, "effect": "hard"}]
    missing = degraded.client.get("/api/v1/nodes/ghost", headers=degraded.headers("read"))
    assert missing.status_code == 404 and "ghost" in missing.text


# --- what-if ------------------------------------------------------------------------------------


def test_whatif_starts_from_the_live_state(degraded: Server) -> None:
    # Live: a down, c degraded. With b down too, app sees ok 0, degraded 1 (c), unknown 0:
    # less than 2 in every sum, so app and orders go down; the full 1,500 per hour (what-if
    # applies no calendar or workaround), 10 people.
    status, body = whatif(degraded, {"down": ["b"]})
    assert status == 200
    assert body == {
        "currency": "EUR",
        "services": [
            {
                "id": "orders",
                "state": "down",
                "cost_per_hour": 1500.0,
                "users": 10,
                "safety_critical": False,
                "root_causes": ["a", "b", "c"],
            }
        ],
        "total_cost_per_hour": 1500.0,
        "users_affected": 10,
    }


def test_whatif_sets_states_on_top_of_the_live_ones(degraded: Server) -> None:
    # c down instead of degraded: app sees ok weight 1 (b) only, so it is down.
    _, body = whatif(degraded, {"down": ["c"]})
    assert [(s["id"], s["state"], s["root_causes"]) for s in body["services"]] == [
        ("orders", "down", ["a", "c"])
    ]
    # Nothing hypothetical: the live impact, degraded at 0.5 x 1,500.
    _, now = whatif(degraded, {})
    assert [(s["id"], s["state"], s["cost_per_hour"]) for s in now["services"]] == [
        ("orders", "degraded", 750.0)
    ]


def test_whatif_with_nothing_live_is_the_model_level_answer(server: Server) -> None:
    # a alone (weight 2 of 4, need 2): b and c keep the quorum, nothing is hit.
    assert whatif(server, {"down": ["a"]}) == (
        200,
        {"currency": "EUR", "services": [], "total_cost_per_hour": 0.0, "users_affected": 0},
    )
    _, body = whatif(server, {"down": ["a"], "unknown": ["b"]})
    assert [(s["id"], s["state"]) for s in body["services"]] == [("orders", "unknown")]


def test_whatif_does_not_change_the_live_state(degraded: Server) -> None:
    before = get(degraded, "/api/v1/nodes")
    services_before = get(degraded, "/api/v1/services")
    status, body = whatif(degraded, {"down": ["b", "app"], "degraded": ["orders"]})
    assert status == 200 and body["services"][0]["state"] == "down"
    assert get(degraded, "/api/v1/nodes") == before
    assert get(degraded, "/api/v1/services") == services_before
    assert get(degraded, "/api/v1/services/orders")["state"] == "degraded"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"down": ["ghost"]}, "ghost"),
        ({"down": ["b"], "degraded": ["a", "b"]}, "'b'"),
        ({"down": "b"}, "down"),
        ({"down": [5]}, "down"),
        ({"sideways": ["b"]}, "sideways"),
        ([], "body"),
    ],
)
def test_bad_whatif_input_gets_422_naming_it(degraded: Server, body: object, named: str) -> None:
    before = get(degraded, "/api/v1/nodes")
    status, answer = whatif(degraded, body)
    assert status == 422, answer
    assert named in str(answer)
    assert get(degraded, "/api/v1/nodes") == before


def test_whatif_body_must_be_json(server: Server) -> None:
    response = server.client.post("/api/v1/whatif", content=b"{nope", headers=server.headers("read"))
    assert response.status_code == 422


# --- single points of failure -------------------------------------------------------------------


def test_spof_never_names_the_quorum_group(degraded: Server) -> None:
    # a, b or c alone leave the quorum (need 2 of 4) met; app is a group (children, no match,
    # no mtbf_hours), not a failure unit: nothing is listed. Model-level: the live state (a
    # down) changes nothing.
    assert get(degraded, "/api/v1/spof") == {
        "currency": "EUR",
        "services": [{"id": "orders", "single_points": []}],
        "ranked": [],
    }
    assert get(degraded, "/api/v1/spof") == get(degraded, "/api/v1/spof")  # cached, same answer


# --- audit --------------------------------------------------------------------------------------


def test_audit_log_newest_first_with_a_limit(server: Server) -> None:
    with Store(server.url) as store:
        store.audit("alice", "token.create", {"name": "ci", "role": "ingest"})
        store.audit("bob", "token.revoke", {"name": "ci"})
    entries = get(server, "/api/v1/audit", role="admin")["entries"]
    assert [(e["actor"], e["action"], e["detail"]) for e in entries] == [
        ("bob", "token.revoke", {"name": "ci"}),
        ("alice", "token.create", {"name": "ci", "role": "ingest"}),
    ]
    assert entries[0]["id"] > entries[1]["id"] and entries[0]["at"].endswith("Z")
    limited = get(server, "/api/v1/audit?limit=1", role="admin")["entries"]
    assert [e["actor"] for e in limited] == ["bob"]
    too_many = server.client.get("/api/v1/audit?limit=0", headers=server.headers("admin"))
    assert too_many.status_code == 422


# --- metrics ------------------------------------------------------------------------------------


def scrape(server: Server) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = server.client.get("/metrics", headers=server.headers("read"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_events_and_show_service_state_and_cost(degraded: Server) -> None:
    ingest = degraded.headers("ingest")
    retry = degraded.client.post("/api/v1/events", json=LIVE_EVENTS[:1], headers=ingest)
    assert retry.json()["duplicates"] == 1
    degraded.client.post("/api/v1/events", json={"node": "ghost", "state": "down"}, headers=ingest)
    samples = scrape(degraded)
    # Stored: e1, e2 and ghost; one retry; ghost fitted no node.
    assert samples[("bizmap_events_ingested_total", ())] == 3
    assert samples[("bizmap_events_duplicate_total", ())] == 1
    assert samples[("bizmap_events_unmatched_total", ())] == 1
    assert samples[("bizmap_service_state", (("service", "orders"),))] == 1  # degraded
    # Degraded since 08:30Z (09:30 Paris, inside office hours): 30 min counted, within the
    # workaround's 1.5 h, so 1,500 x 0.5 (degraded) x 0.5 (workaround) = 375 per hour.
    cost = samples[("bizmap_service_cost_per_hour", (("currency", "EUR"), ("service", "orders")))]
    assert cost == 375.0 == get(degraded, "/api/v1/services/orders")["cost_per_hour"]
    assert samples[("bizmap_last_commit_seconds", ())] >= 0
    # the business figures: orders' 10 people, in office hours and unplanned
    assert samples[("bizmap_service_users_affected", (("service", "orders"),))] == 10
    # degraded 08:30-09:00Z at 375 an hour: 187.50 this month
    period = (("currency", "EUR"), ("service", "orders"))
    assert samples[("bizmap_service_cost_this_period", period)] == 187.5
    # SLA 99.9 % a month, degraded counts as up: 100 % so far; measured from the first event
    # (08:00Z), one hour: a budget of 0.1 % of 3,600 s = 3.6 s, none spent
    assert samples[("bizmap_service_sli_percent", (("service", "orders"),))] == 100.0
    assert samples[("bizmap_service_error_budget_remaining_seconds", (("service", "orders"),))] == (
        pytest.approx(3.6)
    )
    assert ("bizmap_service_sli_percent", (("service", "payroll"),)) not in samples  # no SLA
    assert samples[("bizmap_open_incidents", ())] == len(
        get(degraded, "/api/v1/incidents?open=true")["incidents"]
    )


def test_metrics_of_a_quiet_server(server: Server) -> None:
    samples = scrape(server)
    assert samples[("bizmap_events_ingested_total", ())] == 0
    assert samples[("bizmap_service_state", (("service", "orders"),))] == 0
    assert samples[("bizmap_service_cost_per_hour", (("currency", "EUR"), ("service", "orders")))] == 0


def test_each_app_has_its_own_metrics_registry(database: str, model_path: Path) -> None:
    tokens = make_tokens(database)
    settings = Settings(model=str(model_path), db=database)
    auth = {"Authorization": f"Bearer {tokens['read']}"}
    first, second = create_app(settings, clock=lambda: NOW), create_app(settings, clock=lambda: NOW)
    with TestClient(first) as one, TestClient(second) as two:
        assert one.get("/metrics", headers=auth).status_code == 200
        assert two.get("/metrics", headers=auth).status_code == 200


# --- roles --------------------------------------------------------------------------------------

READERS = {"read", "operate", "admin"}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("get", "/api/v1/nodes", READERS),
        ("get", "/api/v1/nodes/app", READERS),
        ("post", "/api/v1/whatif", READERS),
        ("get", "/api/v1/spof", READERS),
        ("get", "/metrics", READERS),
        ("get", "/api/v1/audit", {"admin"}),
    ],
)
def test_every_live_call_needs_a_token_with_the_right_role(
    server: Server, method: str, path: str, allowed: set[str]
) -> None:
    kwargs = {"json": {"down": ["b"]}} if method == "post" else {}
    assert getattr(server.client, method)(path, **kwargs).status_code == 401
    bad = {"Authorization": "Bearer bzm_not-a-token"}
    assert getattr(server.client, method)(path, headers=bad, **kwargs).status_code == 401
    for role in ("read", "ingest", "operate", "admin"):
        status = getattr(server.client, method)(path, headers=server.headers(role), **kwargs).status_code
        assert status == (200 if role in allowed else 403), (role, status)
