"""Reading a business case from disk: the YAML file (every error as FILE:LINE naming the
key) and the availability-dial JSON a benefit may take its yearly amount from.

The checks themselves are ``bizmap.decisions.case.checks.parse_case``; this module only
reads files and puts line numbers on what that finds.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import orjson

from bizmap.decisions.case.checks import CaseInvalid, parse_case, render_path
from bizmap.decisions.case.spec import CaseSpec, with_benefit_amounts
from bizmap.domain.validate import Document, Problem
from bizmap.errors import BizmapError
from bizmap.model.loading import parse_yaml

DIAL_KEY = "downtime_cost_avoided_per_year"


class CaseFileInvalid(BizmapError):
    """A case file (or a file it refers to) has errors; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_case(path: str | Path) -> CaseSpec:
    """Read, check and resolve a case file; raise ``CaseFileInvalid`` with located problems."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseFileInvalid([Problem(str(file), None, "no such file")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CaseFileInvalid([Problem(str(file), None, f"cannot read: {error}")]) from None
    document, problems = parse_yaml(text, str(file))
    if document is None or problems:
        raise CaseFileInvalid(problems)
    try:
        spec = parse_case(document.data)
    except CaseInvalid as invalid:
        raise CaseFileInvalid([_located(document, i.path, i.message) for i in invalid.issues]) from None
    return _resolve_dial_benefits(spec, document, file.parent)


def _located(document: Document, path: tuple[str | int, ...], message: str) -> Problem:
    where = render_path(path)
    return Problem(document.name, document.line_of(path), f"{where}: {message}" if where else message)


def _resolve_dial_benefits(spec: CaseSpec, document: Document, base: Path) -> CaseSpec:
    """Each ``per_year_from`` becomes ``per_year``: the dial's yearly downtime cost avoided."""
    amounts: dict[int, float] = {}
    problems: list[Problem] = []
    for index, benefit in enumerate(spec.benefits):
        if benefit.per_year_from is None:
            continue
        key_path = ("benefits", index, "per_year_from")
        try:
            amounts[index] = read_dial_amount(base / benefit.per_year_from, spec.currency)
        except ValueError as error:
            problems.append(_located(document, key_path, f"{benefit.name!r}: {error}"))
    if problems:
        raise CaseFileInvalid(problems)
    return with_benefit_amounts(spec, amounts)


def read_dial_amount(path: Path, currency: str) -> float:
    """``downtime_cost_avoided_per_year`` from a ``bizmap availability --dial --json`` file,
    checked to be in ``currency``; ValueError saying what is wrong otherwise."""
    try:
        data: Any = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise ValueError(
            f"no such file {str(path)!r} (a path is relative to the case file); write it with "
            "bizmap availability MODEL --dial CHANGES.yaml --json > FILE"
        ) from None
    except OSError as error:
        raise ValueError(f"cannot read {str(path)!r}: {error}") from None
    except orjson.JSONDecodeError as error:
        raise ValueError(f"{str(path)!r} is not JSON: {error}") from None
    if not isinstance(data, dict) or DIAL_KEY not in data:
        raise ValueError(
            f"{str(path)!r} has no top-level {DIAL_KEY!r}: is it the JSON of bizmap availability --dial?"
        )
    value = data[DIAL_KEY]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{DIAL_KEY} in {str(path)!r} is not a number (got {value!r})")
    if value < 0:
        raise ValueError(
            f"{DIAL_KEY} in {str(path)!r} is {value}: the change costs downtime instead of avoiding it; "
            "enter that as a yearly cost"
        )
    theirs = data.get("currency")
    if theirs != currency:
        raise ValueError(
            f"{str(path)!r} is in {theirs!r} but the case is in {currency!r}: one case has one currency"
        )
    return float(value)
