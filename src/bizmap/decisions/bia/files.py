"""BIA files on disk: reading questionnaires and thresholds with FILE:LINE errors, printing a
blank questionnaire prefilled from the model, and applying assessments to the model's YAML.

Applying edits the model files in place with ruamel.yaml's round trip, so comments, key
order and quoting of everything not touched are kept; the edited model is validated as a
whole before a byte is written. The derivation itself is ``bizmap.decisions.bia.assess``.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from bizmap.decisions.bia.assess import Assessment
from bizmap.decisions.bia.prefill import model_answers
from bizmap.decisions.bia.questionnaire import Questionnaire
from bizmap.decisions.bia.thresholds import Thresholds
from bizmap.domain.model import Model
from bizmap.domain.validate import Document, ModelInvalid, Problem, validate_documents
from bizmap.errors import BizmapError
from bizmap.model.loading import model_files, parse_yaml


class BiaInvalid(BizmapError):
    """Questionnaires or thresholds have errors; ``problems`` lists every one, located."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class LoadedQuestionnaire:
    file: str
    line: int | None
    questionnaire: Questionnaire


def _all_keys(cls: type[BaseModel]) -> set[str]:
    keys: set[str] = set()
    for name, info in cls.model_fields.items():
        keys.add(name)
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys |= _all_keys(annotation)
    return keys


def _describe(error: Mapping[str, Any], known_keys: Sequence[str]) -> str:
    loc = [str(part) for part in error["loc"] if not isinstance(part, int) and part != "[key]"]
    where = ".".join(loc)
    if error["type"] == "extra_forbidden":
        key = loc[-1] if loc else "?"
        hint = difflib.get_close_matches(key, known_keys, n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else "; remove it or fix its spelling"
        return f"unknown key {key!r}" + (f" in {'.'.join(loc[:-1])}" if len(loc) > 1 else "") + suggestion
    if error["type"] == "missing":
        return f"missing answer {where!r}: see `bizmap bia template`"
    if error["type"] in ("value_error", "assertion_error"):
        message = str(error.get("ctx", {}).get("error", error["msg"]))
    else:
        message = f"{error['msg']} (got {error.get('input')!r})"
    return f"{where}: {message}" if where else message


def _located(
    document: Document, path: tuple[str | int, ...], label: str, error: ValidationError, known: Sequence[str]
) -> list[Problem]:
    problems = []
    for detail in error.errors():
        loc = tuple(part for part in detail["loc"] if part != "[key]")
        # a union (24x7 or a mapping) reports each alternative: the first says enough
        problems.append(
            Problem(document.name, document.line_of(path + loc), f"{label}: {_describe(detail, known)}")
        )
    return sorted(set(problems), key=lambda p: (p.line or 0, p.message))


def _parse(path: Path) -> tuple[Document | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(str(path), None, f"cannot read: {error}")]
    return parse_yaml(text, str(path))


def questionnaire_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(model_files(path) if path.is_dir() else [path])
    return files


def load_questionnaires(paths: Sequence[Path]) -> list[LoadedQuestionnaire]:
    """Read every questionnaire; a file holds one (a mapping) or several (a list)."""
    known = sorted(_all_keys(Questionnaire))
    found: list[LoadedQuestionnaire] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    files = questionnaire_files(paths)
    if not files:
        raise BiaInvalid([Problem(", ".join(map(str, paths)), None, "no questionnaire files (*.yaml) found")])
    for file in files:
        if not file.exists():
            problems.append(Problem(str(file), None, "no such file or directory"))
            continue
        document, parse_problems = _parse(file)
        problems.extend(parse_problems)
        if document is None:
            continue
        items = document.data if isinstance(document.data, list) else [document.data]
        for index, raw in enumerate(items):
            path: tuple[str | int, ...] = (index,) if isinstance(document.data, list) else ()
            if not isinstance(raw, dict):
                problems.append(
                    Problem(
                        document.name, document.line_of(path), "a questionnaire must be a mapping of answers"
                    )
                )
                continue
            label = (
                f"questionnaire {raw['service']!r}"
                if isinstance(raw.get("service"), str)
                else "questionnaire"
            )
            try:
                questionnaire = Questionnaire.model_validate(raw)
            except ValidationError as error:
                problems.extend(_located(document, path, label, error, known))
                continue
            where = f"{document.name}:{document.line_of(path)}"
            if questionnaire.service in seen:
                problems.append(
                    Problem(
                        document.name,
                        document.line_of((*path, "service")),
                        f"{label}: answered twice (also at {seen[questionnaire.service]}): keep one",
                    )
                )
                continue
            seen[questionnaire.service] = where
            found.append(
                LoadedQuestionnaire(document.name, document.line_of((*path, "service")), questionnaire)
            )
    if problems:
        raise BiaInvalid(problems)
    return found


def check_against_model(loaded: Sequence[LoadedQuestionnaire], model: Model) -> list[Questionnaire]:
    """Every questionnaire names a business service of ``model`` and uses its currency."""
    services = {s.id for s in model.services}
    problems: list[Problem] = []
    checked: list[Questionnaire] = []
    for item in loaded:
        q = item.questionnaire
        if q.service not in services:
            hint = difflib.get_close_matches(q.service, sorted(services), n=1)
            suggestion = (
                f"; did you mean {hint[0]!r}?" if hint else f"; services: {', '.join(sorted(services))}"
            )
            problems.append(
                Problem(
                    item.file, item.line, f"questionnaire {q.service!r}: no such business service{suggestion}"
                )
            )
        elif q.currency is not None and q.currency != model.currency:
            problems.append(
                Problem(
                    item.file,
                    item.line,
                    f"questionnaire {q.service!r}: currency {q.currency} but the model counts in "
                    f"{model.currency}: give money in {model.currency}",
                )
            )
        else:
            checked.append(q.model_copy(update={"currency": model.currency}))
    if problems:
        raise BiaInvalid(problems)
    return checked


def load_thresholds(path: Path | None) -> Thresholds:
    """The thresholds file (every key optional, defaults in ``Thresholds``), or the defaults."""
    if path is None:
        return Thresholds()
    if not path.exists():
        raise BiaInvalid([Problem(str(path), None, "no such file")])
    document, problems = _parse(path)
    if document is None or problems:
        raise BiaInvalid(problems)
    data = document.data if document.data is not None else {}
    if not isinstance(data, dict):
        raise BiaInvalid([Problem(document.name, document.line_of(()), "thresholds must be a mapping")])
    try:
        return Thresholds.model_validate(data)
    except ValidationError as error:
        raise BiaInvalid(_located(document, (), "thresholds", error, sorted(_all_keys(Thresholds)))) from None


# --- a blank questionnaire -----------------------------------------------------------------------


def _yaml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


_PLAIN_TEXT = re.compile(r"[A-Za-z0-9][\w .,()/'-]*")


def _yaml_text(text: str | None) -> str:
    """Free text as a YAML scalar: plain when it is safe, else double-quoted (JSON is YAML)."""
    if not text:
        return ""
    return text if _PLAIN_TEXT.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def template(model: Model, service_id: str) -> str:
    """A questionnaire for ``service_id`` with every question, prefilled from the model."""
    service = next((s for s in model.services if s.id == service_id), None)
    if service is None:
        raise KeyError(service_id)
    impact, workaround = service.impact, service.workaround
    known = model_answers(model, service)
    if known.used:
        used = "\n" + "\n".join(f'    {day}: "{ranges}"' for day, ranges in known.used.items())
    else:
        used = " 24x7"
    lines = [
        f"# Business impact analysis of {service.name or service.id}. Answer every question;",
        "# money in " + model.currency + ". Check: bizmap bia assess THIS_FILE --model MODEL",
        f"service: {service.id}",
        f"name: {_yaml_text(service.name)}",
        f"owner: {_yaml_text(service.owner)}",
        "answered_by:                      # who answered, and their role",
        "answered_on:                      # date, e.g. 2026-11-20",
        "organisation:                     # the whole organisation's size: the bands scale with it",
        "  annual_revenue:                 # revenue or income a year",
        "  staff:                          # people it employs",
        "safety:",
        f"  threatened: {_yaml_value(impact.safety_critical if impact else False)}"
        "                # is anyone's life or safety threatened if it is down?",
        f"  after_hours: {_yaml_value(known.safety_after_hours)}".ljust(34)
        + "# ...after how many hours down (0: at once)",
        "  how:                            # in what way",
        "money:",
        f"  lost_per_hour: {_yaml_value(impact.revenue_per_hour if impact else 0)}"
        "                 # revenue or income lost per hour down",
        "  value_per_year:                 # what the service is worth to the business a year",
        "people:",
        f"  cannot_work: {_yaml_value(impact.users if impact else 0)}"
        "                   # people who cannot work while it is down",
        f"  cost_per_hour: {_yaml_value(impact.cost_per_user_hour if impact else 0)}"
        "                 # loaded cost of one person-hour",
        "workaround:                       # is there an alternative, and how long can we run on it?",
        f"  exists: {_yaml_value(workaround is not None)}",
        f"  description: {_yaml_text(workaround.description if workaround else None)}",
        f"  impact_factor: {_yaml_value(workaround.impact_factor) if workaround else ''}"
        "                # share of the impact left while it is used (0-1)",
        f"  max_hours: {_yaml_value(workaround.max_hours) if workaround else ''}"
        "                    # how long the business can run on it (empty: indefinitely)",
        "usage:",
        f"  timezone: {known.timezone}",
        f"  used:{used}",
        "  asked_for: 24x7                 # the hours the business asks for",
        f"  needed_at_3am: {_yaml_value(known.needed_at_3am)}".ljust(34)
        + "# does anyone truly need it at 3 am?",
        "  who_at_3am:                     # if so, who",
        "data:",
        "  loss_tolerable_hours:           # how many hours of data can be lost and re-entered",
        "service_level:",
        f"  asked_for: {_yaml_value(service.sla.target) if service.sla else ''}"
        "                   # availability asked for, percent",
        "why_important: >-                 # why is it more important than the others?",
        "  ",
    ]
    return "\n".join(lines) + "\n"


# --- applying answers to the model ---------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    service: str
    file: str
    key: str
    old: Any
    new: Any


@dataclass
class ApplyResult:
    changes: list[Change] = field(default_factory=list)
    texts: dict[Path, str] = field(default_factory=dict)  # every file that changes, its new text


def _round_trip() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line that was not touched
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Editor:
    """Sets keys of one service's mapping, recording each change."""

    def __init__(self, result: ApplyResult, service: str, file: str) -> None:
        self.result, self.service, self.file = result, service, file

    def set(
        self,
        mapping: CommentedMap,
        key: str,
        value: Any,
        prefix: str = "",
        before: str | None = None,
        default: Any = None,
    ) -> None:
        """Set ``key``; an absent key whose model default already equals ``value`` stays absent."""
        old = _plain(mapping.get(key))
        if key in mapping and old == _plain(value):
            return
        if key not in mapping and default is not None and value == default:
            return
        if key in mapping or before is None or before not in mapping:
            mapping[key] = value
        else:
            mapping.insert(list(mapping.keys()).index(before), key, value)
        self.result.changes.append(Change(self.service, self.file, prefix + key, old, _plain(value)))

    def delete(self, mapping: CommentedMap, key: str, prefix: str = "") -> None:
        if key in mapping:
            self.result.changes.append(
                Change(self.service, self.file, prefix + key, _plain(mapping[key]), None)
            )
            del mapping[key]

    def section(self, mapping: CommentedMap, key: str) -> CommentedMap:
        if not isinstance(mapping.get(key), CommentedMap):
            before = "depends_on" if "depends_on" in mapping else None
            if before is not None:
                mapping.insert(list(mapping.keys()).index(before), key, CommentedMap())
            else:
                mapping[key] = CommentedMap()
        section: CommentedMap = mapping[key]
        return section


def calendar_name(service_id: str) -> str:
    return f"bia-{service_id}"


def _calendar_map(a: Assessment) -> CommentedMap:
    calendar = CommentedMap()
    calendar["timezone"] = a.timezone
    hours = CommentedMap()
    for days, ranges in a.hours.items():
        hours[days] = DoubleQuotedScalarString(ranges)
    calendar["hours"] = hours
    holidays = a.holidays
    if holidays.country is not None:
        spec = CommentedMap()
        spec["country"] = holidays.country
        if holidays.subdivision is not None:
            spec["subdivision"] = holidays.subdivision
        spec["dates"] = list(holidays.dates)
        calendar["holidays"] = spec
    elif holidays.dates:
        calendar["holidays"] = list(holidays.dates)
    return calendar


def plan_apply(model_dir: Path, assessments: Sequence[Assessment], thresholds: Thresholds) -> ApplyResult:
    """Edit the model's files in memory; validate the result; raise ``ModelInvalid`` if it fails."""
    yaml = _round_trip()
    files = model_files(model_dir)
    trees: dict[Path, Any] = {}
    for file in files:
        trees[file] = yaml.load(file.read_text(encoding="utf-8"))
    result = ApplyResult()
    touched: set[Path] = set()
    for a in assessments:
        located = _find_service(trees, a.service)
        if located is None:
            raise ModelInvalid(
                [Problem(str(model_dir), None, f"no business service {a.service!r} in the model")]
            )
        file, service = located
        editor = _Editor(result, a.service, str(file))
        before_changes = len(result.changes)
        q = a.questionnaire

        impact = editor.section(service, "impact")
        editor.set(impact, "revenue_per_hour", _number(q.money.lost_per_hour), "impact.", default=0)
        editor.set(impact, "users", q.people.cannot_work, "impact.", default=0)
        editor.set(impact, "cost_per_user_hour", _number(q.people.cost_per_hour), "impact.", default=0)
        editor.set(impact, "safety_critical", q.safety.threatened, "impact.", default=False)

        name = calendar_name(a.service)
        calendar_file = _find_calendar(trees, name) or _calendars_file(trees) or file
        calendars = trees[calendar_file].get("calendars")
        if not isinstance(calendars, CommentedMap):
            calendars = CommentedMap()
            trees[calendar_file].insert(
                1 if "currency" in trees[calendar_file] else 0, "calendars", calendars
            )
        editor.set(calendars, name, _calendar_map(a), "calendars.")
        editor.set(service, "calendar", name, before="impact")

        if q.workaround.exists:
            workaround = editor.section(service, "workaround")
            if q.workaround.description:
                editor.set(workaround, "description", q.workaround.description, "workaround.")
            editor.set(workaround, "impact_factor", _number(q.workaround.impact_factor or 0), "workaround.")
            if q.workaround.max_hours is None:
                editor.delete(workaround, "max_hours", "workaround.")
            else:
                editor.set(workaround, "max_hours", _number(q.workaround.max_hours), "workaround.")
        else:
            editor.delete(service, "workaround")

        sla = editor.section(service, "sla")
        editor.set(sla, "target", _number(a.availability_target), "sla.", before="period")
        if "period" not in sla:
            editor.set(sla, "period", thresholds.sla_period, "sla.")
        if len(result.changes) > before_changes:
            touched.add(file)
            touched.add(calendar_file)
    for file in sorted(touched):
        buffer = io.StringIO()
        yaml.dump(trees[file], buffer)
        result.texts[file] = buffer.getvalue()
    _validate(files, result.texts)
    return result


def _find_service(trees: Mapping[Path, Any], service_id: str) -> tuple[Path, CommentedMap] | None:
    for file, tree in trees.items():
        services = tree.get("services") if isinstance(tree, Mapping) else None
        for service in services or []:
            if isinstance(service, CommentedMap) and service.get("id") == service_id:
                return file, service
    return None


def _calendars_file(trees: Mapping[Path, Any]) -> Path | None:
    """The first file that already holds calendars: new calendars join them."""
    for file, tree in trees.items():
        if isinstance(tree, Mapping) and isinstance(tree.get("calendars"), Mapping):
            return file
    return None


def _find_calendar(trees: Mapping[Path, Any], name: str) -> Path | None:
    for file, tree in trees.items():
        calendars = tree.get("calendars") if isinstance(tree, Mapping) else None
        if isinstance(calendars, Mapping) and name in calendars:
            return file
    return None


def _validate(files: Sequence[Path], new_texts: Mapping[Path, str]) -> None:
    documents: list[Document] = []
    problems: list[Problem] = []
    for file in files:
        text = new_texts.get(file)
        if text is None:
            text = file.read_text(encoding="utf-8")
        document, found = parse_yaml(text, str(file))
        problems.extend(found)
        if document is not None:
            documents.append(document)
    if problems:
        raise ModelInvalid(problems)
    validate_documents(documents)


def lowered_targets(result: ApplyResult) -> list[Change]:
    """The changes that would lower an SLA target the model already promises."""
    return [
        c
        for c in result.changes
        if c.key == "sla.target" and isinstance(c.old, (int, float)) and c.new is not None and c.new < c.old
    ]


def write_apply(result: ApplyResult) -> None:
    for file, text in result.texts.items():
        file.write_text(text, encoding="utf-8")
