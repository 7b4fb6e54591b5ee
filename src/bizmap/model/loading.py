"""Reading a model from disk: one YAML file or a directory of them, with the line of every key.

The YAML is composed into nodes (which carry their position) and turned into plain data
here; validation happens in ``bizmap.domain.validate`` on that data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bizmap.domain.compile import CompiledGraph, compile_model
from bizmap.domain.model import Model
from bizmap.domain.validate import Document, ModelInvalid, Problem, validate_documents
from bizmap.errors import BizmapError

try:  # libyaml's parser is several times faster when present
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_scalars = yaml.constructor.SafeConstructor()


class _DuplicateKey(BizmapError):
    def __init__(self, key: str, line: int, first: int) -> None:
        self.key, self.line, self.first = key, line, first


def _to_data(
    node: yaml.Node,
    path: tuple[Any, ...],
    lines: dict[tuple[Any, ...], int],
    problems: list[Problem],
    name: str,
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(
                    Problem(
                        name,
                        key_node.start_mark.line + 1,
                        "YAML merge keys (<<) are not supported: write the keys out",
                    )
                )
                continue
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int) or isinstance(key, bool):
                problems.append(
                    Problem(name, key_node.start_mark.line + 1, f"keys must be text (got {key!r})")
                )
                continue
            key_line = key_node.start_mark.line + 1
            if key in seen and _is_hours(path):
                # semantics §1: a day named twice gets the union of its ranges
                value = _to_data(value_node, (*path, key), lines, problems, name)
                if isinstance(value, str) and isinstance(result[key], str):
                    result[key] = f"{result[key]},{value}"
                    continue
            if key in seen:
                problems.append(
                    Problem(
                        name,
                        key_line,
                        f"duplicate key {key!r} (first at line {seen[key]}); "
                        "YAML would silently keep only the last one",
                    )
                )
                continue
            seen[key] = key_line
            result[key] = _to_data(value_node, (*path, key), lines, problems, name)
            lines[(*path, key)] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(item, (*path, i), lines, problems, name) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    try:
        return _scalars.construct_object(node)
    except ValueError:
        # an unquoted timestamp that is no real date or time (2026-13-01, T25:00): keep the
        # text, so that validation reports it at its key instead of the loader crashing
        return node.value
    finally:  # the constructor remembers every node it built: forget it, or the tree stays
        _scalars.constructed_objects.pop(node, None)
        _scalars.recursive_objects.pop(node, None)


def _is_hours(path: tuple[Any, ...]) -> bool:
    return len(path) == 3 and path[0] == "calendars" and path[2] == "hours"


def parse_yaml(text: str, name: str) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML text into a ``Document``; YAML errors become located problems."""
    problems: list[Problem] = []
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        return None, [Problem(name, line, f"YAML syntax error: {error.problem or error}")]
    except yaml.YAMLError as error:
        return None, [Problem(name, None, f"YAML error: {error}")]
    if node is None:
        return Document(name, None, {}), []
    lines: dict[tuple[Any, ...], int] = {}
    try:
        data = _to_data(node, (), lines, problems, name)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        return None, [Problem(name, mark.line + 1 if mark else None, f"YAML error: {error.problem}")]
    return Document(name, data, lines), problems


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
