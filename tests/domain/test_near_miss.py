"""Near misses of unmatched events: label-by-label comparison and the ranking (truth tables).

Every expectation is read off the selector and the labels by hand: a label fits when its
value is equal (or full-matches a ``~`` pattern), differs when the event has the key with
another value, and is missing when the event lacks the key. Labels the selector does not
mention play no part.
"""

from __future__ import annotations

import pytest

from bizmap.domain.compile import compile_selector
from bizmap.domain.near_miss import LabelDifference, NearMissFinder, closest_node_ids, compare
from helpers import graph_from_data

EXACT = {"job": "dcs", "instance": "dcs-1:8080"}
PATTERN = {"service": "dcs", "alertname": "~High.*"}


@pytest.mark.parametrize(
    ("selector", "labels", "matched", "differed", "missing"),
    [
        # exact selector
        (EXACT, {"job": "dcs", "instance": "dcs-1:8080"}, ("instance", "job"), (), ()),
        (EXACT, {"job": "dcs", "instance": "dcs-1:8080", "team": "x"}, ("instance", "job"), (), ()),
        (
            EXACT,
            {"job": "dcs", "instance": "dcs-9:8080"},
            ("job",),
            (LabelDifference("instance", "dcs-1:8080", "dcs-9:8080"),),
            (),
        ),
        (EXACT, {"job": "dcs"}, ("job",), (), (("instance", "dcs-1:8080"),)),
        (
            EXACT,
            {"job": "web"},
            (),
            (LabelDifference("job", "dcs", "web"),),
            (("instance", "dcs-1:8080"),),
        ),
        (EXACT, {}, (), (), (("instance", "dcs-1:8080"), ("job", "dcs"))),
        # values are compared exactly: case matters
        (
            EXACT,
            {"job": "DCS", "instance": "dcs-1:8080"},
            ("instance",),
            (LabelDifference("job", "dcs", "DCS"),),
            (),
        ),
        # pattern selector: a full match is needed (a match inside the text is not enough)
        (PATTERN, {"service": "dcs", "alertname": "HighLatency"}, ("alertname", "service"), (), ()),
        (
            PATTERN,
            {"service": "dcs", "alertname": "LowDisk"},
            ("service",),
            (LabelDifference("alertname", "~High.*", "LowDisk"),),
            (),
        ),
        (
            PATTERN,
            {"alertname": "xHighLatency"},
            (),
            (LabelDifference("alertname", "~High.*", "xHighLatency"),),
            (("service", "dcs"),),
        ),
        (PATTERN, {"service": "dcs"}, ("service",), (), (("alertname", "~High.*"),)),
    ],
)
def test_compare_says_label_by_label_what_fitted_differed_and_is_missing(
    selector: dict[str, str],
    labels: dict[str, str],
    matched: tuple[str, ...],
    differed: tuple[LabelDifference, ...],
    missing: tuple[tuple[str, str], ...],
) -> None:
    result = compare(compile_selector(selector), "dcs-app", labels)
    assert result.node == "dcs-app"
    assert dict(result.selector) == selector  # shown as written in the model, ~ included
    assert (result.matched, result.differed, result.missing) == (matched, differed, missing)


def finder(components: list[dict[str, object]]) -> NearMissFinder:
    graph = graph_from_data({"components": components})
    return NearMissFinder(graph.selectors, graph.ids)


MODEL = [
    {"id": "dcs-app", "match": [EXACT, PATTERN]},
    {"id": "web-1", "match": [{"job": "node", "instance": "web-1:9100"}]},
    {"id": "web-2", "match": [{"job": "node", "instance": "web-2:9100"}]},
    {"id": "db", "match": [{"job": "postgres", "instance": "db-1:9187", "env": "prod"}]},
]


def ranking(labels: dict[str, str], limit: int = 3) -> list[tuple[str, int, int]]:
    """(node, labels that fit, labels that do not) of the closest selectors, in order."""
    return [(m.node, len(m.matched), m.mismatches) for m in finder(MODEL).closest(labels, limit)]


def test_a_typo_in_one_label_puts_the_intended_selectors_first() -> None:
    # web-3 is not in the model: web-1 and web-2 share job=node (1 fits, instance differs);
    # dcs-app's exact selector and db share only keys (0 fit; 2 and 2+1 missing env = 3).
    assert ranking({"job": "node", "instance": "web-3:9100"}, limit=4) == [
        ("web-1", 1, 1),
        ("web-2", 1, 1),
        ("dcs-app", 0, 2),
        ("db", 0, 3),
    ]
    assert ranking({"job": "node", "instance": "web-3:9100"}) == [
        ("web-1", 1, 1),
        ("web-2", 1, 1),
        ("dcs-app", 0, 2),
    ]


def test_a_missing_label_is_explained() -> None:
    # db: job and instance fit, env is missing; the other three share keys only (0 fit, 2 differ)
    best = finder(MODEL).closest({"job": "postgres", "instance": "db-1:9187"})
    assert [(m.node, len(m.matched), m.mismatches) for m in best] == [
        ("db", 2, 1),
        ("dcs-app", 0, 2),
        ("web-1", 0, 2),
    ]
    assert best[0].missing == (("env", "prod"),)


def test_selectors_sharing_no_label_key_are_not_close() -> None:
    assert ranking({"team": "payments", "severity": "page"}) == []
    assert ranking({}) == []


def test_more_labels_that_fit_outrank_fewer_mismatches() -> None:
    # a: a, b fit; c differs, d missing (2 fit, 2 not). b: a fits, e missing (1 fit, 1 not).
    components: list[dict[str, object]] = [
        {"id": "a", "match": [{"a": "1", "b": "2", "c": "3", "d": "4"}]},
        {"id": "b", "match": [{"a": "1", "e": "5"}]},
    ]
    found = finder(components).closest({"a": "1", "b": "2", "c": "9"})
    assert [(m.node, len(m.matched), m.mismatches) for m in found] == [("a", 2, 2), ("b", 1, 1)]


def test_with_as_many_labels_fitting_fewer_mismatches_come_first() -> None:
    # both fit on a=1; "a-wide" also lacks y, so "z-narrow" (1 missing) comes first despite its id
    components: list[dict[str, object]] = [
        {"id": "z-narrow", "match": [{"a": "1", "x": "1"}]},
        {"id": "a-wide", "match": [{"a": "1", "x": "1", "y": "1"}]},
    ]
    found = finder(components).closest({"a": "1"})
    assert [(m.node, m.mismatches) for m in found] == [("z-narrow", 1), ("a-wide", 2)]


def test_an_unknown_node_id_gets_the_ids_spelled_most_like_it() -> None:
    ids = ["web-1", "db-primary", "orders"]
    assert closest_node_ids("db-primry", ids) == ["db-primary"]
    assert closest_node_ids("payroll", ids) == []
