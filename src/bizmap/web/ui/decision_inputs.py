"""The dial and business-case pages' forms: fields for what a change file or a case holds.

This module owns the rows and fields of the two forms, turning form values into the very data
a YAML file gives (``dial_data``, ``case_data``) so that both take the same path to the same
result, turning that data back into form values (``dial_values``, ``case_values``: the form
shows what was pasted) and into YAML (``as_yaml``: the advanced text area shows what was
typed in the form), and naming every error by its row and field label.

The pasted YAML is read by ``bizmap.web.ui.decisions_forms``; the routes are
``bizmap.web.ui.decisions``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from pydantic import ValidationError

from bizmap.decisions.availability.dial import DialError, DialSpec
from bizmap.decisions.case.checks import CaseInvalid, parse_case
from bizmap.decisions.case.spec import CaseSpec

EMPTY_ROWS = 1  # a blank row offered below the filled ones; evaluating adds another
MIN_ROWS = 2


@dataclass(frozen=True)
class RowField:
    key: str  # the row's field name: node, amount, ...
    label: str
    numeric: bool = False


# --- the dial ------------------------------------------------------------------------------------

CHANGE_KINDS = {
    "remove_single_point": "Remove a single point of failure",
    "add_replica": "Add a replica to a group",
    "set": "Set MTBF / MTTR",
}
CHANGE_FIELDS = (
    RowField("node", "Node (for a replica: the any/quorum group)"),
    RowField("new_id", "New node id (the replica)"),
    RowField("copy_of", "Copy of (for a replica)"),
    RowField("group", "Pair group id (optional)"),
    RowField("weight", "Weight (optional)", numeric=True),
    RowField("mtbf_hours", "MTBF hours", numeric=True),
    RowField("mttr_hours", "MTTR hours", numeric=True),
)
# the key each row field becomes in each kind of change (docs/availability.md)
CHANGE_KEYS = {
    "remove_single_point": {"node": "node", "new_id": "replica", "group": "group"},
    "add_replica": {
        "node": "to",
        "new_id": "id",
        "copy_of": "copy_of",
        "weight": "weight",
        "mtbf_hours": "mtbf_hours",
        "mttr_hours": "mttr_hours",
    },
    "set": {"node": "node", "mtbf_hours": "mtbf_hours", "mttr_hours": "mttr_hours"},
}
_CHANGE_LABELS = {f.key: f.label for f in CHANGE_FIELDS}


def _number(text: str, integer: bool = False) -> Any:
    """A number as a person types it (48,000 or 48000); text that is none is left for the checks."""
    cleaned = text.replace(",", "").replace("_", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return text
    if not value.is_finite():
        return text
    if value == value.to_integral_value() and (integer or "." not in cleaned):
        return int(value)
    return float(value)


def _numbers(text: str, integer: bool = False) -> Any:
    """``0.5, 1, 1`` as a list of numbers (``[]`` when empty)."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    return [_number(p, integer) for p in parts]


def _row_count(values: Mapping[str, str], prefix: str) -> int:
    """Rows up to the last one with something typed in it (a row's "paid" choice alone is not)."""
    rows = {
        int(m.group(1))
        for key, value in values.items()
        if value.strip() and (m := re.match(rf"{prefix}\.(\d+)\.(?!timing$)", key))
    }
    return max(rows) + 1 if rows else 0


def _filled(values: Mapping[str, str], prefix: str, i: int) -> dict[str, str]:
    start = f"{prefix}.{i}."
    return {k[len(start) :]: v.strip() for k, v in values.items() if k.startswith(start) and v.strip()}


def dial_data(values: Mapping[str, str]) -> dict[str, Any]:
    """The change file a dial form describes, as YAML would give it (empty rows left out)."""
    data: dict[str, Any] = {}
    if values.get("name", "").strip():
        data["name"] = values["name"].strip()
    yearly_cost = values.get("yearly_cost", "").strip()
    if yearly_cost:
        data["yearly_cost"] = _number(yearly_cost)
    changes: list[Any] = []
    for i in range(_row_count(values, "change")):
        row = _filled(values, "change", i)
        kind = row.pop("kind", "")
        if not row and not kind:
            continue
        keys = CHANGE_KEYS.get(kind, {})
        change: dict[str, Any] = {}
        for key, text in row.items():
            numeric = key in ("weight", "mtbf_hours", "mttr_hours")
            change[keys.get(key, key)] = _number(text, key == "weight") if numeric else text
        changes.append({kind or "kind": change})
    data["changes"] = changes
    return data


def dial_values(data: Any) -> dict[str, str]:
    """Form values from a change file's data (what the form shows for pasted YAML)."""
    if not isinstance(data, Mapping):
        return {}
    values = {"name": _text(data.get("name")), "yearly_cost": _text(data.get("yearly_cost"))}
    changes = data.get("changes")
    for i, change in enumerate(changes if isinstance(changes, list) else []):
        if not isinstance(change, Mapping) or len(change) != 1:
            continue
        ((kind, fields),) = change.items()
        values[f"change.{i}.kind"] = str(kind)
        back = {v: k for k, v in CHANGE_KEYS.get(str(kind), {}).items()}
        for key, value in (fields or {}).items() if isinstance(fields, Mapping) else ():
            values[f"change.{i}.{back.get(key, key)}"] = _text(value)
    return values


def change_rows(values: Mapping[str, str]) -> int:
    return max(MIN_ROWS, _row_count(values, "change") + EMPTY_ROWS)


def dial_problem(path: Sequence[Any], message: str, values: Mapping[str, str]) -> str:
    """An error of the change file at ``path`` (``changes, 1, set, node``) in the form's words."""
    if not path:
        return message
    if path[0] == "yearly_cost":
        return f"Yearly cost of the change: {message}"
    if path[0] == "name":
        return f"Name: {message}"
    if path[0] != "changes" or len(path) < 2 or not isinstance(path[1], int):
        return message
    i = path[1]
    kind = values.get(f"change.{i}.kind", "")
    where = f"Change {i + 1}" + (f" ({CHANGE_KINDS[kind].lower()})" if kind in CHANGE_KINDS else "")
    if len(path) >= 4:
        back = {v: k for k, v in CHANGE_KEYS.get(kind, {}).items()}
        field = back.get(str(path[3]), str(path[3]))
        label = _CHANGE_LABELS.get(field, field)
        if message.startswith("unknown key"):
            message = "does not apply to this kind of change: leave it empty"
        return f"{where}, {label}: {message}"
    if message.startswith("unknown key") or "exactly one of" in message:
        message = "choose what kind of change it is"
    return f"{where}: {message}"


# --- the business case ---------------------------------------------------------------------------

COST_FIELDS = (
    RowField("name", "Name"),
    RowField("timing", "Paid"),
    RowField("amount", "Amount", numeric=True),
    RowField("years", "Only in years (e.g. 1, 2)"),
    RowField("ramp", "Ramp per year (e.g. 0.5, 1, 1)"),
    RowField("low", "Low ×", numeric=True),
    RowField("mode", "Likely ×", numeric=True),
    RowField("high", "High ×", numeric=True),
    RowField("description", "Note (optional)"),
)
BENEFIT_FIELDS = tuple(f for f in COST_FIELDS if f.key not in ("timing", "years"))
TIMINGS = {"once": "once, now", "per_year": "every year"}
_RANGE = ("low", "mode", "high")
_ONCE_OR_PER_YEAR = "'once' (paid at t = 0) or 'per_year' (end of each year)"


def _item(row: dict[str, str], money_key: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    item: dict[str, Any] = {}
    if "name" in row:
        item["name"] = row["name"]
    if "description" in row:
        item["description"] = row["description"]
    if "amount" in row:
        item[money_key] = _number(row["amount"])
    if "years" in row:
        item["years"] = _numbers(row["years"], integer=True)
    if "ramp" in row:
        item["ramp"] = _numbers(row["ramp"])
    spread = {k: _number(row[k]) for k in _RANGE if k in row}
    return item, (spread or None)


def case_data(values: Mapping[str, str]) -> dict[str, Any]:
    """The business case a case form describes, as YAML would give it (empty rows left out)."""
    data: dict[str, Any] = {}
    for key in ("name", "description", "currency"):
        if values.get(key, "").strip():
            data[key] = values[key].strip()
    if values.get("horizon_years", "").strip():
        data["horizon_years"] = _number(values["horizon_years"].strip(), integer=True)
    rate = values.get("discount_rate", "").strip().rstrip("%").strip()
    if rate:
        percent = _number(rate)
        data["discount_rate"] = (
            float(Decimal(rate.replace(",", "")) / 100) if not isinstance(percent, str) else percent
        )
    uncertainty: dict[str, Any] = {}
    for prefix, key, money_key in (("cost", "costs", "per_year"), ("benefit", "benefits", "per_year")):
        items = []
        for i in range(_row_count(values, prefix)):
            row = _filled(values, prefix, i)
            timing = row.pop("timing", "per_year") if prefix == "cost" else "per_year"
            if not row:
                continue
            item, spread = _item(row, timing if prefix == "cost" else money_key)
            items.append(item)
            if spread is not None:
                uncertainty[str(item.get("name", f"{prefix} {i + 1}"))] = spread
        data[key] = items
    if uncertainty:
        data["uncertainty"] = uncertainty
    return data


def case_values(data: Any) -> dict[str, str]:
    """Form values from a case's data (what the form shows for pasted YAML)."""
    if not isinstance(data, Mapping):
        return {}
    values = {key: _text(data.get(key)) for key in ("name", "description", "currency", "horizon_years")}
    rate = data.get("discount_rate")
    values["discount_rate"] = (
        _text(float(Decimal(str(rate)) * 100)) if isinstance(rate, (int, float)) else _text(rate)
    )
    spreads = data.get("uncertainty") if isinstance(data.get("uncertainty"), Mapping) else {}
    for prefix, key in (("cost", "costs"), ("benefit", "benefits")):
        items = data.get(key)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, Mapping):
                continue
            row = f"{prefix}.{i}."
            values[row + "name"] = _text(item.get("name"))
            values[row + "description"] = _text(item.get("description"))
            timing = "once" if "once" in item else "per_year"
            if prefix == "cost":
                values[row + "timing"] = timing
            values[row + "amount"] = _text(item.get(timing))
            for listed in ("years", "ramp"):
                if isinstance(item.get(listed), list):
                    values[row + listed] = ", ".join(_text(v) for v in item[listed])
            spread = spreads.get(item.get("name")) if isinstance(spreads, Mapping) else None
            for bound in _RANGE if isinstance(spread, Mapping) else ():
                values[row + bound] = _text(spread.get(bound))  # type: ignore[union-attr]
    return values


def item_rows(values: Mapping[str, str], prefix: str) -> int:
    return max(MIN_ROWS, _row_count(values, prefix) + EMPTY_ROWS)


def case_problem(path: Sequence[Any], message: str, data: Mapping[str, Any]) -> str:
    """An error of the case at ``path`` (``costs, 1, once``) in the form's words."""
    labels = {
        "name": "Name",
        "currency": "Currency",
        "horizon_years": "Horizon, years",
        "discount_rate": "Discount rate, % a year",
    }
    if not path:
        return message
    head = path[0]
    if head in labels:
        return f"{labels[head]}: {message}"
    if head in ("costs", "benefits") and len(path) >= 2 and isinstance(path[1], int):
        what = "Cost" if head == "costs" else "Benefit"
        items = data.get(head) or []
        name = items[path[1]].get("name") if path[1] < len(items) else None
        where = f"{what} {path[1] + 1}" + (f" ({name})" if name else "")
        if len(path) >= 3:
            field = {"once": "amount", "per_year": "amount"}.get(str(path[2]), str(path[2]))
            label = {f.key: f.label for f in COST_FIELDS}.get(field, field)
            return f"{where}, {label}: {message}"
        return f"{where}: {message.replace(_ONCE_OR_PER_YEAR, 'an amount and when it is paid')}"
    if head == "uncertainty" and len(path) >= 2:
        return f"Range of {path[1]}: {message}"
    return message


def as_yaml(data: Mapping[str, Any]) -> str:
    """The data as a YAML document, keys in the order the form gives them."""
    return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


# --- from a form to a checked document -----------------------------------------------------------


def _message(detail: Mapping[str, Any]) -> str:
    if detail["type"] == "missing":
        return "please fill it in"
    if detail["type"] == "extra_forbidden":
        return "unknown key"
    if detail["type"] in ("value_error", "assertion_error"):
        return str(detail.get("ctx", {}).get("error", detail["msg"]))
    return str(detail["msg"])


def dial_from_form(values: Mapping[str, str]) -> tuple[DialSpec | None, dict[str, Any], list[str]]:
    """The change file a dial form describes, checked: (spec or None, its data, problems)."""
    data = dial_data(values)
    try:
        return DialSpec.model_validate(data), data, []
    except ValidationError as error:
        problems = [dial_problem(tuple(d["loc"]), _message(d), values) for d in error.errors()]
        return None, data, problems


def dial_error_text(error: DialError, values: Mapping[str, str]) -> str:
    """A change that cannot be applied (an unknown node...), named by its row and field."""
    path: tuple[Any, ...] = () if error.index is None else ("changes", error.index, *error.key)
    return dial_problem(path, error.message, values)


def case_from_form(values: Mapping[str, str]) -> tuple[CaseSpec | None, dict[str, Any], list[str]]:
    """The business case a case form describes, checked: (spec or None, its data, problems)."""
    data = case_data(values)
    try:
        return parse_case(data), data, []
    except CaseInvalid as invalid:
        return None, data, [case_problem(i.path, i.message, data) for i in invalid.issues]
