"""Whole-model validation: every error of semantics §1, all reported in one run.

Input is a list of parsed documents (one per file, with the line of every key), output is
a ``Model`` or ``ModelInvalid`` carrying every ``Problem`` found. Each item is validated on
its own so that one bad service never hides the errors of another.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
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
from bizmap.domain.wellformed import SpecBuilder
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


# A service or component as checked: its spec (None if invalid), its data, and its place
# (document, section, index), put together into a path only when a problem needs its line.
# A plain tuple, the least a node can cost: a model may have a million of them.
_Node = tuple[NodeSpec | None, dict[str, Any], Document, str, int]


def _node_line(node: _Node, *sub: str | int) -> int | None:
    return node[2].line_of((node[3], node[4], *sub))


def _node_where(node: _Node) -> str:
    line = _node_line(node)
    return f"{node[2].name}:{line}" if line else node[2].name


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
        # a key of another part of the model is no spelling mistake: never suggest it as its own fix
        hint = difflib.get_close_matches(key, [k for k in _ALL_KEYS if k != key], n=1)
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
    nodes: dict[str, _Node] = {}
    builder = SpecBuilder()
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

        for section, cls, what, bucket, plain in (
            ("services", ServiceSpec, "service", services, builder.service),
            ("components", ComponentSpec, "component", components, builder.component),
        ):
            raw_list = data.get(section) or []
            if not isinstance(raw_list, list):
                continue
            for index, raw in enumerate(raw_list):
                spec = plain(raw)  # None: not plainly well-formed, so Pydantic says what is wrong
                if spec is None:
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
                        problems.extend(
                            p for p in _unpaired_reliability(origin, what, raw) if p not in problems
                        )
                node_id = raw.get("id")
                if not isinstance(node_id, str):
                    continue
                if node_id in nodes:
                    problems.append(
                        Problem(
                            document.name,
                            document.line_of((section, index, "id")),
                            f"duplicate id {node_id!r}: also defined at {_node_where(nodes[node_id])}",
                        )
                    )
                    continue
                nodes[node_id] = (spec, raw, document, section, index)
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

    children: dict[str, list[str]] = {}
    problems.extend(_reference_problems(nodes, calendars, windows, children))
    problems.extend(_cycle_problems(nodes, children))

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


_id_of = attrgetter("id")


def _unknown(name: str, choices: Iterable[str]) -> str:
    hint = difflib.get_close_matches(name, list(choices), n=1)
    return f"; did you mean {hint[0]!r}?" if hint else ""


def _reference_problems(
    nodes: Mapping[str, _Node],
    calendars: Mapping[str, tuple[CalendarSpec | None, _Origin]],
    windows: Mapping[str, tuple[MaintenanceSpec | None, _Origin]],
    children: dict[str, list[str]],
) -> list[Problem]:
    """Unknown nodes and calendars, impossible quorums; fills ``children`` with the known ones."""
    problems: list[Problem] = []
    calendar_names = set(calendars) | {BUILTIN_CALENDAR}
    for node_id, node in nodes.items():
        spec, raw = node[0], node[1]
        if spec is not None:
            depends = spec.depends_on
            kids = list(map(_id_of, depends.children)) if depends is not None else []
        else:
            depends = _depends_on_alone(raw)
            kids = [child for child, _, _ in raw_children(raw)]
        if kids:
            if all(map(nodes.__contains__, kids)):
                children[node_id] = kids
            else:
                known = [child for child in kids if child in nodes]
                if known:
                    children[node_id] = known
                problems.extend(_unknown_children(node_id, node, kids, nodes))
        if depends is not None and depends.rule == "quorum":
            total = sum(c.weight for c in depends.children if c.effect != "ignore")
            if isinstance(depends.need, int) and depends.need > total:
                problems.append(
                    Problem(
                        node[2].name,
                        _node_line(node, "depends_on", "need"),
                        f"{node_id!r}: need {depends.need} is larger than the total weight "
                        f"{total} of its non-ignored children, so it could never be ok",
                    )
                )
            elif isinstance(depends.need, str) and total == 0:
                problems.append(
                    Problem(
                        node[2].name,
                        _node_line(node, "depends_on", "need"),
                        f"{node_id!r}: quorum {depends.need} of no non-ignored children",
                    )
                )
        if isinstance(spec, ComponentSpec):  # valid, so without calendar or sla
            continue
        calendar = raw.get("calendar")
        sla = raw.get("sla")
        sla_calendar = sla.get("calendar") if isinstance(sla, dict) else None
        if (isinstance(calendar, str) and calendar not in calendar_names) or (
            isinstance(sla_calendar, str) and sla_calendar not in calendar_names
        ):
            problems.extend(_calendar_problems(node_id, node, calendar, sla_calendar, calendar_names))
    for window_id, (window, origin) in windows.items():
        if window is None:
            continue
        for index, node_id in enumerate(window.nodes):
            if node_id not in nodes:
                problems.append(
                    Problem(
                        origin.document.name,
                        origin.line("nodes", index),
                        f"maintenance {window_id!r} lists unknown node {node_id!r}"
                        + _unknown(node_id, nodes),
                    )
                )
    return problems


def _unknown_children(
    node_id: str, node: _Node, kids: list[str], nodes: Mapping[str, _Node]
) -> list[Problem]:
    listed = isinstance(node[1].get("depends_on"), list)
    problems = []
    for index, child_id in enumerate(kids):
        if child_id not in nodes:
            sub = ("depends_on", index) if listed else ("depends_on", "children", index)
            problems.append(
                Problem(
                    node[2].name,
                    _node_line(node, *sub),
                    f"{node_id!r} depends on unknown node {child_id!r}" + _unknown(child_id, nodes),
                )
            )
    return problems


def _calendar_problems(
    node_id: str, node: _Node, calendar: Any, sla_calendar: Any, calendar_names: set[str]
) -> list[Problem]:
    problems = []
    for where, name in ((("calendar",), calendar), (("sla", "calendar"), sla_calendar)):
        if not isinstance(name, str) or name in calendar_names:
            continue
        uses = f"service {node_id!r}: sla uses" if where[0] == "sla" else f"service {node_id!r} uses"
        char = control_character(name)
        problems.append(
            Problem(
                node[2].name,
                _node_line(node, *where),
                f"{uses} calendar {name!r}, which holds {name_control_character(char)}: remove it"
                if char is not None
                else f"{uses} unknown calendar {name!r}" + _unknown(name, calendar_names),
            )
        )
    return problems


def _cycle_problems(nodes: Mapping[str, _Node], children: Mapping[str, list[str]]) -> list[Problem]:
    """Every dependency cycle (ignored edges included), each reported once.

    ``children`` holds the known children of every node that has some, in the model's order.
    """
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(children, white)
    problems: list[Problem] = []
    reported: set[frozenset[str]] = set()
    for root in children:
        if colour[root] != white:
            continue
        path = [root]
        pending = [iter(children[root])]  # per node on the path, its children not yet visited
        colour[root] = grey
        while pending:
            for child in pending[-1]:
                state = colour.get(child, black)
                if state == white:
                    colour[child] = grey
                    path.append(child)
                    pending.append(iter(children[child]))
                    break
                if state == grey:
                    cycle = [*path[path.index(child) :], child]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        problems.append(
                            Problem(
                                nodes[child][2].name,
                                _node_line(nodes[child], "depends_on"),
                                "dependency cycle: " + " -> ".join(cycle),
                            )
                        )
            else:
                colour[path.pop()] = black
                pending.pop()
    return problems
