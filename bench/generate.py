"""Generate large, realistic-shaped models and event streams for the benchmarks.

A layered estate: hosts at the bottom, then platform components, applications, and
business services on top; each node depends on 2-5 nodes of the layer below with a mix of
all/any/quorum rules and edge effects, so propagation meets every rule.
"""

from __future__ import annotations

import random
from typing import Any

RULES = ("all", "all", "any", "quorum")
EFFECTS = ("hard",) * 8 + ("soft", "escalate")


def model_data(nodes: int, seed: int = 7) -> dict[str, Any]:
    """A model as plain data (what YAML loading produces) with ``nodes`` nodes in all."""
    rng = random.Random(seed)
    services = max(1, nodes // 100)
    layer_sizes = [int(nodes * 0.6), int(nodes * 0.3)]
    layer_sizes.append(nodes - services - sum(layer_sizes))
    layers: list[list[str]] = []
    components: list[dict[str, Any]] = []
    for depth, size in enumerate(layer_sizes):
        ids = [f"c{depth}-{i}" for i in range(size)]
        for node_id in ids:
            item: dict[str, Any] = {"id": node_id, "type": ("host", "platform", "application")[depth]}
            if depth == 0:
                item["match"] = [{"instance": node_id}]
            else:
                item["depends_on"] = _depends(rng, layers[-1])
            components.append(item)
        layers.append(ids)
    service_items = []
    for i in range(services):
        service_items.append(
            {
                "id": f"svc-{i}",
                "impact": {
                    "revenue_per_hour": rng.choice((500, 2000, 10000)),
                    "users": rng.randint(0, 500),
                    "cost_per_user_hour": 40,
                },
                "workaround": {"impact_factor": 0.5, "max_hours": 2},
                "sla": {"target": 99.5},
                "depends_on": _depends(rng, layers[-1]),
            }
        )
    return {"currency": "EUR", "services": service_items, "components": components}


def _depends(rng: random.Random, below: list[str]) -> dict[str, Any]:
    count = rng.randint(2, 5)
    # most edges are plain ids (hard); some carry an effect, as in hand-written models
    children: list[Any] = [
        c if rng.random() < 0.8 else {"id": c, "effect": rng.choice(EFFECTS)}
        for c in rng.sample(below, min(count, len(below)))
    ]
    rule = rng.choice(RULES)
    spec: dict[str, Any] = {"rule": rule, "children": children}
    if rule == "quorum":
        spec["need"] = max(1, len(children) - 1)
    return spec


def events(model: dict[str, Any], count: int, start: float, seed: int = 11) -> list[dict[str, Any]]:
    """``count`` native events on the model's hosts: failures, degradations and recoveries."""
    rng = random.Random(seed)
    hosts = [c["id"] for c in model["components"] if c.get("match")]
    failing: list[str] = []
    out = []
    time = start
    for i in range(count):
        time += rng.expovariate(1 / 2.0)  # one event every ~2 s on average
        if failing and rng.random() < 0.5:
            host = failing.pop(rng.randrange(len(failing)))
            state = "ok"
        else:
            host = rng.choice(hosts)
            failing.append(host)
            state = rng.choice(("down", "down", "degraded", "critical"))
        out.append({"labels": {"instance": host, "job": "node"}, "state": state, "time": time, "id": f"e{i}"})
    return out
