"""Export the dependency graph as Graphviz DOT or Mermaid text, optionally with states."""

from __future__ import annotations

from collections.abc import Sequence

from bizmap.domain.compile import EFFECT_NAMES, RULE_NAMES, RULE_QUORUM, CompiledGraph

_STATE_COLOURS = ("#2e7d32", "#f9a825", "#757575", "#c62828")


def _rule_label(graph: CompiledGraph, node: int) -> str:
    if not graph.children[node] and not graph.ignored_children[node]:
        return ""
    rule = graph.rule[node]
    if rule == RULE_QUORUM:
        return f"quorum {graph.need[node]}/{graph.total_weight[node]}"
    return RULE_NAMES[rule]


def _subgraph(graph: CompiledGraph, roots: Sequence[int] | None) -> list[int]:
    if roots is None:
        return list(range(len(graph)))
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(c for c, _, _ in graph.children[node])
        stack.extend(graph.ignored_children[node])
    return sorted(seen)


def _edges(graph: CompiledGraph, node: int) -> list[tuple[int, int, str]]:
    edges = [(child, weight, EFFECT_NAMES[effect]) for child, weight, effect in graph.children[node]]
    edges += [(child, 1, "ignore") for child in graph.ignored_children[node]]
    return edges


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(
    graph: CompiledGraph, roots: Sequence[int] | None = None, states: Sequence[int] | None = None
) -> str:
    lines = ["digraph bizmap {", "  rankdir=TB;", '  node [fontname="Helvetica"];']
    for node in _subgraph(graph, roots):
        name = graph.names[node] or graph.ids[node]
        rule = _rule_label(graph, node)
        label = name + (f"\\n({rule})" if rule else "")
        attrs = [f"label={_quote(label)}"]
        attrs.append('shape=box, style="rounded,bold"' if graph.is_service[node] else "shape=ellipse")
        if states is not None:
            attrs.append(f"color={_quote(_STATE_COLOURS[states[node]])}")
        lines.append(f"  {_quote(graph.ids[node])} [{', '.join(attrs)}];")
    for node in _subgraph(graph, roots):
        for child, weight, effect in _edges(graph, node):
            attrs = []
            if effect != "hard":
                attrs.append(f"label={_quote(effect)}")
                attrs.append("style=dashed" if effect in ("soft", "ignore") else "style=bold")
            if weight != 1:
                attrs.append(f"taillabel={_quote('w' + str(weight))}")
            suffix = f" [{', '.join(attrs)}]" if attrs else ""
            lines.append(f"  {_quote(graph.ids[node])} -> {_quote(graph.ids[child])}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_id(node_id: str) -> str:
    return "n_" + "".join(ch if ch.isalnum() else "_" for ch in node_id)


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(graph: CompiledGraph, roots: Sequence[int] | None = None) -> str:
    lines = ["flowchart TD"]
    for node in _subgraph(graph, roots):
        name = _mermaid_text(graph.names[node] or graph.ids[node])
        rule = _rule_label(graph, node)
        label = f"{name}<br/>({rule})" if rule else name
        ident = _mermaid_id(graph.ids[node])
        lines.append(f'  {ident}(["{label}"])' if graph.is_service[node] else f'  {ident}["{label}"]')
    for node in _subgraph(graph, roots):
        for child, weight, effect in _edges(graph, node):
            text = effect if effect != "hard" else ""
            if weight != 1:
                text = (text + " " if text else "") + f"w{weight}"
            arrow = "-.->" if effect in ("soft", "ignore") else "==>" if effect == "escalate" else "-->"
            label = f"|{text}|" if text else ""
            lines.append(f"  {_mermaid_id(graph.ids[node])} {arrow}{label} {_mermaid_id(graph.ids[child])}")
    services = " ".join(
        _mermaid_id(graph.ids[s.index]) for s in graph.services if s.index in set(_subgraph(graph, roots))
    )
    if services:
        lines.append("  classDef service fill:#e3f2fd,stroke:#1565c0,stroke-width:2px")
        lines.append(f"  class {services.replace(' ', ',')} service")
    return "\n".join(lines) + "\n"
