"""Rules, edge effects and own state (semantics §2): truth tables against a reference.

The reference below is written from the text of §2, not from the code: edge effects map a
child's state, ``ignore`` leaves the child out, and quorum compares W_ok, W_up and
W_up + W_unk with q exactly (q = p/100 × total counted weight for a share).
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from functools import cache

import pytest

from bizmap.domain.compile import CompiledGraph
from bizmap.domain.propagate import Propagation
from bizmap.domain.states import State
from helpers import graph_from_data, graph_from_yaml, own_states

STATES = ("ok", "degraded", "unknown", "down")
RANK = {name: rank for rank, name in enumerate(STATES)}  # best to worst


# --- the reference, from the text of §2 -----------------------------------------------------


def seen_through(state: str, effect: str) -> str:
    """How a parent sees a child through an edge effect (ignore never gets here)."""
    if effect == "soft":  # at most degraded
        return "degraded" if state in ("unknown", "down") else state
    if effect == "escalate":  # degraded becomes down
        return "down" if state == "degraded" else state
    return state  # hard: unchanged


def reference_rule(rule: str, need: int | str | None, children: list[tuple[str, int, str]]) -> str:
    """Derived state of a node from (child state, weight, effect) triples."""
    counted = [
        (seen_through(state, effect), weight) for state, weight, effect in children if effect != "ignore"
    ]
    if not counted:
        return "ok"
    if rule == "all":
        return max((state for state, _ in counted), key=RANK.__getitem__)
    if rule == "any":
        return min((state for state, _ in counted), key=RANK.__getitem__)
    assert rule == "quorum"
    total = sum(weight for _, weight in counted)
    if isinstance(need, str):
        q = Fraction(need.rstrip("%")) / 100 * total
    else:
        assert need is not None
        q = Fraction(need)
    w_ok = sum(weight for state, weight in counted if state == "ok")
    w_up = sum(weight for state, weight in counted if state in ("ok", "degraded"))
    w_unk = sum(weight for state, weight in counted if state == "unknown")
    if w_ok >= q:
        return "ok"
    if w_up >= q:
        return "degraded"
    if w_up + w_unk >= q:
        return "unknown"
    return "down"


def worst(a: str, b: str) -> str:
    return a if RANK[a] >= RANK[b] else b


# --- building and evaluating small graphs -----------------------------------------------------

CHILD_IDS = ("a", "b", "c")


@cache
def parent_graph(
    rule: str, need: int | str | None, weights: tuple[int, ...], effects: tuple[str, ...]
) -> CompiledGraph:
    """Component ``p`` with leaf children a, b, c (as many as weights) under one rule."""
    children = [
        {"id": child, "weight": weight, "effect": effect}
        for child, weight, effect in zip(CHILD_IDS[: len(weights)], weights, effects, strict=True)
    ]
    depends_on: dict[str, object] = {"rule": rule, "children": children}
    if need is not None:
        depends_on["need"] = need
    components = [{"id": "p", "depends_on": depends_on}] + [
        {"id": child} for child in CHILD_IDS[: len(weights)]
    ]
    return graph_from_data({"components": components})


def evaluate(graph: CompiledGraph, states: dict[str, str], node: str = "p") -> str:
    """State of ``node`` with the given own states (all else ok), incrementally and in full.

    Both ways must agree; the incremental result is returned.
    """
    propagation = Propagation(graph)
    propagation.set_own(own_states(graph, states))
    incremental = propagation.node_state(graph.index[node]).label

    full = Propagation(graph)
    for index, value in own_states(graph, states).items():
        full.own[index] = value
    full.recompute_all()
    assert full.node_state(graph.index[node]).label == incremental
    return incremental


# --- truth tables over every combination of child states ----------------------------------------

RULE_CONFIGS = [
    # (rule, need, weights)
    ("all", None, (1, 1)),
    ("all", None, (1, 1, 1)),
    ("any", None, (1, 1)),
    ("any", None, (1, 1, 1)),
    ("quorum", 1, (1, 1)),
    ("quorum", 2, (1, 1)),
    ("quorum", 2, (1, 1, 1)),
    ("quorum", "50%", (1, 1)),  # q = 0.5 × 2 = 1
    ("quorum", "50%", (1, 1, 1)),  # q = 0.5 × 3 = 1.5: like need 2
    ("quorum", "34%", (1, 1, 1)),  # q = 0.34 × 3 = 1.02: like need 2, never rounded down to 1
    ("quorum", "100%", (1, 1, 1)),  # q = 3
    ("quorum", 3, (2, 1, 2)),  # weights: total 5
    ("quorum", "50%", (2, 1, 1)),  # §9's app: q = 0.5 × 4 = 2
    ("quorum", "60%", (3, 1, 1)),  # q = 0.6 × 5 = 3: a alone is enough
    ("any", None, (2, 1, 3)),  # weights do not matter to any
    ("all", None, (2, 1, 3)),  # nor to all
]


def _truth_table_cases() -> list[object]:
    cases = []
    for rule, need, weights in RULE_CONFIGS:
        for combo in itertools.product(STATES, repeat=len(weights)):
            label = f"{rule}-{need}-w{'.'.join(map(str, weights))}-{','.join(combo)}"
            cases.append(pytest.param(rule, need, weights, combo, id=label))
    return cases


@pytest.mark.parametrize(("rule", "need", "weights", "combo"), _truth_table_cases())
def test_rule_matches_reference_for_every_combination_of_child_states(
    rule: str, need: int | str | None, weights: tuple[int, ...], combo: tuple[str, ...]
) -> None:
    effects = ("hard",) * len(weights)
    graph = parent_graph(rule, need, weights, effects)
    expected = reference_rule(rule, need, list(zip(combo, weights, effects, strict=True)))
    assert evaluate(graph, dict(zip(CHILD_IDS, combo, strict=False))) == expected


@pytest.mark.parametrize("combo", list(itertools.product(STATES, repeat=3)), ids=",".join)
def test_fractional_share_34_percent_of_three_behaves_like_need_2(combo: tuple[str, ...]) -> None:
    # q = 34/100 × 3 = 1.02: one ok child (weight 1) is not enough, two are: exactly need 2.
    states = dict(zip(CHILD_IDS, combo, strict=True))
    share = evaluate(parent_graph("quorum", "34%", (1, 1, 1), ("hard",) * 3), states)
    need_two = evaluate(parent_graph("quorum", 2, (1, 1, 1), ("hard",) * 3), states)
    assert share == need_two


@pytest.mark.parametrize("combo", list(itertools.product(STATES, repeat=3)), ids=",".join)
def test_all_equals_quorum_100_percent_and_any_equals_quorum_of_one(combo: tuple[str, ...]) -> None:
    states = dict(zip(CHILD_IDS, combo, strict=True))
    hard = ("hard",) * 3
    assert evaluate(parent_graph("all", None, (1, 1, 1), hard), states) == evaluate(
        parent_graph("quorum", "100%", (1, 1, 1), hard), states
    )
    # equal weights 1: q = the smallest child weight = 1
    assert evaluate(parent_graph("any", None, (1, 1, 1), hard), states) == evaluate(
        parent_graph("quorum", 1, (1, 1, 1), hard), states
    )


# --- classic cases, written out by hand -------------------------------------------------------

CLASSIC_ROWS = [
    # all: the worst child
    ("all", None, (1, 1, 1), ("ok", "ok", "ok"), "ok"),
    ("all", None, (1, 1, 1), ("ok", "degraded", "ok"), "degraded"),
    ("all", None, (1, 1, 1), ("degraded", "unknown", "ok"), "unknown"),
    ("all", None, (1, 1, 1), ("unknown", "down", "degraded"), "down"),
    # any: the best child
    ("any", None, (1, 1, 1), ("down", "down", "ok"), "ok"),
    ("any", None, (1, 1, 1), ("down", "degraded", "unknown"), "degraded"),
    ("any", None, (1, 1, 1), ("down", "unknown", "down"), "unknown"),
    ("any", None, (1, 1, 1), ("down", "down", "down"), "down"),
    # quorum 2 of 3: W_ok=2 ≥ 2 -> ok
    ("quorum", 2, (1, 1, 1), ("ok", "ok", "down"), "ok"),
    # W_ok=1 < 2, W_up=2 ≥ 2 -> degraded
    ("quorum", 2, (1, 1, 1), ("ok", "degraded", "down"), "degraded"),
    # W_ok=1, W_up=1, W_up+W_unk=2 ≥ 2 -> unknown
    ("quorum", 2, (1, 1, 1), ("ok", "unknown", "down"), "unknown"),
    # W_up=1, W_unk=0 -> 1 < 2 -> down
    ("quorum", 2, (1, 1, 1), ("ok", "down", "down"), "down"),
    # W_ok=0, W_up=2 -> degraded (two degraded children still make a degraded quorum)
    ("quorum", 2, (1, 1, 1), ("degraded", "degraded", "down"), "degraded"),
    # "50%" of 3 = 1.5: W_ok=1 < 1.5, W_up=2 -> degraded
    ("quorum", "50%", (1, 1, 1), ("ok", "degraded", "down"), "degraded"),
    # "50%" of 3 = 1.5: W_ok=1 < 1.5, W_up=1, W_unk=0 -> down (1.5 is not rounded down to 1)
    ("quorum", "50%", (1, 1, 1), ("ok", "down", "down"), "down"),
    # "34%" of 3 = 1.02: W_ok=1 < 1.02, W_up=1 < 1.02, W_up+W_unk=1 -> down
    ("quorum", "34%", (1, 1, 1), ("ok", "down", "down"), "down"),
    # "34%" of 3 = 1.02: W_ok=2 ≥ 1.02 -> ok
    ("quorum", "34%", (1, 1, 1), ("ok", "ok", "down"), "ok"),
    # "34%": W_ok=1, W_up=1, W_unk=1 -> 2 ≥ 1.02 -> unknown
    ("quorum", "34%", (1, 1, 1), ("ok", "unknown", "down"), "unknown"),
    # "33%" of 3 = 0.99: one ok child is enough
    ("quorum", "33%", (1, 1, 1), ("ok", "down", "down"), "ok"),
    # weights (2, 1, 2), need 3: a+b = 3 ok -> ok
    ("quorum", 3, (2, 1, 2), ("ok", "ok", "down"), "ok"),
    # b+c = 3 ok -> ok
    ("quorum", 3, (2, 1, 2), ("down", "ok", "ok"), "ok"),
    # a alone: W_ok=2 < 3, W_up=2, W_unk=0 -> down
    ("quorum", 3, (2, 1, 2), ("ok", "down", "down"), "down"),
    # W_ok=2 (a), W_up=3 (a, b) -> degraded
    ("quorum", 3, (2, 1, 2), ("ok", "degraded", "unknown"), "degraded"),
    # W_ok=1 (b), W_up=1, W_unk=2 (a) -> 3 -> unknown
    ("quorum", 3, (2, 1, 2), ("unknown", "ok", "down"), "unknown"),
    # §9: weights (2, 1, 1), "50%" -> q = 2; a down, b ok, c degraded: W_ok=1, W_up=2 -> degraded
    ("quorum", "50%", (2, 1, 1), ("down", "ok", "degraded"), "degraded"),
    # §9 variant: a ok alone is weight 2 = q -> ok
    ("quorum", "50%", (2, 1, 1), ("ok", "down", "down"), "ok"),
]


@pytest.mark.parametrize(("rule", "need", "weights", "combo", "expected"), CLASSIC_ROWS)
def test_classic_rule_cases(
    rule: str, need: int | str | None, weights: tuple[int, ...], combo: tuple[str, ...], expected: str
) -> None:
    graph = parent_graph(rule, need, weights, ("hard",) * len(weights))
    assert evaluate(graph, dict(zip(CHILD_IDS, combo, strict=False))) == expected


# --- edge effects ---------------------------------------------------------------------------

EFFECT_TABLE = [
    # (effect, child state, parent state under rule all with that single child)
    ("hard", "ok", "ok"),
    ("hard", "degraded", "degraded"),
    ("hard", "unknown", "unknown"),
    ("hard", "down", "down"),
    ("soft", "ok", "ok"),
    ("soft", "degraded", "degraded"),
    ("soft", "unknown", "degraded"),  # at most degraded
    ("soft", "down", "degraded"),
    ("escalate", "ok", "ok"),
    ("escalate", "degraded", "down"),  # degraded becomes down
    ("escalate", "unknown", "unknown"),
    ("escalate", "down", "down"),
    ("ignore", "ok", "ok"),  # all children ignored: derives ok
    ("ignore", "degraded", "ok"),
    ("ignore", "unknown", "ok"),
    ("ignore", "down", "ok"),
]


@pytest.mark.parametrize(("effect", "child", "expected"), EFFECT_TABLE)
def test_edge_effect_maps_a_single_child_under_all(effect: str, child: str, expected: str) -> None:
    graph = parent_graph("all", None, (1,), (effect,))
    assert evaluate(graph, {"a": child}) == expected
    assert reference_rule("all", None, [(child, 1, effect)]) == expected


@pytest.mark.parametrize(
    ("rule", "effect", "child", "expected"),
    [("any", *row) for row in EFFECT_TABLE]
    + [("quorum", *row) for row in EFFECT_TABLE if row[0] != "ignore"],
)
def test_edge_effect_with_a_single_child_is_the_same_under_any_and_quorum_of_one(
    rule: str, effect: str, child: str, expected: str
) -> None:
    # (a quorum over no counted children is a validation error, so quorum skips ignore)
    graph = parent_graph(rule, 1 if rule == "quorum" else None, (1,), (effect,))
    assert evaluate(graph, {"a": child}) == expected


EFFECT_COMBOS = list(itertools.product(["hard", "soft", "escalate", "ignore"], repeat=2))


@pytest.mark.parametrize("effects", EFFECT_COMBOS, ids="+".join)
@pytest.mark.parametrize("rule", ["all", "any"])
def test_mixed_effects_match_reference_for_every_combination(rule: str, effects: tuple[str, ...]) -> None:
    graph = parent_graph(rule, None, (1, 1), effects)
    for combo in itertools.product(STATES, repeat=2):
        expected = reference_rule(rule, None, list(zip(combo, (1, 1), effects, strict=True)))
        assert evaluate(graph, dict(zip(CHILD_IDS, combo, strict=False))) == expected, combo


QUORUM_EFFECT_CONFIGS = [
    (2, ("hard", "soft", "escalate")),
    (2, ("soft", "soft", "hard")),
    (2, ("hard", "hard", "ignore")),
    ("50%", ("hard", "ignore", "escalate")),
    ("34%", ("soft", "escalate", "hard")),
]


@pytest.mark.parametrize(("need", "effects"), QUORUM_EFFECT_CONFIGS)
def test_quorum_with_effects_matches_reference_for_every_combination(
    need: int | str, effects: tuple[str, ...]
) -> None:
    weights = (1, 2, 1)
    graph = parent_graph("quorum", need, weights, effects)
    for combo in itertools.product(STATES, repeat=3):
        expected = reference_rule("quorum", need, list(zip(combo, weights, effects, strict=True)))
        assert evaluate(graph, dict(zip(CHILD_IDS, combo, strict=True))) == expected, combo


IGNORE_MODEL = """
components:
  - id: q2
    depends_on:
      rule: quorum
      need: 2
      children: [a, b, {id: c, effect: ignore}]
  - id: half
    depends_on:
      rule: quorum
      need: "50%"
      children: [a, {id: c, weight: 10, effect: ignore}]
  - id: all-ignored
    depends_on:
      rule: all
      children: [{id: a, effect: ignore}, {id: c, effect: ignore}]
  - id: any-ignored
    depends_on:
      rule: any
      children: [{id: c, effect: ignore}, b]
  - id: lonely
  - id: a
  - id: b
  - id: c
"""


@pytest.mark.parametrize(
    ("states", "node", "expected"),
    [
        # need 2 of [a, b] (c left out): a, b ok -> ok however bad c is
        ({"c": "down"}, "q2", "ok"),
        # c is not counted, so it cannot make up for b: W_ok = 1 (a) < 2, W_up = 1 -> down
        ({"b": "down"}, "q2", "down"),
        ({"b": "down", "c": "ok"}, "q2", "down"),
        # "50%" of the non-ignored weight 1 (a) = 0.5; c's weight 10 is left out -> a ok is enough
        ({"c": "down"}, "half", "ok"),
        ({"a": "degraded", "c": "down"}, "half", "degraded"),
        # every child ignored: ok whatever the children do
        ({"a": "down", "c": "down"}, "all-ignored", "ok"),
        # any over [b] only: c being ok does not save a down b
        ({"b": "down"}, "any-ignored", "down"),
        ({"b": "unknown", "c": "ok"}, "any-ignored", "unknown"),
        # no children at all: ok
        ({"a": "down", "b": "down", "c": "down"}, "lonely", "ok"),
    ],
)
def test_ignored_children_are_left_out_of_counts_and_weights(
    states: dict[str, str], node: str, expected: str
) -> None:
    graph = graph_from_yaml(IGNORE_MODEL)
    assert evaluate(graph, states, node) == expected


def test_a_node_without_children_or_with_only_ignored_children_takes_its_own_state() -> None:
    graph = graph_from_yaml(IGNORE_MODEL)
    assert evaluate(graph, {"lonely": "degraded"}, "lonely") == "degraded"
    assert evaluate(graph, {"all-ignored": "unknown", "a": "down"}, "all-ignored") == "unknown"


# --- own state against derived state ------------------------------------------------------------

OWN_VS_DERIVED = list(itertools.product(STATES, repeat=2))


@pytest.mark.parametrize(("own", "child"), OWN_VS_DERIVED, ids=lambda pair: str(pair))
def test_state_is_the_worst_of_own_and_derived(own: str, child: str) -> None:
    graph = parent_graph("all", None, (1,), ("hard",))
    assert evaluate(graph, {"p": own, "a": child}) == worst(own, child)


@pytest.mark.parametrize(
    ("own", "child", "expected"),
    [
        ("ok", "down", "down"),  # derived wins
        ("down", "ok", "down"),  # own wins
        ("degraded", "down", "down"),
        ("unknown", "degraded", "unknown"),
        ("degraded", "unknown", "unknown"),
        ("degraded", "degraded", "degraded"),
    ],
)
def test_own_state_versus_derived_state_by_hand(own: str, child: str, expected: str) -> None:
    graph = parent_graph("all", None, (1,), ("hard",))
    assert evaluate(graph, {"p": own, "a": child}) == expected


def test_soft_child_cannot_hide_a_down_own_state() -> None:
    # the soft edge caps what p sees of a (down -> degraded), p's own down still wins
    graph = parent_graph("all", None, (1,), ("soft",))
    assert evaluate(graph, {"p": "down", "a": "down"}) == "down"
    assert evaluate(graph, {"p": "ok", "a": "down"}) == "degraded"


CHAIN_MODEL = """
services:
  - id: shop
    depends_on: [front, {id: mail, effect: soft}]
components:
  - id: front
    depends_on:
      rule: any
      children: [web-1, web-2]
  - id: web-1
    depends_on: [host-1]
  - id: web-2
    depends_on: [host-2]
  - id: host-1
  - id: host-2
  - id: mail
    depends_on:
      rule: all
      children: [{id: smtp, effect: escalate}]
  - id: smtp
"""


@pytest.mark.parametrize(
    ("states", "expected_shop"),
    [
        ({}, "ok"),
        # one host down: its web is down, the other serves -> front ok -> shop ok
        ({"host-1": "down"}, "ok"),
        # both hosts down -> both webs down -> front down -> shop down
        ({"host-1": "down", "host-2": "down"}, "down"),
        # one host down, other degraded -> any picks degraded -> shop degraded
        ({"host-1": "down", "host-2": "degraded"}, "degraded"),
        # smtp degraded -> escalated to down at mail -> soft to shop -> degraded
        ({"smtp": "degraded"}, "degraded"),
        # smtp unknown -> mail unknown -> soft: degraded; front unknown (both hosts unknown) -> shop unknown
        ({"smtp": "unknown", "host-1": "unknown", "host-2": "unknown"}, "unknown"),
    ],
)
def test_states_propagate_through_several_levels(states: dict[str, str], expected_shop: str) -> None:
    graph = graph_from_yaml(CHAIN_MODEL)
    assert evaluate(graph, states, "shop") == expected_shop


def test_state_enum_orders_best_to_worst() -> None:
    assert [s.label for s in sorted(State)] == list(STATES)
