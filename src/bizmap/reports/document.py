"""The JSON form of every report (semantics §10): every figure the document prints, as data.

The Markdown, HTML and PDF are renderings of the same gathered report; this is its data, with
``report`` (incident, review or executive), ``from``, ``to`` (the window its figures cover:
for a period that has not ended, up to now), ``as_of`` (when it was made, if known),
``currency`` and ``total_cost`` first. Numbers follow §5: money to 2 decimals (summed before
rounding), seconds as whole seconds (floor), percentages to 4 decimals, availability fractions
to 8; instants as RFC 3339 UTC.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from bizmap.decisions.availability.dial import dial_document
from bizmap.decisions.case.document import case_document
from bizmap.domain.calendar import format_time
from bizmap.reports.executive import CaseOnTheTable, DialOnTheTable, ExecutiveSummary
from bizmap.reports.incident import IncidentStatement
from bizmap.reports.periods import ReportPeriod
from bizmap.reports.review import ServiceReview

Report = IncidentStatement | ServiceReview | ExecutiveSummary

# Field names that hold an instant (POSIX seconds) and those that hold money.
INSTANTS = frozenset(
    {"start", "end", "opened_at", "closed_at", "window_start", "window_end", "as_of", "time"}
)
MONEY_WORDS = ("cost", "revenue", "productivity")
FRACTIONS = frozenset({"availability", "before", "after"})  # of time, 0..1
_NOT_DATA = frozenset({"replay_command", "previous_replay_command", "availability_command"})


def report_document(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict (``--format json``, ``format=json`` on the API)."""
    if isinstance(report, IncidentStatement):
        head = _head("incident", report.window_start, report.window_end, None, report.currency, report.cost)
    else:
        review = report if isinstance(report, ServiceReview) else report.review
        kind = "review" if isinstance(report, ServiceReview) else "executive"
        head = _head(kind, review.period.start, review.window_end, review.as_of, review.currency, review.cost)
        head["running"] = review.running
    body = _value("", report)
    assert isinstance(body, dict)
    body["commands"] = {name: getattr(report, name) for name in _NOT_DATA if hasattr(report, name)}
    if isinstance(report, ExecutiveSummary):
        body["review"]["commands"] = {
            name: getattr(report.review, name) for name in _NOT_DATA if hasattr(report.review, name)
        }
    return head | body


def _head(
    kind: str, start: float, end: float, as_of: float | None, currency: str, cost: float
) -> dict[str, Any]:
    return {
        "report": kind,
        "from": format_time(start),
        "to": format_time(end),
        "as_of": None if as_of is None else format_time(math.floor(as_of)),
        "currency": currency,
        "total_cost": round(cost, 2),
    }


def _value(name: str, value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return _number(name, float(value)) if isinstance(value, float) or name in INSTANTS else value
    if isinstance(value, ReportPeriod):
        return {
            "code": value.code,
            "title": value.title,
            "from": format_time(value.start),
            "to": format_time(value.end),
        }
    if isinstance(value, CaseOnTheTable):
        return {"name": value.name, "case": case_document(value.result)}
    if isinstance(value, DialOnTheTable):
        return {
            "name": value.name,
            "dial": dial_document(value.result),
            "changed": [_value("", change) for change in value.changed],
        }
    if name == "burn" and isinstance(value, tuple):  # (time, down seconds so far) pairs of a chart
        return [{"at": format_time(at), "down_seconds": math.floor(down + 1e-6)} for at, down in value]
    if name == "recurrence_services" and isinstance(value, list):  # (name, state, cost per hour)
        return [{"name": n, "state": s, "cost_per_hour": round(c, 2)} for n, s, c in value]
    if (
        name == "root_causes" and isinstance(value, list) and value and isinstance(value[0], tuple)
    ):  # (id, name, type)
        return [{"id": i, "name": n, "type": k} for i, n, k in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: _value(field.name, getattr(value, field.name))
            for field in dataclasses.fields(value)
            if field.name not in _NOT_DATA and not field.name.startswith("_")
        }
    if isinstance(value, (list, tuple)):
        return [_value(name, item) for item in value]
    if isinstance(value, dict):
        return {str(key): _value(str(key), item) for key, item in value.items()}
    raise TypeError(f"no JSON form for {name}: {type(value).__name__}")


def _number(name: str, value: float) -> float | int | str:
    if name in INSTANTS:
        return format_time(value)
    if name.endswith("seconds") or name == "down_seconds":
        return math.floor(value + 1e-6)  # as the replay's JSON (floor)
    if any(word in name for word in MONEY_WORDS) or name.endswith(("_per_hour", "_value", "npv")):
        return round(value + 0.0, 2)
    if name in FRACTIONS:
        return round(value, 8)
    return round(value, 4)
