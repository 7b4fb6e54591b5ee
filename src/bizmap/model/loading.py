"""Reading a model from disk: one YAML file or a directory of them, with the line of every key.

The YAML is composed into nodes (which carry their position) and turned into plain data
here; validation happens in ``bizmap.domain.validate`` on that data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bizmap.domain.compile import CompiledGraph, compile_model
from bizmap.domain.model import Model
from bizmap.domain.validate import Document, ModelInvalid, Problem, validate_documents
from bizmap.errors import BizmapError
from bizmap.model.aliases import MAX_NESTING, alias_problem

try:  # libyaml's parser is several times faster when present
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_scalars = yaml.constructor.SafeConstructor()
_MERGE = "tag:yaml.org,2002:merge"
# the tags a single value may carry; a collection's tag (!!set, !!omap ...) on one would build
# an empty collection from it and leave its text unread
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{kind}" for kind in ("null", "bool", "int", "float", "str", "timestamp", "binary")
)


class _DuplicateKey(BizmapError):
    def __init__(self, key: str, line: int, first: int) -> None:
        self.key, self.line, self.first = key, line, first


class _NestedTooDeep(BizmapError):
    def __init__(self, line: int) -> None:
        self.line = line


@dataclass
class _Entry:
    """A key and its value in a mapping, as written there or merged into it with ``<<``."""

    key: yaml.Node
    value: yaml.Node
    merged: bool


@dataclass
class _Reader:
    """Turns composed nodes into plain data, noting the line of every path and the problems."""

    name: str
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def data(self, node: yaml.Node, path: tuple[Any, ...], level: int) -> Any:
        """The value of ``node``, at ``level`` lists and mappings deep (the top is level 1)."""
        self.lines[path] = _line(node)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and level > MAX_NESTING:
            raise _NestedTooDeep(_line(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, level)
        if isinstance(node, yaml.SequenceNode):
            return [self.data(item, (*path, i), level + 1) for i, item in enumerate(node.value)]
        return _scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: tuple[Any, ...], level: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        for entry in self._entries(node, level):
            key = _scalar(entry.key) if isinstance(entry.key, yaml.ScalarNode) else None
            key_line = _line(entry.key)
            if not isinstance(key, str | int) or isinstance(key, bool):
                self.problems.append(Problem(self.name, key_line, f"keys must be text (got {key!r})"))
                continue
            if entry.merged and key in result:
                continue  # a key written in the mapping, or merged before, wins
            if key in seen and _is_hours(path):
                # semantics §1: a day named twice gets the union of its ranges
                value = self.data(entry.value, (*path, key), level + 1)
                if isinstance(value, str) and isinstance(result[key], str):
                    result[key] = f"{result[key]},{value}"
                    continue
            if key in seen:
                self.problems.append(
                    Problem(
                        self.name,
                        key_line,
                        f"duplicate key {key!r} (first at line {seen[key]}); "
                        "YAML would silently keep only the last one",
                    )
                )
                continue
            seen[key] = key_line
            result[key] = self.data(entry.value, (*path, key), level + 1)
            self.lines[(*path, key)] = key_line
        return result

    def _entries(self, node: yaml.MappingNode, level: int) -> list[_Entry]:
        """The keys written in a mapping, then those its merge keys (``<<: *defaults``) bring.

        Of a list of merged mappings (``<<: [*a, *b]``) the first to give a key wins, as YAML
        says; a merged mapping may merge others in turn.
        """
        written = [_Entry(key, value, False) for key, value in node.value if key.tag != _MERGE]
        merged: list[_Entry] = []
        for key, value in node.value:
            if key.tag != _MERGE:
                continue
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            if not all(isinstance(source, yaml.MappingNode) for source in sources):
                self.problems.append(
                    Problem(
                        self.name,
                        _line(key),
                        "the value of a merge key (<<) is not a mapping: write a mapping, an alias "
                        "of one (<<: *defaults) or a list of them (<<: [*a, *b])",
                    )
                )
                continue
            if level + 1 > MAX_NESTING:
                raise _NestedTooDeep(_line(value))
            for source in sources:
                merged.extend(_Entry(e.key, e.value, True) for e in self._entries(source, level + 1))
        return written + merged


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node) -> Any:
    if node.tag not in _SCALAR_TAGS:
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag {node.tag!r} cannot be used on a single value", node.start_mark
        )
    try:
        return _scalars.construct_object(node)
    except (ValueError, LookupError, AttributeError):
        # text that is no real value of its type: an unquoted timestamp that is no real date
        # or time (2026-13-01, T25:00), or an explicit "!!bool maybe": keep the text, so that
        # validation reports it at its key instead of the loader crashing
        return node.value
    finally:  # the constructor remembers every node it built: forget it, or the tree stays
        _scalars.constructed_objects.pop(node, None)
        _scalars.recursive_objects.pop(node, None)


def _is_hours(path: tuple[Any, ...]) -> bool:
    return len(path) == 3 and path[0] == "calendars" and path[2] == "hours"


def parse_yaml(text: str, name: str) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML text into a ``Document``; YAML errors become located problems.

    Hostile YAML is refused before any data is built from it: aliases expanding past a budget
    (``bizmap.model.aliases``), an alias inside its own anchor, nesting past ``MAX_NESTING``.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
        # aliases are written with "*": a text without one has none to measure
        hostile = alias_problem(text, name, _Loader) if node is not None and "*" in text else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        return None, [Problem(name, line, f"YAML syntax error: {error.problem or error}")]
    except yaml.YAMLError as error:
        return None, [Problem(name, None, f"YAML error: {error}")]
    if hostile is not None:
        return None, [hostile]
    if node is None:
        return Document(name, None, {}), []
    reader = _Reader(name)
    try:
        data = reader.data(node, (), 1)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        return None, [Problem(name, mark.line + 1 if mark else None, f"YAML error: {error.problem}")]
    except _NestedTooDeep as deep:
        message = (
            f"nested more than {MAX_NESTING} levels deep (lists and mappings inside each other), "
            "past what any model needs: write it flatter"
        )
        return None, [Problem(name, deep.line, message)]
    return Document(name, data, reader.lines), reader.problems


def model_files(path: Path) -> list[Path]:
    """The files of a model: the file itself, or every *.yaml/*.yml below a directory."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def load_model(path: str | Path) -> Model:
    """Read and validate a model; raise ``ModelInvalid`` listing every problem found."""
    root = Path(path)
    if not root.exists():
        raise ModelInvalid([Problem(str(root), None, "no such file or directory")])
    documents: list[Document] = []
    problems: list[Problem] = []
    files = model_files(root)
    if not files:
        raise ModelInvalid([Problem(str(root), None, "directory holds no *.yaml or *.yml model files")])
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(str(file), None, f"cannot read: {error}"))
            continue
        document, found = parse_yaml(text, str(file))
        problems.extend(found)
        if document is not None:
            documents.append(document)
    if not documents:  # every file failed to parse: their problems say it all
        raise ModelInvalid(problems)
    try:
        model = validate_documents(documents)
    except ModelInvalid as invalid:
        raise ModelInvalid(problems + invalid.problems) from None
    if problems:
        raise ModelInvalid(problems)
    return model


def load_graph(path: str | Path) -> CompiledGraph:
    """Read, validate and compile a model."""
    return compile_model(load_model(path))
