"""What every importer produces: a catalog of nodes, and how it becomes a model directory.

An importer (Backstage, CMDB CSV) reads its sources into ``ImportedNode``s with bizmap ids
and dependencies; this module gives the ids (``SlugAllocator``), finds dependency cycles,
and writes ``services.yaml`` and ``components.yaml`` that ``bizmap validate`` accepts. The
business facts no catalog knows (money, people, calendars, SLAs, event selectors) are left
out and marked with ``# TODO(bizmap):`` comments where they belong: until they are filled
in, a service costs nothing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bizmap.errors import BizmapError

_NOT_ALLOWED = re.compile(r"[^a-z0-9._-]+")
_EDGE_JUNK = re.compile(r"^[._-]+|[._-]+$")


class ImportFailed(BizmapError):
    """The sources have errors; ``problems`` lists every one, each naming its file."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class ImportedNode:
    id: str
    is_service: bool
    origin: str  # where it came from, for people: "system:default/payments (catalog/payments.yaml)"
    name: str | None = None
    owner: str | None = None
    description: str | None = None
    type: str | None = None
    depends_on: list[str] = field(default_factory=list)


def slugify(text: str) -> str:
    """``"Order Taking (EU)"`` -> ``"order-taking-eu"``: a bizmap id, or "" when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_ALLOWED.sub("-", ascii_text.lower())
    return _EDGE_JUNK.sub("", slug)


class SlugAllocator:
    """Hands out ids unique across one import: the first free candidate, else ``-2``, ``-3``..."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def allocate(self, candidates: Iterable[str], fallback: str) -> str:
        slugs = [s for s in (slugify(c) for c in candidates) if s]
        if not slugs:
            slugs = [slugify(fallback) or "node"]
        for slug in slugs:
            if slug not in self.taken:
                self.taken.add(slug)
                return slug
        base, number = slugs[0], 2
        while f"{base}-{number}" in self.taken:
            number += 1
        self.taken.add(f"{base}-{number}")
        return f"{base}-{number}"


def find_cycles(edges: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Every dependency cycle found by a depth-first walk, each as ``[a, b, ..., a]``."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(edges, white)
    cycles: list[list[str]] = []
    for root in sorted(edges):
        if colour[root] != white:
            continue
        path: list[str] = [root]
        stack: list[Iterable[str]] = [iter(sorted(edges[root]))]
        colour[root] = grey
        while stack:
            child = next(stack[-1], None)  # type: ignore[call-overload]
            if child is None:
                colour[path.pop()] = black
                stack.pop()
                continue
            state = colour.get(child, black)
            if state == grey:
                cycles.append([*path[path.index(child) :], child])
            elif state == white:
                colour[child] = grey
                path.append(child)
                stack.append(iter(sorted(edges.get(child, ()))))
    return cycles


def _text(value: str) -> str:
    # a JSON string is a valid YAML double-quoted scalar: safe for any name a catalog holds
    return json.dumps(value, ensure_ascii=False)


def _node_lines(node: ImportedNode) -> list[str]:
    lines = [f"  # from {node.origin}", f"  - id: {node.id}"]
    for key in ("name", "owner", "description", "type"):
        value = getattr(node, key)
        if value and not (key == "type" and node.is_service):
            lines.append(f"    {key}: {_text(str(value))}")
    if node.is_service:
        lines += [
            "    # TODO(bizmap): calendar: when impact counts (default 24x7)",
            "    # TODO(bizmap): impact: {revenue_per_hour: ..., users: ..., cost_per_user_hour: ...}",
            "    #   left out until filled in: until then this service costs nothing",
            "    # TODO(bizmap): workaround: {description: ..., impact_factor: ..., max_hours: ...}",
            "    # TODO(bizmap): sla: {target: 99.9, period: month}",
        ]
    if node.depends_on:
        lines.append(f"    depends_on: [{', '.join(node.depends_on)}]")
    return lines


def render_model(nodes: Sequence[ImportedNode], sources: str) -> dict[str, str]:
    """The model files' texts by file name."""
    header = (
        f"# Imported by bizmap from {sources}.\n"
        "# Lines marked TODO(bizmap) need facts only the business knows; `bizmap validate DIR`\n"
        "# checks the model after each change.\n"
    )
    services = [n for n in nodes if n.is_service]
    components = [n for n in nodes if not n.is_service]
    service_lines = ["services:"] if services else ["services: []"]
    for node in services:
        service_lines += _node_lines(node)
    component_lines = [
        '# TODO(bizmap): give each component `match:` selectors (e.g. {instance: "host:9100"}) so',
        "# that monitoring events reach it, or send events with its id as `node`.",
        "components:" if components else "components: []",
    ]
    for node in components:
        component_lines += _node_lines(node)
    return {
        "services.yaml": header + "\n".join(service_lines) + "\n",
        "components.yaml": header + "\n".join(component_lines) + "\n",
    }


def write_model(directory: Path, files: Mapping[str, str], force: bool) -> list[Path]:
    """Write the model files; refuse a directory that holds other YAML unless ``force``."""
    if directory.exists() and not directory.is_dir():
        raise ImportFailed([f"{directory}: error: not a directory: give --output a new directory"])
    existing = (
        sorted(p for p in directory.glob("*") if p.suffix in (".yaml", ".yml")) if directory.exists() else []
    )
    if existing and not force:
        raise ImportFailed(
            [
                f"{directory}: error: already holds {', '.join(p.name for p in existing)}: "
                "give a new directory, or --force to overwrite services.yaml and components.yaml"
            ]
        )
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
