"""OpenSLO v1 <-> bizmap SLAs: the mapping, on plain data (no file is read or written here).

bizmap's service level is one kind of SLI only: the share of counted time (inside the SLA
calendar, unplanned, not unknown) that a business service is up, over calendar-aligned
periods (day, ISO week, month, quarter; semantics §4). OpenSLO can say much more. What maps:

* ``SLO.spec.service`` -> the bizmap business service of that id (or the one a mapping file
  names for it);
* ``objectives[].target`` (a fraction) or ``targetPercent`` -> ``sla.target`` in percent; with
  several objectives (or several SLOs for one service) the strictest wins, with a warning;
* a calendar ``timeWindow`` of 1d/24h, 1w/7d, 1M, 1Q/3M -> ``period`` day, week, month, quarter.

What does not, each with a warning that names the file, the line and the SLO: rolling windows
(mapped to the nearest calendar period), other calendar durations (likewise), a ``timeZone``
other than the SLA calendar's, a ``startTime`` that is not the start of a period, indicators
and metric thresholds (bizmap measures its own SLI), time slices, alert policies. Objects of
other kinds (SLI, AlertPolicy, DataSource, ...) are reported as not imported.

bizmap's own export carries two annotations, ``bizmap.io/sla-calendar`` and
``bizmap.io/degraded-counts-as``, and an indicator whose metric source is ``bizmap``, so that
export then import gives the same SLAs without a warning.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bizmap.domain.model import Model, SlaSpec

API_VERSION = "openslo/v1"
CALENDAR_ANNOTATION = "bizmap.io/sla-calendar"
DEGRADED_ANNOTATION = "bizmap.io/degraded-counts-as"
BIZMAP_METRIC_SOURCE = "bizmap"
# Calendar windows need a startTime; this one (a Monday, 1 January) starts every kind of period.
EXPORT_START_TIME = "2024-01-01 00:00:00"

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdwMQY])\s*$")
_UNIT_DAYS = {
    "s": 1 / 86400,
    "m": 1 / 1440,
    "h": 1 / 24,
    "d": 1.0,
    "w": 7.0,
    "M": 30.44,
    "Q": 91.31,
    "Y": 365.25,
}
_PERIOD_DAYS = {"day": 1.0, "week": 7.0, "month": 30.44, "quarter": 91.31}
_EXACT_PERIODS = {
    (1, "d"): "day",
    (24, "h"): "day",
    (1, "w"): "week",
    (7, "d"): "week",
    (1, "M"): "month",
    (1, "Q"): "quarter",
    (3, "M"): "quarter",
}
_PERIOD_DURATIONS = {"day": "1d", "week": "1w", "month": "1M", "quarter": "1Q"}
_OTHER_KINDS = {
    "SLI": "bizmap measures its own indicator (the share of counted time a service is up)",
    "AlertPolicy": "bizmap alerts on burn rates by itself (docs/slo.md)",
    "AlertCondition": "bizmap alerts on burn rates by itself (docs/slo.md)",
    "AlertNotificationTarget": "notifications are configured with `bizmap serve --notify`",
    "DataSource": "bizmap takes events from monitoring, not metric queries",
}


@dataclass(frozen=True)
class OpenSloObject:
    """One YAML document of an OpenSLO file, with where it came from."""

    file: str
    line: int
    data: Any


@dataclass(frozen=True)
class Message:
    file: str
    line: int | None
    level: str  # "error" or "warning"
    text: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.level}: {self.text}"


@dataclass(frozen=True)
class ImportedSla:
    service: str
    sla: SlaSpec
    source: str  # "FILE: SLO 'name'"


@dataclass
class ImportResult:
    slas: dict[str, ImportedSla] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)

    @property
    def errors(self) -> list[Message]:
        return [m for m in self.messages if m.level == "error"]

    @property
    def warnings(self) -> list[Message]:
        return [m for m in self.messages if m.level == "warning"]


def nearest_period(days: float) -> str:
    """The calendar period closest to a duration of ``days`` (by ratio: 28 d is nearer a month)."""
    return min(_PERIOD_DAYS, key=lambda p: abs(math.log(days / _PERIOD_DAYS[p])))


def _calendar_timezones(model: Model) -> dict[str, str]:
    zones = {name: spec.timezone for name, spec in model.calendars.items()}
    zones["24x7"] = "UTC"
    return zones


class _SloReader:
    """Maps the SLO objects of one import; collects messages rather than stopping at the first."""

    def __init__(self, model: Model, service_map: Mapping[str, str]) -> None:
        self.model = model
        self.service_map = service_map
        self.services = {s.id: s for s in model.services}
        self.components = {c.id for c in model.components}
        self.zones = _calendar_timezones(model)
        self.result = ImportResult()

    def message(self, obj: OpenSloObject, level: str, text: str) -> None:
        self.result.messages.append(Message(obj.file, obj.line, level, text))

    def read(self, objects: Sequence[OpenSloObject]) -> ImportResult:
        for obj in objects:
            self.read_object(obj)
        return self.result

    def read_object(self, obj: OpenSloObject) -> None:
        data = obj.data
        if data is None:
            return
        if not isinstance(data, dict):
            self.message(obj, "error", "not an OpenSLO object (expected a mapping with apiVersion and kind)")
            return
        version, kind = data.get("apiVersion"), data.get("kind")
        name = _metadata(data).get("name", "?")
        if version != API_VERSION:
            self.message(
                obj,
                "error",
                f"{kind or 'object'} {name!r}: apiVersion {version!r} is not read: "
                f"bizmap reads {API_VERSION}",
            )
            return
        if kind == "Service":
            return  # services are named by the SLOs; nothing of theirs maps to an SLA
        if kind == "SLO":
            self.read_slo(obj, data, str(name))
            return
        why = _OTHER_KINDS.get(str(kind), "it has no bizmap meaning")
        self.message(obj, "warning", f"{kind} {name!r} is not imported: {why}")

    def read_slo(self, obj: OpenSloObject, data: dict[str, Any], name: str) -> None:
        spec = data.get("spec")
        label = f"SLO {name!r}"
        if not isinstance(spec, dict):
            self.message(obj, "error", f"{label}: has no spec")
            return
        service = self.resolve_service(obj, label, spec.get("service"))
        target = self.target(obj, label, spec)
        annotations = _metadata(data).get("annotations") or {}
        if not isinstance(annotations, dict):
            annotations = {}
        calendar = self.sla_calendar(obj, label, annotations, service)
        period = self.period(obj, label, spec, calendar, service)
        degraded = annotations.get(DEGRADED_ANNOTATION, "up")
        if degraded not in ("up", "down"):
            self.message(obj, "error", f"{label}: annotation {DEGRADED_ANNOTATION} must be up or down")
            return
        self.warn_unmapped(obj, label, spec)
        if service is None or target is None or period is None:
            return
        sla = SlaSpec(target=target, period=period, calendar=calendar, degraded_counts_as=degraded)
        source = f"{obj.file}: {label}"
        previous = self.result.slas.get(service)
        if previous is not None:
            stricter = previous if previous.sla.target >= target else None
            kept = previous.source if stricter else source
            self.message(
                obj,
                "warning",
                f"{label}: service {service!r} has another SLO ({previous.source}); "
                f"bizmap keeps one SLA per service: the strictest, from {kept}",
            )
            if stricter:
                return
        self.result.slas[service] = ImportedSla(service, sla, source)

    def resolve_service(self, obj: OpenSloObject, label: str, name: Any) -> str | None:
        if not isinstance(name, str) or not name:
            self.message(obj, "error", f"{label}: spec.service is missing: name the service it is about")
            return None
        service = self.service_map.get(name, name)
        if service in self.services:
            return service
        mapped = f" (mapped from {name!r})" if name in self.service_map else ""
        hint = (
            f"{service!r} is a component: SLAs belong to business services"
            if service in self.components
            else f"no business service {service!r}{mapped} in the model"
        )
        self.message(
            obj,
            "error",
            f"{label}: {hint}; add it to the model, or map it with --map FILE "
            f"(YAML lines `{name}: BIZMAP-SERVICE-ID`)",
        )
        return None

    def target(self, obj: OpenSloObject, label: str, spec: dict[str, Any]) -> float | None:
        objectives = spec.get("objectives")
        if not isinstance(objectives, list) or not objectives:
            self.message(obj, "error", f"{label}: has no objectives: give one with a target such as 0.999")
            return None
        targets = []
        for i, objective in enumerate(objectives):
            where = f"{label}: objectives[{i}]"
            if not isinstance(objective, dict):
                self.message(obj, "error", f"{where}: must be a mapping with a target")
                continue
            percent = _percent(objective)
            if percent is None:
                self.message(obj, "error", f"{where}: has no numeric target (a fraction such as 0.999)")
                continue
            if not 0 < percent < 100:
                self.message(
                    obj,
                    "error",
                    f"{where}: target {percent:g} % leaves no room: a bizmap SLA needs 0 < target < 100 %",
                )
                continue
            if "op" in objective or "value" in objective:
                self.message(
                    obj,
                    "warning",
                    f"{where}: the threshold (op {objective.get('op')!r}, value {objective.get('value')!r}) "
                    "is not imported: bizmap's SLI is the share of counted time the service is up",
                )
            targets.append(percent)
        if not targets:
            return None
        if len(set(targets)) > 1:
            self.message(
                obj,
                "warning",
                f"{label}: {len(targets)} objectives ({', '.join(f'{t:g} %' for t in targets)}); "
                f"bizmap keeps one target per service: the strictest, {max(targets):g} %",
            )
        return max(targets)

    def sla_calendar(
        self, obj: OpenSloObject, label: str, annotations: dict[str, Any], service: str | None
    ) -> str | None:
        name = annotations.get(CALENDAR_ANNOTATION)
        if name is None:
            return None
        if name not in self.zones:
            self.message(
                obj,
                "warning",
                f"{label}: annotation {CALENDAR_ANNOTATION} names calendar {name!r}, which the model "
                "does not have: the service's own calendar is used",
            )
            return None
        return str(name)

    def period(
        self, obj: OpenSloObject, label: str, spec: dict[str, Any], calendar: str | None, service: str | None
    ) -> str | None:
        windows = spec.get("timeWindow")
        if isinstance(windows, dict):
            windows = [windows]
        if not isinstance(windows, list) or len(windows) != 1 or not isinstance(windows[0], dict):
            self.message(obj, "error", f"{label}: timeWindow must hold exactly one window")
            return None
        window = windows[0]
        text = str(window.get("duration", ""))
        match = _DURATION.match(text)
        if not match or int(match.group(1)) == 0:
            self.message(
                obj,
                "error",
                f"{label}: timeWindow duration {text!r} is not a duration such as 1M, 1w, 28d",
            )
            return None
        count, unit = int(match.group(1)), match.group(2)
        days = count * _UNIT_DAYS[unit]
        calendar_window = window.get("calendar")
        rolling = window.get("isRolling", calendar_window is None)
        if rolling:
            period = nearest_period(days)
            self.message(
                obj,
                "warning",
                f"{label}: the rolling {text} window cannot be mapped: bizmap SLA periods are "
                f"calendar-aligned; mapped to the nearest calendar period, {period} "
                "(the burn-rate alerts do look at rolling windows)",
            )
            return period
        exact = _EXACT_PERIODS.get((count, unit))
        period = exact if exact is not None else nearest_period(days)
        if exact is None:
            self.message(
                obj,
                "warning",
                f"{label}: a calendar window of {text} has no bizmap period (day, week, month, "
                f"quarter): mapped to the nearest, {period}",
            )
        if isinstance(calendar_window, dict):
            self.check_calendar_window(obj, label, calendar_window, period, calendar, service)
        return period

    def check_calendar_window(
        self,
        obj: OpenSloObject,
        label: str,
        window: dict[str, Any],
        period: str,
        calendar: str | None,
        service: str | None,
    ) -> None:
        if service is None:
            return
        effective = calendar or self.services[service].calendar or "24x7"
        zone = self.zones.get(effective, "UTC")
        given = window.get("timeZone")
        if given is not None and str(given) != zone:
            self.message(
                obj,
                "warning",
                f"{label}: periods start at local midnight in {zone} (the timezone of calendar "
                f"{effective!r}), not in timeZone {given}: give the SLA a calendar in {given} to keep it",
            )
        start = _start_time(window.get("startTime"))
        if start is not None and not _starts_period(start, period):
            self.message(
                obj,
                "warning",
                f"{label}: startTime {window.get('startTime')} is not the start of a {period}: "
                "bizmap periods start at local midnight (weeks on Monday, months on the 1st, "
                "quarters in January, April, July, October)",
            )

    def warn_unmapped(self, obj: OpenSloObject, label: str, spec: dict[str, Any]) -> None:
        indicator = spec.get("indicator")
        if spec.get("indicatorRef"):
            self.message(
                obj,
                "warning",
                f"{label}: indicatorRef {spec['indicatorRef']!r} is not imported: bizmap's SLI is the "
                "share of counted time the service is up, measured from the events it receives",
            )
        elif isinstance(indicator, dict) and not _is_bizmap_indicator(indicator):
            kind = next(
                (k for k in ("ratioMetric", "thresholdMetric") if k in (indicator.get("spec") or {})), ""
            )
            self.message(
                obj,
                "warning",
                f"{label}: the indicator {_metadata(indicator).get('name', '')!r} ({kind or 'metric'}) is "
                "not imported: bizmap's SLI is the share of counted time the service is up",
            )
        method = spec.get("budgetingMethod")
        if method in ("Timeslices", "RatioTimeslices"):
            self.message(
                obj,
                "warning",
                f"{label}: budgetingMethod {method} is not imported: bizmap counts every second "
                "(timeSliceTarget and timeSliceWindow are ignored)",
            )
        if spec.get("alertPolicies"):
            self.message(
                obj,
                "warning",
                f"{label}: alertPolicies are not imported: bizmap alerts on multi-window burn rates "
                "by itself (docs/slo.md)",
            )


def _metadata(data: dict[str, Any]) -> dict[str, Any]:
    metadata = data.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def _percent(objective: dict[str, Any]) -> float | None:
    for key, scale in (("target", 100.0), ("targetPercent", 1.0)):
        value = objective.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            # 0.9995 x 100 is 99.95000000000002 in binary: keep what the author wrote
            return round(float(value) * scale, 9)
    return None


def _is_bizmap_indicator(indicator: dict[str, Any]) -> bool:
    spec = indicator.get("spec") or {}
    sources = []
    for metric in ("ratioMetric", "thresholdMetric"):
        part = spec.get(metric) or {}
        for key in ("good", "bad", "total"):
            if isinstance(part.get(key), dict):
                sources.append(part[key].get("metricSource") or {})
        if "metricSource" in part:
            sources.append(part["metricSource"] or {})
    return bool(sources) and all(s.get("type") == BIZMAP_METRIC_SOURCE for s in sources)


def _start_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _starts_period(start: datetime, period: str) -> bool:
    if (start.hour, start.minute, start.second) != (0, 0, 0):
        return False
    if period == "week":
        return start.weekday() == 0
    if period == "month":
        return start.day == 1
    if period == "quarter":
        return start.day == 1 and start.month in (1, 4, 7, 10)
    return True


def import_slos(
    objects: Sequence[OpenSloObject], model: Model, service_map: Mapping[str, str] | None = None
) -> ImportResult:
    """Map OpenSLO objects onto the business services of ``model`` as bizmap SLAs."""
    return _SloReader(model, service_map or {}).read(objects)


def export_slos(model: Model) -> list[dict[str, Any]]:
    """OpenSLO v1 ``Service`` and ``SLO`` documents for every business service with an SLA."""
    zones = _calendar_timezones(model)
    documents: list[dict[str, Any]] = []
    for service in sorted(model.services, key=lambda s: s.id):
        sla = service.sla
        if sla is None:
            continue
        calendar = sla.calendar or service.calendar or "24x7"
        name = service.name or service.id
        documents.append(
            {
                "apiVersion": API_VERSION,
                "kind": "Service",
                "metadata": {"name": service.id, "displayName": name},
                "spec": {"description": service.description or f"bizmap business service {service.id}"},
            }
        )
        annotations: dict[str, str] = {DEGRADED_ANNOTATION: sla.degraded_counts_as}
        if sla.calendar is not None:
            annotations[CALENDAR_ANNOTATION] = sla.calendar

        def source(seconds: str, service_id: str = service.id) -> dict[str, Any]:
            return {
                "metricSource": {
                    "type": BIZMAP_METRIC_SOURCE,
                    "spec": {"service": service_id, "seconds": seconds},
                }
            }

        documents.append(
            {
                "apiVersion": API_VERSION,
                "kind": "SLO",
                "metadata": {
                    "name": f"{service.id}-sla",
                    "displayName": f"{name}: SLA",
                    "annotations": annotations,
                },
                "spec": {
                    "description": (
                        f"Share of counted time (calendar {calendar!r}, unplanned, not unknown) that "
                        f"{name} is up, per {sla.period}; degraded counts as {sla.degraded_counts_as}."
                    ),
                    "service": service.id,
                    "indicator": {
                        "metadata": {"name": f"{service.id}-up-time"},
                        "spec": {
                            "ratioMetric": {
                                "counter": True,
                                "good": source("up"),
                                "total": source("measured"),
                            }
                        },
                    },
                    "timeWindow": [
                        {
                            "duration": _PERIOD_DURATIONS[sla.period],
                            "isRolling": False,
                            "calendar": {
                                "startTime": EXPORT_START_TIME,
                                "timeZone": zones.get(calendar, "UTC"),
                            },
                        }
                    ],
                    "budgetingMethod": "Occurrences",
                    "objectives": [{"displayName": "SLA", "target": round(sla.target / 100, 10)}],
                },
            }
        )
    return documents
