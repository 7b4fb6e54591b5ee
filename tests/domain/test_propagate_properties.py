"""Properties of propagation (semantics §2) on random DAGs and random own-state changes.

After every step, the incremental states must equal ``recompute_all()`` on a fresh
``Propagation`` with the same own states, and a naive recursive evaluator written here from
the text of §2 over the raw model data (not the compiled graph).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bizmap.domain.compile import CompiledGraph
from bizmap.domain.propagate import Propagation, root_causes
from helpers import graph_from_data

OK, DEGRADED, UNKNOWN, DOWN = 0, 1, 2, 3
EFFECTS = ("hard", "soft", "escalate", "ignore")
PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class RandomModel:
    data: dict[str, Any]
    ids: tuple[str, ...]
    # node id -> (rule, need, [(child id, weight, effect)])
    rules: dict[str, tuple[str, int | str | None, list[tuple[str, int, str]]]]


def _first(child: tuple[int, int, str]) -> int:
    return child[0]


@cache
def node_strategy(i: int) -> st.SearchStrategy[tuple[list[tuple[int, int, str]], str, str, int, bool]]:
    """Node number i's children (numbers below i, weight, effect), rule and need, in one draw.

    Built once per i: building strategies inside the composite is what makes generation slow.
    """
    return st.tuples(
        st.lists(
            st.tuples(st.integers(0, max(i - 1, 0)), st.integers(1, 3), st.sampled_from(EFFECTS)),
            max_size=min(i, 6),
            unique_by=_first,
        ),
        st.sampled_from(("all", "any", "quorum")),
        st.sampled_from(("weight", "share", "decimal share")),
        st.integers(1, 1000),
        st.booleans(),
    )


@st.composite
def random_models(draw: st.DrawFn, max_nodes: int = 40) -> RandomModel:
    """A random valid DAG: node i may depend on nodes with a smaller number only."""
    n = draw(st.integers(1, max_nodes))
    ids = tuple(f"n{i}" for i in range(n))
    rules: dict[str, tuple[str, int | str | None, list[tuple[str, int, str]]]] = {}
    specs = []
    for i, node in enumerate(ids):
        drawn, rule, need_kind, need_value, explicit = draw(node_strategy(i))
        children = [(ids[k], weight, effect) for k, weight, effect in drawn]
        counted = sum(weight for _, weight, effect in children if effect != "ignore")
        need: int | str | None = None
        if rule == "quorum" and counted == 0:
            rule = "all"  # a quorum over no counted children is a validation error
        elif rule == "quorum" and need_kind == "weight":
            need = 1 + need_value % counted  # 1 .. counted
        elif rule == "quorum" and need_kind == "share":
            need = f"{1 + need_value % 100}%"  # 1% .. 100%
        elif rule == "quorum":
            need = f"{need_value // 10}.{need_value % 10}%"  # 0.1% .. 100.0%
        rules[node] = (rule, need, children)
        spec: dict[str, Any] = {"id": node}
        if children or explicit:
            depends: dict[str, Any] = {
                "rule": rule,
                "children": [{"id": c, "weight": w, "effect": e} for c, w, e in children],
            }
            if need is not None:
                depends["need"] = need
            spec["depends_on"] = depends
        specs.append(spec)
    # list the nodes in a random order so that numbering differs from the dependency order
    order = draw(st.permutations(range(n)))
    as_service = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    services = [specs[i] for i in order if as_service[i]]
    components = [specs[i] for i in order if not as_service[i]]
    return RandomModel({"services": services, "components": components}, ids, rules)


# --- the naive reference, from the text of §2 -------------------------------------------------


def seen(state: int, effect: str) -> int:
    if effect == "soft":
        return min(state, DEGRADED)
    if effect == "escalate":
        return DOWN if state == DEGRADED else state
    return state


def derive(rule: str, need: int | str | None, counted: list[tuple[int, int]]) -> int:
    if not counted:
        return OK
    if rule == "all":
        return max(s for s, _ in counted)
    if rule == "any":
        return min(s for s, _ in counted)
    total = sum(w for _, w in counted)
    q = Fraction(need.rstrip("%")) / 100 * total if isinstance(need, str) else Fraction(need or 0)
    w_ok = sum(w for s, w in counted if s == OK)
    w_up = sum(w for s, w in counted if s in (OK, DEGRADED))
    w_unk = sum(w for s, w in counted if s == UNKNOWN)
    if w_ok >= q:
        return OK
    if w_up >= q:
        return DEGRADED
    if w_up + w_unk >= q:
        return UNKNOWN
    return DOWN


def reference_states(model: RandomModel, own: dict[str, int]) -> dict[str, int]:
    memo: dict[str, int] = {}

    def state(node: str) -> int:
        if node not in memo:
            rule, need, children = model.rules[node]
            counted = [(seen(state(c), e), w) for c, w, e in children if e != "ignore"]
            memo[node] = max(own.get(node, OK), derive(rule, need, counted))
        return memo[node]

    return {node: state(node) for node in model.ids}


def reference_root_causes(
    model: RandomModel, states: dict[str, int], own: dict[str, int], x: str
) -> set[str]:
    if states[x] == OK:
        return set()
    reachable = {x}
    frontier = [x]
    while frontier:
        node = frontier.pop()
        for child, _, effect in model.rules[node][2]:
            if effect != "ignore" and states[child] != OK and child not in reachable:
                reachable.add(child)
                frontier.append(child)
    return {n for n in reachable if own.get(n, OK) != OK}


# --- helpers --------------------------------------------------------------------------------


def fresh_recompute(graph: CompiledGraph, own: list[int]) -> list[int]:
    full = Propagation(graph)
    full.own[:] = own
    full.recompute_all()
    return list(full.state)


def by_id(graph: CompiledGraph, values: list[int]) -> dict[str, int]:
    return {graph.ids[i]: v for i, v in enumerate(values)}


@cache
def change_batches(n: int) -> st.SearchStrategy[Any]:
    node = st.integers(0, n - 1)
    state = st.sampled_from((OK, DEGRADED, UNKNOWN, DOWN))
    return st.one_of(
        st.dictionaries(node, state, min_size=1, max_size=4),
        # a list of pairs may name a node twice: the last value wins
        st.lists(st.tuples(node, state), min_size=1, max_size=4),
        st.just("recompute"),
    )


@st.composite
def models_and_steps(draw: st.DrawFn) -> tuple[RandomModel, list[Any]]:
    model = draw(random_models())
    steps = draw(st.lists(change_batches(len(model.ids)), min_size=1, max_size=20))
    return model, steps


# --- properties -----------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(models_and_steps())
def test_incremental_states_equal_full_recomputation_and_naive_reference(
    case: tuple[RandomModel, list[Any]],
) -> None:
    model, steps = case
    graph = graph_from_data(model.data)
    propagation = Propagation(graph)
    own_by_id: dict[str, int] = {}
    for step in steps:
        before = list(propagation.state)
        if step == "recompute":
            # states are already consistent: a full recomputation changes nothing
            assert propagation.recompute_all() == []
            assert propagation.state == before
            continue
        pairs = list(step.items()) if isinstance(step, dict) else step
        # indices are compiled positions; translate to ids for the reference
        for index, value in pairs:
            own_by_id[graph.ids[index]] = value
        changed = propagation.set_own(step)

        assert by_id(graph, propagation.own) == {i: own_by_id.get(i, OK) for i in graph.ids}
        assert propagation.state == fresh_recompute(graph, propagation.own)
        assert by_id(graph, propagation.state) == reference_states(model, own_by_id)

        # set_own returns exactly the nodes whose state changed, each once, children first
        expected_changed = {i for i in range(len(graph)) if before[i] != propagation.state[i]}
        assert len(changed) == len(set(changed))
        assert set(changed) == expected_changed
        position = {node: k for k, node in enumerate(changed)}
        for node in changed:
            for child, _, _ in graph.children[node]:
                if child in position:
                    assert position[child] < position[node]


@PROPERTY_SETTINGS
@given(random_models(), st.data())
def test_recompute_all_returns_the_nodes_that_changed(model: RandomModel, data: st.DataObject) -> None:
    graph = graph_from_data(model.data)
    own = data.draw(
        st.lists(st.sampled_from((OK, DEGRADED, UNKNOWN, DOWN)), min_size=len(graph), max_size=len(graph))
    )
    propagation = Propagation(graph)
    propagation.own[:] = own
    changed = propagation.recompute_all()
    expected = reference_states(model, by_id(graph, own))
    assert by_id(graph, propagation.state) == expected
    # starting from all ok, the changed nodes are exactly the non-ok ones
    assert sorted(changed) == sorted(i for i in range(len(graph)) if propagation.state[i] != OK)
    # and incremental updates continue correctly from a full recomputation
    propagation.set_own({0: DOWN})
    own[0] = DOWN
    assert by_id(graph, propagation.state) == reference_states(model, by_id(graph, own))


@PROPERTY_SETTINGS
@given(random_models(max_nodes=25), st.data())
def test_root_causes_match_the_path_definition(model: RandomModel, data: st.DataObject) -> None:
    graph = graph_from_data(model.data)
    own = data.draw(
        st.lists(st.sampled_from((OK, OK, DEGRADED, UNKNOWN, DOWN)), min_size=len(graph), max_size=len(graph))
    )
    propagation = Propagation(graph)
    propagation.set_own(dict(enumerate(own)))
    own_by_id = by_id(graph, own)
    states = by_id(graph, propagation.state)
    for node in range(len(graph)):
        found = root_causes(graph, propagation, node)
        assert len(found) == len(set(found))
        assert {graph.ids[i] for i in found} == reference_root_causes(
            model, states, own_by_id, graph.ids[node]
        )


@settings(PROPERTY_SETTINGS, max_examples=50)
@given(random_models())
def test_reset_brings_every_state_back_to_ok(model: RandomModel) -> None:
    graph = graph_from_data(model.data)
    propagation = Propagation(graph)
    propagation.set_own(dict.fromkeys(range(len(graph)), DOWN))
    assert all(s == DOWN for s in propagation.state)
    propagation.reset()
    assert propagation.own == [OK] * len(graph)
    assert propagation.state == [OK] * len(graph)
