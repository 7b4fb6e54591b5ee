"""Whole-model validation: every error of semantics §1, all reported in one run.

Input is a list of parsed documents (one per file, with the line of every key), output is
a ``Model`` or ``ModelInvalid`` carrying every ``Problem`` found. Each item is validated on
its own so that one bad service never hides the errors of another.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from bizmap.domain.gc_pause import gc_paused
from bizmap.domain.model import (
    CalendarSpec,
    ChildSpec,
    ComponentSpec,
    DependsOnSpec,
    HolidaySpec,
    ImpactSpec,
    MaintenanceSpec,
    Model,
    NodeSpec,
    ServiceSpec,
    SlaSpec,
    WorkaroundSpec,
    control_character,
    name_control_character,
)
from bizmap.errors import BizmapError

Path = tuple[str | int, ...]
BUILTIN_CALENDAR = "24x7"
TOP_LEVEL_KEYS = ("currency", "calendars", "services", "components", "maintenance")
_ALL_KEYS = sorted(
    {
        name
        for cls in (
            CalendarSpec,
            HolidaySpec,
            ImpactSpec,
            WorkaroundSpec,
            SlaSpec,
            ChildSpec,
            DependsOnSpec,
            ComponentSpec,
            ServiceSpec,
            MaintenanceSpec,
        )
        for name in cls.model_fields
    }
    | set(TOP_LEVEL_KEYS)
)


@dataclass(frozen=True, order=True)
class Problem:
    """One error in a model, located as precisely as known."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: error: {self.message}"
        return f"{self.file}:{self.line}: error: {self.message}"


class ModelInvalid(BizmapError):
    """The model has errors; ``problems`` lists every one of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Document:
    """One parsed file: its name as shown to users, its data, and the line of each path."""

    name: str
    data: Any
    lines: Mapping[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int | None:
        """The line of the deepest known prefix of ``path``."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


@dataclass(frozen=True, slots=True)
class _Origin:
    document: Document
    path: Path

    def line(self, *sub: str | int) -> int | None:
        return self.document.line_of(self.path + sub)

    def where(self) -> str:
        line = self.line()
        return f"{self.document.name}:{line}" if line else self.document.name


def _render_path(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part == "[key]":  # pydantic's marker for an error in a mapping's key
            continue
        else:
            text += ("." if text else "") + str(part)
    return text


def _describe(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        hint = difflib.get_close_matches(key, _ALL_KEYS, n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else "; remove it or fix its spelling"
        where = _render_path(loc[:-1])
        return f"unknown key {key!r}" + (f" in {where}" if where else "") + suggestion
    if kind == "missing":
        return f"missing required key {_render_path(loc)!r}"
    if kind == "timezone_aware":
        return (
            f"{_render_path(loc)}: {error.get('input')} has no UTC offset; write an RFC 3339 "
            "time such as 2026-11-07T22:00:00Z"
        )
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("ctx", {}).get("error", error["msg"]))
    else:
        message = f"{error['msg']} (got {error.get('input')!r})"
    where = _render_path(loc)
    return f"{where}: {message}" if where else message


def _item_problems(
    document: Document, path: Path, what: str, item_id: str | None, error: ValidationError
) -> list[Problem]:
    label = f"{what} {item_id!r}" if item_id else what
    problems = []
    for detail in error.errors():
        loc = tuple(detail["loc"])
        problems.append(
            Problem(
                document.name,
                document.line_of(path + _as_written(document, path, loc)),
                f"{label}: {_describe(detail)}",
            )
        )
    return problems


def _as_written(document: Document, path: Path, loc: Path) -> Path:
    """The path of ``loc`` in the file: a ``depends_on`` list has no ``children`` level."""
    if loc[:2] == ("depends_on", "children") and (*path, "depends_on", "children") not in document.lines:
        return ("depends_on", *loc[2:])
    return loc


def _validate_item(
    cls: type[BaseModel],
    document: Document,
    path: Path,
    what: str,
    data: Any,
    problems: list[Problem],
    item_id: str | None = None,
) -> Any:
    if item_id is None and isinstance(data, dict) and isinstance(data.get("id"), str):
        item_id = data["id"]
    try:
        return cls.model_validate(data)
    except ValidationError as error:
        problems.extend(_item_problems(document, path, what, item_id, error))
        return None


def validate_documents(documents: Sequence[Document]) -> Model:
    """Check every document and the merged model; raise ``ModelInvalid`` listing all problems."""
    with gc_paused():
        return _validate_documents(documents)


def _validate_documents(documents: Sequence[Document]) -> Model:
    problems: list[Problem] = []
    currency: tuple[str, _Origin] | None = None
    calendars: dict[str, tuple[CalendarSpec | None, _Origin]] = {}
    nodes: dict[str, tuple[NodeSpec | None, _Origin]] = {}
    raw_nodes: dict[str, dict[str, Any]] = {}
    services: list[ServiceSpec] = []
    components: list[ComponentSpec] = []
    windows: dict[str, tuple[MaintenanceSpec | None, _Origin]] = {}

    if not documents:
        raise ModelInvalid([Problem("(model)", None, "no model files found (*.yaml or *.yml)")])

    for document in documents:
        data = document.data
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(
                Problem(
                    document.name,
                    document.line_of(()),
                    f"the top level must be a mapping with keys {', '.join(TOP_LEVEL_KEYS)}",
                )
            )
            continue
        for key in data:
            if key not in TOP_LEVEL_KEYS:
                hint = difflib.get_close_matches(str(key), TOP_LEVEL_KEYS, n=1)
                suggestion = f"did you mean {hint[0]!r}?" if hint else f"allowed: {', '.join(TOP_LEVEL_KEYS)}"
                problems.append(
                    Problem(
                        document.name,
                        document.line_of((key,)),
                        f"unknown top-level key {key!r}; {suggestion}",
                    )
                )

        if "currency" in data:
            value = data["currency"]
            origin = _Origin(document, ("currency",))
            if not (isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper()):
                problems.append(
                    Problem(
                        document.name,
                        origin.line(),
                        f"currency {value!r} is not an ISO 4217 code such as EUR",
                    )
                )
            elif currency is None:
                currency = (value, origin)
            elif currency[0] != value:
                problems.append(
                    Problem(
                        document.name,
                        origin.line(),
                        f"currency {value} disagrees with {currency[0]} "
                        f"at {currency[1].where()}: one model has one currency",
                    )
                )

        for section, expected in (
            ("calendars", dict),
            ("services", list),
            ("components", list),
            ("maintenance", list),
        ):
            if section in data and data[section] is not None and not isinstance(data[section], expected):
                kind = "a mapping of names" if expected is dict else "a list"
                problems.append(
                    Problem(document.name, document.line_of((section,)), f"{section} must be {kind}")
                )

        raw_calendars = data.get("calendars") or {}
        if isinstance(raw_calendars, dict):
            for name, raw in raw_calendars.items():
                origin = _Origin(document, ("calendars", name))
                spec = _validate_item(
                    CalendarSpec, document, origin.path, "calendar", raw, problems, str(name)
                )
                char = control_character(name) if isinstance(name, str) else None
                if char is not None:
                    problems.append(
                        Problem(
                            document.name,
                            origin.line(),
                            f"calendar name {name!r} holds {name_control_character(char)}: remove it",
                        )
                    )
                elif name == BUILTIN_CALENDAR:
                    problems.append(
                        Problem(
                            document.name,
                            origin.line(),
                            f"calendar name {name!r} is built in; choose another name",
                        )
                    )
                elif name in calendars:
                    problems.append(
                        Problem(
                            document.name,
                            origin.line(),
                            f"duplicate calendar {name!r}: also defined at {calendars[name][1].where()}",
                        )
                    )
                else:
                    calendars[str(name)] = (spec, origin)

        for section, cls, what, bucket in (
            ("services", ServiceSpec, "service", services),
            ("components", ComponentSpec, "component", components),
        ):
            raw_list = data.get(section) or []
            if not isinstance(raw_list, list):
                continue
            for index, raw in enumerate(raw_list):
                origin = _Origin(document, (section, index))
                if not isinstance(raw, dict):
                    problems.append(
                        Problem(
                            document.name,
                            origin.line(),
                            f"{what} #{index + 1} must be a mapping with an id",
                        )
                    )
                    continue
                spec = _validate_item(cls, document, origin.path, what, raw, problems)
                if spec is None:  # pydantic skips checks across keys once one key is wrong
                    problems.extend(p for p in _unpaired_reliability(origin, what, raw) if p not in problems)
                node_id = raw.get("id")
                if not isinstance(node_id, str):
                    continue
                if node_id in nodes:
                    problems.append(
                        Problem(
                            document.name,
                            origin.line("id"),
                            f"duplicate id {node_id!r}: also defined at {nodes[node_id][1].where()}",
                        )
                    )
                    continue
                nodes[node_id] = (spec, origin)
                raw_nodes[node_id] = raw
                if spec is not None:
                    bucket.append(spec)

        raw_windows = data.get("maintenance") or []
        if isinstance(raw_windows, list):
            for index, raw in enumerate(raw_windows):
                origin = _Origin(document, ("maintenance", index))
                spec = _validate_item(
                    MaintenanceSpec, document, origin.path, "maintenance window", raw, problems
                )
                window_id = raw.get("id") if isinstance(raw, dict) else None
                if not isinstance(window_id, str):
                    continue
                if window_id in windows:
                    problems.append(
                        Problem(
                            document.name,
                            origin.line("id"),
                            f"duplicate maintenance id {window_id!r}: also defined at "
                            f"{windows[window_id][1].where()}",
                        )
                    )
                    continue
                windows[window_id] = (spec, origin)

    problems.extend(_reference_problems(nodes, raw_nodes, calendars, windows))
    problems.extend(_cycle_problems(nodes, raw_nodes))

    if problems:
        raise ModelInvalid(problems)
    return Model(
        currency=currency[0] if currency else "EUR",
        calendars={name: spec for name, (spec, _) in calendars.items() if spec is not None},
        services=services,
        components=components,
        maintenance=[spec for spec, _ in windows.values() if spec is not None],
    )


def _unpaired_reliability(origin: _Origin, what: str, raw: Mapping[str, Any]) -> list[Problem]:
    """``mtbf_hours`` without ``mttr_hours`` or the reverse, as ``NodeSpec`` words it."""
    given = [key for key in ("mtbf_hours", "mttr_hours") if raw.get(key) is not None]
    if len(given) != 1:
        return []
    missing = "mttr_hours" if given[0] == "mtbf_hours" else "mtbf_hours"
    label = f"{what} {raw['id']!r}" if isinstance(raw.get("id"), str) else what
    message = f"{label}: {given[0]} is given without {missing}: give both or neither"
    return [Problem(origin.document.name, origin.line(), message)]


def _depends_on_alone(raw: Mapping[str, Any]) -> DependsOnSpec | None:
    """The ``depends_on`` of a node that failed validation elsewhere, if it is valid itself."""
    value = raw.get("depends_on")
    if value is None:
        return None
    try:
        return DependsOnSpec.model_validate({"children": value} if isinstance(value, list) else value)
    except ValidationError:
        return None


def raw_children(raw: Mapping[str, Any]) -> list[tuple[str, int | None, str]]:
    """(child id, weight, effect) as written, read defensively from unvalidated data."""
    depends = raw.get("depends_on")
    items = depends.get("children") if isinstance(depends, dict) else depends
    found: list[tuple[str, int | None, str]] = []
    if isinstance(items, list):
        for item in items:
            if isinstance(item, str):
                found.append((item, 1, "hard"))
            elif isinstance(item, dict) and isinstance(item.get("id"), str):
                weight = item.get("weight", 1)
                found.append(
                    (
                        item["id"],
                        weight if isinstance(weight, int) else None,
                        str(item.get("effect", "hard")),
                    )
                )
    return found


def _child_ids(spec: NodeSpec | None, raw: Mapping[str, Any]) -> list[str]:
    if spec is not None:
        return [c.id for c in spec.depends_on.children] if spec.depends_on is not None else []
    return [child for child, _, _ in raw_children(raw)]


def _reference_problems(
    nodes: Mapping[str, tuple[NodeSpec | None, _Origin]],
    raw_nodes: Mapping[str, Mapping[str, Any]],
    calendars: Mapping[str, tuple[CalendarSpec | None, _Origin]],
    windows: Mapping[str, tuple[MaintenanceSpec | None, _Origin]],
) -> list[Problem]:
    problems: list[Problem] = []

    def unknown(name: str, choices: Iterable[str]) -> str:
        hint = difflib.get_close_matches(name, list(choices), n=1)
        return f"; did you mean {hint[0]!r}?" if hint else ""

    calendar_names = set(calendars) | {BUILTIN_CALENDAR}
    for node_id, (spec, origin) in nodes.items():
        raw = raw_nodes[node_id]
        name = origin.document.name
        listed = isinstance(raw.get("depends_on"), list)
        for index, child_id in enumerate(_child_ids(spec, raw)):
            if child_id not in nodes:
                sub = ("depends_on", index) if listed else ("depends_on", "children", index)
                problems.append(
                    Problem(
                        name,
                        origin.line(*sub),
                        f"{node_id!r} depends on unknown node {child_id!r}" + unknown(child_id, nodes),
                    )
                )
        depends = spec.depends_on if spec is not None else _depends_on_alone(raw)
        if depends is not None and depends.rule == "quorum":
            total = sum(c.weight for c in depends.children if c.effect != "ignore")
            if isinstance(depends.need, int) and depends.need > total:
                problems.append(
                    Problem(
                        name,
                        origin.line("depends_on", "need"),
                        f"{node_id!r}: need {depends.need} is larger than the total weight "
                        f"{total} of its non-ignored children, so it could never be ok",
                    )
                )
            elif isinstance(depends.need, str) and total == 0:
                problems.append(
                    Problem(
                        name,
                        origin.line("depends_on", "need"),
                        f"{node_id!r}: quorum {depends.need} of no non-ignored children",
                    )
                )
        sla = raw.get("sla")
        for where, calendar in (
            (("calendar",), raw.get("calendar")),
            (("sla", "calendar"), sla.get("calendar") if isinstance(sla, dict) else None),
        ):
            if not isinstance(calendar, str) or calendar in calendar_names:
                continue
            uses = f"service {node_id!r}: sla uses" if where[0] == "sla" else f"service {node_id!r} uses"
            char = control_character(calendar)
            problems.append(
                Problem(
                    name,
                    origin.line(*where),
                    f"{uses} calendar {calendar!r}, which holds {name_control_character(char)}: remove it"
                    if char is not None
                    else f"{uses} unknown calendar {calendar!r}" + unknown(calendar, calendar_names),
                )
            )
    for window_id, (window, origin) in windows.items():
        if window is None:
            continue
        for index, node_id in enumerate(window.nodes):
            if node_id not in nodes:
                problems.append(
                    Problem(
                        origin.document.name,
                        origin.line("nodes", index),
                        f"maintenance {window_id!r} lists unknown node {node_id!r}" + unknown(node_id, nodes),
                    )
                )
    return problems


def _cycle_problems(
    nodes: Mapping[str, tuple[NodeSpec | None, _Origin]], raw_nodes: Mapping[str, Mapping[str, Any]]
) -> list[Problem]:
    """Every dependency cycle (ignored edges included), each reported once."""
    children: dict[str, list[str]] = {}
    for node_id, raw in raw_nodes.items():
        kids = [child for child in _child_ids(nodes[node_id][0], raw) if child in nodes]
        if kids:
            children[node_id] = kids
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(children, white)
    problems: list[Problem] = []
    reported: set[frozenset[str]] = set()
    for root in children:
        if colour[root] != white:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        colour[root] = grey
        while stack:
            node, index = stack[-1]
            kids = children.get(node, [])
            if index < len(kids):
                stack[-1] = (node, index + 1)
                child = kids[index]
                state = colour.get(child, black)
                if state == grey:
                    cycle = [*path[path.index(child) :], child]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        _, origin = nodes[child]
                        problems.append(
                            Problem(
                                origin.document.name,
                                origin.line("depends_on"),
                                "dependency cycle: " + " -> ".join(cycle),
                            )
                        )
                elif state == white:
                    colour[child] = grey
                    stack.append((child, 0))
                    path.append(child)
            else:
                colour[node] = black
                stack.pop()
                path.pop()
    return problems
