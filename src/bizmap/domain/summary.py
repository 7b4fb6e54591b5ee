"""What a valid model holds, in words: ``bizmap validate`` prints it, the model page shows it."""

from __future__ import annotations

from bizmap.domain.compile import CompiledGraph


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 calendar``, ``3 calendars``, ``1,200 dependencies``."""
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"


def model_summary(graph: CompiledGraph) -> str:
    """``2 business services, 6 components, 9 dependencies, 1 calendar, 0 maintenance windows``."""
    edges = sum(len(c) + len(i) for c, i in zip(graph.children, graph.ignored_children, strict=True))
    return ", ".join(
        (
            counted(len(graph.services), "business service"),
            counted(len(graph) - len(graph.services), "component"),
            counted(edges, "dependency", "dependencies"),
            counted(len(graph.calendars), "calendar"),
            counted(len(graph.maintenance), "maintenance window"),
        )
    )
