"""What the decision pages' forms need between HTML fields and the analytics: the BIA
questionnaire as form fields (prefilled from the model like ``bizmap bia template``, turned
back into answers, errors put next to their field) and pasted YAML documents (a dial change
file, a business case) read with the line of every error.

The derivations themselves are ``bizmap.decisions.bia.assess``, ``bizmap.decisions.availability.dial``
and ``bizmap.decisions.case.appraisal``; the routes are ``bizmap.web.ui.decisions``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from bizmap.decisions.availability.dial import DialSpec
from bizmap.decisions.bia.prefill import model_answers
from bizmap.decisions.case.checks import CaseInvalid, CaseIssue, parse_case, render_path
from bizmap.decisions.case.spec import CaseSpec
from bizmap.domain.model import Model
from bizmap.domain.validate import Document, Problem
from bizmap.errors import BizmapError
from bizmap.model.loading import parse_yaml

MAX_PASTED_CHARACTERS = 200_000  # a change file or a case is a page of YAML, not a data set

FieldKind = Literal["text", "number", "integer", "yesno", "hours", "longtext", "service"]


@dataclass(frozen=True)
class FormField:
    name: str  # dotted, as the questionnaire's keys: money.lost_per_hour
    label: str  # the question, as a service owner reads it
    kind: FieldKind = "text"
    help: str = ""
    required: bool = False


@dataclass(frozen=True)
class FormSection:
    key: str  # the questionnaire's section ("" for top-level answers)
    title: str
    fields: tuple[FormField, ...]


HOURS_HELP = "24x7, or one line per day range in local time, e.g. mon-fri 08:00-18:00"

BIA_SECTIONS = (
    FormSection(
        "",
        "The service",
        (
            FormField("service", "Business service", "service", required=True),
            FormField("name", "Name"),
            FormField("owner", "Owner"),
            FormField("answered_by", "Answered by", help="Who answered, and their role."),
            FormField("answered_on", "Answered on", help="A date, e.g. 2026-11-20."),
        ),
    ),
    FormSection(
        "organisation",
        "The organisation",
        (
            FormField(
                "organisation.annual_revenue",
                "The whole organisation's revenue or income a year",
                "number",
                "Scales the cost bands to the organisation's size; empty: the bands as written.",
            ),
            FormField(
                "organisation.staff",
                "People the whole organisation employs",
                "integer",
                "Scales the people bands; empty: the bands as written.",
            ),
        ),
    ),
    FormSection(
        "safety",
        "Safety",
        (
            FormField(
                "safety.threatened",
                "Is anyone's life or safety threatened if it is down?",
                "yesno",
                required=True,
            ),
            FormField(
                "safety.after_hours",
                "After how many hours down (with the workaround in use)?",
                "number",
                "Required when safety is threatened; 0 means at once.",
            ),
            FormField("safety.how", "In what way?"),
        ),
    ),
    FormSection(
        "money",
        "Money",
        (
            FormField(
                "money.lost_per_hour",
                "Revenue or income lost per hour down",
                "number",
                required=True,
            ),
            FormField("money.value_per_year", "What the service is worth to the business a year", "number"),
        ),
    ),
    FormSection(
        "people",
        "People",
        (
            FormField(
                "people.cannot_work", "People who cannot work while it is down", "integer", required=True
            ),
            FormField("people.cost_per_hour", "Loaded cost of one person-hour", "number"),
        ),
    ),
    FormSection(
        "workaround",
        "Workaround",
        (
            FormField("workaround.exists", "Is there an alternative way of working?", "yesno", required=True),
            FormField("workaround.description", "What is it?"),
            FormField(
                "workaround.impact_factor",
                "Share of the impact left while it is used",
                "number",
                "From 0 to 1: 0.3 means 30 %. Required when a workaround exists.",
            ),
            FormField(
                "workaround.max_hours",
                "How many hours can the business run on it?",
                "number",
                "Empty: indefinitely.",
            ),
        ),
    ),
    FormSection(
        "usage",
        "Who uses it when",
        (
            FormField("usage.timezone", "Time zone", help="An IANA name, e.g. Europe/London."),
            FormField("usage.used", "When is it really used?", "hours", HOURS_HELP, required=True),
            FormField("usage.asked_for", "Which hours does the business ask for?", "hours", HOURS_HELP),
            FormField("usage.needed_at_3am", "Does anyone truly need it at 3 am?", "yesno", required=True),
            FormField("usage.who_at_3am", "If so, who?"),
        ),
    ),
    FormSection(
        "data",
        "Data",
        (
            FormField(
                "data.loss_tolerable_hours",
                "How many hours of data can be lost and re-entered?",
                "number",
                "Sets the recovery point objective; empty: the tier's.",
            ),
        ),
    ),
    FormSection(
        "service_level",
        "Service level",
        (FormField("service_level.asked_for", "Availability asked for, percent", "number", "e.g. 99.9"),),
    ),
    FormSection(
        "",
        "Why it matters",
        (FormField("why_important", "Why is it more important than the others?", "longtext"),),
    ),
)
BIA_FIELDS = {f.name: f for section in BIA_SECTIONS for f in section.fields}
BIA_SECTION_KEYS = {s.key for s in BIA_SECTIONS if s.key}
REQUIRED_SECTIONS = ("safety", "money", "people", "workaround", "usage")


@dataclass
class BiaForm:
    """The form's values as typed (text) and the errors to show, by field name or section."""

    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add_error(self, where: str, message: str) -> None:
        self.errors.setdefault(where, []).append(message)


def _text(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def bia_prefill(model: Model, service_id: str) -> dict[str, str]:
    """Form values for ``service_id`` from the model, as ``bizmap bia template`` fills them."""
    service = next((s for s in model.services if s.id == service_id), None)
    if service is None:
        raise KeyError(service_id)
    impact, workaround = service.impact, service.workaround
    known = model_answers(model, service)
    used = "\n".join(f"{day} {ranges}" for day, ranges in known.used.items()) if known.used else "24x7"
    return {
        "service": service.id,
        "name": service.name or "",
        "owner": service.owner or "",
        "safety.threatened": "yes" if impact is not None and impact.safety_critical else "no",
        "safety.after_hours": _text(known.safety_after_hours),
        "money.lost_per_hour": _text(impact.revenue_per_hour if impact else 0),
        "people.cannot_work": _text(impact.users if impact else 0),
        "people.cost_per_hour": _text(impact.cost_per_user_hour if impact else 0),
        "workaround.exists": "yes" if workaround is not None else "no",
        "workaround.description": (workaround.description or "") if workaround else "",
        "workaround.impact_factor": _text(workaround.impact_factor) if workaround else "",
        "workaround.max_hours": _text(workaround.max_hours) if workaround else "",
        "usage.timezone": known.timezone,
        "usage.used": used,
        "usage.asked_for": "24x7",
        "usage.needed_at_3am": "yes" if known.needed_at_3am else "no",
        "service_level.asked_for": _text(service.sla.target) if service.sla else "",
    }


_HOURS_LINE = re.compile(r'^([a-z]{3}(?:-[a-z]{3})?)(?:\s*:\s*|\s+)"?([^"]+?)"?$')


def parse_hours_text(text: str) -> str | dict[str, str]:
    """``24x7``, or lines ``mon-fri 08:00-18:00`` (``;`` also separates) into calendar hours.

    A day named twice gets both ranges. Day names and times are checked by the questionnaire
    (the model's own checks); this only splits the text, raising ValueError when it cannot.
    """
    entries = [e.strip() for e in re.split(r"[\n;]", text.strip().lower()) if e.strip()]
    if entries == ["24x7"]:
        return "24x7"
    hours: dict[str, str] = {}
    for entry in entries:
        match = _HOURS_LINE.match(entry)
        if match is None:
            raise ValueError(f"cannot read {entry!r}: {HOURS_HELP}")
        day, ranges = match.group(1), re.sub(r"\s+", "", match.group(2))
        hours[day] = f"{hours[day]},{ranges}" if day in hours else ranges
    return hours


def _number(text: str, integer: bool) -> Any:
    """A number typed by a person (1,800 or 1800); anything else is left for the checks to name."""
    cleaned = text.replace(",", "").replace("_", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        return text
    if integer and value == int(value):
        return int(value)
    return value


def bia_answers(values: Mapping[str, str]) -> tuple[dict[str, Any], BiaForm]:
    """The questionnaire's answers from form values; errors the form itself finds go in the form."""
    form = BiaForm({name: values.get(name, "").strip() for name in BIA_FIELDS})
    answers: dict[str, Any] = {}
    for name, spec in BIA_FIELDS.items():
        text = form.values[name]
        if not text:
            continue
        value: Any = text
        if spec.kind in ("number", "integer"):
            value = _number(text, spec.kind == "integer")
        elif spec.kind == "yesno":
            if text not in ("yes", "no"):
                form.add_error(name, "answer yes or no")
                continue
            value = text == "yes"
        elif spec.kind == "hours":
            try:
                value = parse_hours_text(text)
            except ValueError as error:
                form.add_error(name, str(error))
                continue
        section, _, key = name.rpartition(".")
        (answers.setdefault(section, {}) if section else answers)[key] = value
    for section in REQUIRED_SECTIONS:  # left blank: each of its questions says it is missing
        answers.setdefault(section, {})
    return answers, form


def bia_errors(form: BiaForm, error: ValidationError) -> None:
    """Put each of pydantic's errors next to the field it is about (or its section)."""
    for detail in error.errors():
        loc = [str(part) for part in detail["loc"] if part != "[key]"]
        where = ""
        for length in range(len(loc), 0, -1):
            candidate = ".".join(loc[:length])
            if candidate in BIA_FIELDS or candidate in BIA_SECTION_KEYS:
                where = candidate
                break
        if detail["type"] == "missing":
            message = "please answer this question"
        elif detail["type"] in ("value_error", "assertion_error"):
            message = str(detail.get("ctx", {}).get("error", detail["msg"]))
            where, message = _in_the_form_s_words(where, message)
        elif detail["type"] == "extra_forbidden":
            continue  # the form sends only known keys
        else:
            message = str(detail["msg"])
        if where == "service" and detail["type"] == "string_pattern_mismatch":
            message = "choose a business service of the model"
        form.add_error(where, message)


_FIELD_NAME = re.compile(r"\b[a-z_]+\.[a-z_0-9]+\b")


def _in_the_form_s_words(where: str, message: str) -> tuple[str, str]:
    """A check's message names keys (``safety.after_hours``): the form names its questions.

    The message goes next to the first question it names, which is the one to answer.
    """
    named = [m.group(0) for m in _FIELD_NAME.finditer(message) if m.group(0) in BIA_FIELDS]
    for name in named:
        message = message.replace(name, f"“{BIA_FIELDS[name].label}”")
    return (named[0] if named else where), message


# --- pasted YAML documents ----------------------------------------------------------------------


class PastedInvalid(BizmapError):
    """A pasted document has errors; ``problems`` lists every one with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def parse_pasted(text: str, name: str) -> Document:
    """Pasted YAML as a document with lines; raise ``PastedInvalid`` when it is not YAML."""
    if len(text) > MAX_PASTED_CHARACTERS:
        raise PastedInvalid([Problem(name, None, f"longer than {MAX_PASTED_CHARACTERS:,} characters")])
    if not text.strip():
        raise PastedInvalid([Problem(name, None, "empty: paste the YAML, or choose a file")])
    document, problems = parse_yaml(text, name)
    if document is None or problems:
        raise PastedInvalid(problems)
    return document


def pasted_dial(text: str, name: str = "change file") -> tuple[DialSpec, Document]:
    """A change file (docs/availability.md) from pasted text; every error located."""
    document = parse_pasted(text, name)
    data = document.data if document.data is not None else {}
    try:
        return DialSpec.model_validate(data), document
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            loc = tuple(detail["loc"])
            where = ".".join(str(part) for part in loc)
            if detail["type"] == "extra_forbidden":
                message = f"unknown key {loc[-1]!r}"
            elif detail["type"] == "missing":
                message = f"missing required key {loc[-1]!r}"
            else:
                message = str(detail.get("ctx", {}).get("error", detail["msg"]))
            problems.append(Problem(name, document.line_of(loc), f"{where}: {message}" if where else message))
        raise PastedInvalid(problems) from None


def pasted_case(text: str, name: str = "case") -> CaseSpec:
    """A business case (semantics §8) from pasted text; every error located.

    ``per_year_from`` names a file on the server: a web page reads none, so it is refused with
    what to write instead (the dial's yearly downtime cost avoided as ``per_year``).
    """
    document = parse_pasted(text, name)
    try:
        spec = parse_case(document.data)
    except CaseInvalid as invalid:
        raise PastedInvalid([_located(document, i, name) for i in invalid.issues]) from None
    unresolved = [
        CaseIssue(
            ("benefits", i, "per_year_from"),
            "this page reads no files on the server: write per_year with the dial's "
            "downtime cost avoided a year (the availability page gives it)",
        )
        for i, b in enumerate(spec.benefits)
        if b.per_year_from is not None
    ]
    if unresolved:
        raise PastedInvalid([_located(document, i, name) for i in unresolved])
    return spec


def _located(document: Document, issue: CaseIssue, name: str) -> Problem:
    where = render_path(issue.path)
    message = f"{where}: {issue.message}" if where else issue.message
    return Problem(name, document.line_of(issue.path), message)
