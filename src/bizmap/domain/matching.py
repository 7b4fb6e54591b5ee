"""Routing events to nodes: an event names its node, or its labels fit ``match`` selectors (§6).

Selectors are indexed by one of their exact labels, so an event is only checked against
the selectors that could fit it; results are cached per label set (as sent, in its order), since
monitoring repeats the same label sets all day.
"""

from __future__ import annotations

from collections.abc import Mapping

from bizmap.domain.compile import CompiledGraph, Selector


class EventRouter:
    """Which nodes an event applies to."""

    def __init__(self, graph: CompiledGraph, cache_size: int = 65536) -> None:
        self.graph = graph
        self._by_label: dict[tuple[str, str], list[tuple[Selector, int]]] = {}
        self._patterns_only: list[tuple[Selector, int]] = []
        for selector, node in graph.selectors:
            if selector.exact:
                self._by_label.setdefault(selector.exact[0], []).append((selector, node))
            else:
                self._patterns_only.append((selector, node))
        self._cache: dict[tuple[tuple[str, str], ...], tuple[int, ...]] = {}
        self._cache_size = cache_size

    def nodes_for(self, node: str | None, labels: Mapping[str, str] | None) -> tuple[int, ...]:
        """The nodes an event applies to; empty when it fits none (it is then unmatched)."""
        if node is not None:
            found = self.graph.index.get(node)
            return (found,) if found is not None else ()
        if not labels:
            return ()
        key = tuple(labels.items())  # labels in the order sent: cheaper to make than a frozenset
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        matched: set[int] = set()
        for item in labels.items():
            for selector, target in self._by_label.get(item, ()):
                if target not in matched and selector.fits(labels):
                    matched.add(target)
        for selector, target in self._patterns_only:
            if target not in matched and selector.fits(labels):
                matched.add(target)
        result = tuple(sorted(matched))
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[key] = result
        return result
