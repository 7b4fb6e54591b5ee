"""Reading an availability-dial change file (YAML) with the line of every key.

Problems are reported like model problems, ``FILE:LINE: error: change N (kind): MESSAGE``,
whether the file is malformed or one of its changes cannot be applied to the model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bizmap.decisions.availability.dial import DialError, DialResult, DialSpec, turn_dial
from bizmap.domain.compile import CompiledGraph
from bizmap.domain.validate import Document, ModelInvalid, Problem
from bizmap.model.loading import parse_yaml


def load_dial(path: str | Path) -> tuple[DialSpec, Document]:
    """Read and check a change file; raise ``ModelInvalid`` with every located problem."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ModelInvalid([Problem(str(file), None, f"cannot read the change file: {error}")]) from None
    document, problems = parse_yaml(text, str(file))
    if problems or document is None:
        raise ModelInvalid(problems)
    data = document.data if document.data is not None else {}
    try:
        return DialSpec.model_validate(data), document
    except ValidationError as error:
        raise ModelInvalid([_problem(document, data, detail) for detail in error.errors()]) from None


def _problem(document: Document, data: Any, detail: Any) -> Problem:
    loc = tuple(detail["loc"])
    message = str(detail.get("ctx", {}).get("error", detail["msg"]))
    if detail["type"] == "extra_forbidden":
        message = f"unknown key {loc[-1]!r}"
    elif detail["type"] == "missing":
        message = f"missing required key {loc[-1]!r}"
    elif detail["type"] not in ("value_error", "assertion_error"):
        message = f"{loc[-1] if loc else 'document'}: {detail['msg']} (got {detail.get('input')!r})"
    if len(loc) >= 2 and loc[0] == "changes" and isinstance(loc[1], int):
        change = data["changes"][loc[1]] if isinstance(data, dict) else None
        kind = next(iter(change), "?") if isinstance(change, dict) and len(change) == 1 else None
        prefix = f"change {loc[1] + 1}" + (f" ({kind})" if kind else "")
        message = f"{prefix}: {message}"
    return Problem(document.name, document.line_of(loc), message)


def locate(document: Document, error: DialError) -> Problem:
    """A ``DialError`` from applying the changes, placed at its change and key in the file."""
    if error.index is None:
        return Problem(document.name, document.line_of(error.key), error.message)
    line = document.line_of(("changes", error.index, *error.key))
    kind = f" ({error.key[0]})" if error.key else ""
    return Problem(document.name, line, f"change {error.index + 1}{kind}: {error.message}")


def dial_from_file(graph: CompiledGraph, path: str | Path, year: int) -> DialResult:
    """Load a change file and turn the dial on ``graph``; problems raise ``ModelInvalid``."""
    dial, document = load_dial(path)
    try:
        return turn_dial(graph, dial, year, label=document.name)
    except DialError as error:
        raise ModelInvalid([locate(document, error)]) from None
