"""The checks on a business case: plain data to a ``CaseSpec``, or every issue found.

This module owns ``parse_case`` (the one entry point from parsed YAML or JSON), the checks
that need the whole case (``check_case``: ramps and years against the horizon, unique
names, ranges naming an item) and the error that lists the issues (``CaseInvalid``, each
``CaseIssue`` at the path of the offending key).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bizmap.decisions.case.spec import BenefitSpec, CaseSpec, CostSpec
from bizmap.errors import BizmapError

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class CaseIssue:
    """One error in a case, at the path of the offending key (``("benefits", 0, "ramp")``)."""

    path: FieldPath
    message: str


class CaseInvalid(BizmapError):
    """The case has errors; ``issues`` lists every one found."""

    def __init__(self, issues: Sequence[CaseIssue]) -> None:
        self.issues = list(issues)
        super().__init__("; ".join(f"{render_path(i.path) or '(case)'}: {i.message}" for i in self.issues))


def render_path(path: Sequence[str | int]) -> str:
    """``("benefits", 0, "ramp")`` -> ``benefits[0].ramp``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _describe(error: Mapping[str, Any]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}; remove it or fix its spelling"
    if kind == "missing":
        return f"missing required key {loc[-1]!r}"
    if kind in ("value_error", "assertion_error"):
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return f"{error['msg']} (got {error.get('input')!r})"


def parse_case(data: Any) -> CaseSpec:
    """Validate plain data (as YAML or JSON would give it); raise ``CaseInvalid`` listing all issues."""
    if not isinstance(data, dict):
        raise CaseInvalid([CaseIssue((), "a case is a mapping with name, horizon_years, discount_rate, ...")])
    try:
        spec = CaseSpec.model_validate(data)
    except ValidationError as error:
        # a check of a whole item (once vs per_year) is located at the item, others at the key
        issues = [CaseIssue(tuple(detail["loc"]), _describe(detail)) for detail in error.errors()]
        raise CaseInvalid(issues) from None
    issues = check_case(spec)
    if issues:
        raise CaseInvalid(issues)
    return spec


def check_case(spec: CaseSpec) -> list[CaseIssue]:
    """The checks that need the whole case: ramps and years against the horizon, names."""
    issues: list[CaseIssue] = []
    horizon = spec.horizon_years
    if not spec.costs and not spec.benefits:
        issues.append(CaseIssue((), "a case needs at least one cost or benefit"))
    seen: dict[str, FieldPath] = {}
    items: list[tuple[str, int, CostSpec | BenefitSpec]] = [
        *(("costs", i, c) for i, c in enumerate(spec.costs)),
        *(("benefits", i, b) for i, b in enumerate(spec.benefits)),
    ]
    for section, i, item in items:
        path: FieldPath = (section, i)
        if item.name in seen:
            issues.append(
                CaseIssue(
                    (*path, "name"),
                    f"name {item.name!r} is used twice (also at {render_path(seen[item.name])}): "
                    "uncertainty refers to items by name, so names must be unique",
                )
            )
        else:
            seen[item.name] = path
        if item.ramp is not None and len(item.ramp) != horizon:
            issues.append(
                CaseIssue(
                    (*path, "ramp"),
                    f"{item.name!r}: ramp has {len(item.ramp)} value(s) but horizon_years is {horizon}: "
                    "give one multiplier per year",
                )
            )
        if isinstance(item, CostSpec) and item.years is not None:
            outside = sorted({y for y in item.years if y > horizon})
            if outside:
                issues.append(
                    CaseIssue(
                        (*path, "years"),
                        f"{item.name!r}: year(s) {outside} lie beyond horizon_years {horizon}",
                    )
                )
            if len(set(item.years)) != len(item.years):
                issues.append(CaseIssue((*path, "years"), f"{item.name!r}: a year is listed twice"))
    for name in spec.uncertainty:
        if name not in seen:
            known = ", ".join(repr(n) for n in seen) or "none"
            issues.append(
                CaseIssue(
                    ("uncertainty", name),
                    f"no cost or benefit is named {name!r} (names: {known})",
                )
            )
    return issues
