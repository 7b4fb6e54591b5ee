"""Why an event fitted no node: the ``match`` selectors that came closest, and how they differ.

An unmatched event (semantics §6) is kept so that a person can fix either the monitoring or
the model. For that person this module compares the event's labels with every selector that
shares at least one label key with it and ranks them by closeness: most labels that fit
first, then fewest that do not (values that differ plus labels the event lacks), then node
id. For each it says which labels fitted, which differed (expected against got) and which
the event lacks. An event that names a node not in the model gets the closest node ids.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bizmap.domain.compile import Selector


@dataclass(frozen=True)
class LabelDifference:
    """A label the selector wants with another value: ``expected`` is ``~regex`` for patterns."""

    key: str
    expected: str
    got: str


@dataclass(frozen=True)
class NearMiss:
    """One selector compared with an event's labels."""

    node: str
    selector: Mapping[str, str]  # as written in the model, patterns with their ``~``
    matched: tuple[str, ...]  # label keys whose values fit, sorted
    differed: tuple[LabelDifference, ...]  # sorted by key
    missing: tuple[tuple[str, str], ...]  # (key, expected) the event does not carry, sorted

    @property
    def mismatches(self) -> int:
        return len(self.differed) + len(self.missing)


def compare(selector: Selector, node: str, labels: Mapping[str, str]) -> NearMiss:
    """How ``labels`` fit one selector, label by label."""
    # (key, value as written, whether the event's value fits), for exact values and patterns
    wanted: list[tuple[str, str, bool]] = [
        (key, value, labels.get(key) == value) for key, value in selector.exact
    ]
    for key, pattern in selector.patterns:
        got = labels.get(key)
        wanted.append((key, "~" + pattern.pattern, got is not None and pattern.fullmatch(got) is not None))
    wanted.sort()
    matched: list[str] = []
    differed: list[LabelDifference] = []
    missing: list[tuple[str, str]] = []
    for key, written, fits in wanted:
        got = labels.get(key)
        if got is None:
            missing.append((key, written))
        elif fits:
            matched.append(key)
        else:
            differed.append(LabelDifference(key, written, got))
    return NearMiss(
        node=node,
        selector={key: written for key, written, _ in wanted},
        matched=tuple(matched),
        differed=tuple(differed),
        missing=tuple(missing),
    )


class NearMissFinder:
    """Ranks the selectors of a model against unmatched events; build once per model.

    Selectors are indexed by label key, so an event is only compared with the selectors
    that share a key with it (a selector sharing no key is not close to it).
    """

    def __init__(self, selectors: Sequence[tuple[Selector, int]], ids: Sequence[str]) -> None:
        self._ids = ids
        self._by_key: dict[str, list[int]] = {}
        self._selectors = selectors
        for position, (selector, _) in enumerate(selectors):
            keys = {key for key, _ in selector.exact} | {key for key, _ in selector.patterns}
            for key in keys:
                self._by_key.setdefault(key, []).append(position)

    def closest(self, labels: Mapping[str, str], limit: int = 3) -> list[NearMiss]:
        """Up to ``limit`` selectors sharing a label key with ``labels``, closest first.

        Closest: most labels that fit, then fewest that do not, then node id, then the
        selector's text (a node may have several selectors).
        """
        candidates = sorted({p for key in labels for p in self._by_key.get(key, ())})
        found = []
        for position in candidates:
            selector, node = self._selectors[position]
            found.append(compare(selector, self._ids[node], labels))
        found.sort(key=lambda m: (-len(m.matched), m.mismatches, m.node, sorted(m.selector.items())))
        return found[:limit]


def closest_node_ids(node: str, ids: Sequence[str], limit: int = 3) -> list[str]:
    """For an event naming a node not in the model: the model's ids spelled most like it."""
    return difflib.get_close_matches(node, ids, n=limit, cutoff=0.6)
