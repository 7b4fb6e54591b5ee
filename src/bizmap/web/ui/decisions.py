"""Pages for decisions: business impact analysis, availability and the dial, business cases.

- ``/ui/decisions``: the index: the BIA portfolio of the services assessed on this server, the
  predicted availability of every business service, links.
- ``/ui/decisions/bia``: the questionnaire as a form, prefilled from the model (as
  ``bizmap bia template``); posting it shows the assessment with its reasons. Any reader may
  assess: nothing is written to the model or the database; the latest assessment of each
  service is kept in this server's memory for the portfolio until it restarts.
- ``/ui/decisions/availability``: ``GET /api/v1/availability``'s figures as a table, and the
  availability dial on a pasted or uploaded change file.
- ``/ui/decisions/case``: a pasted business case: cash flows, NPV, IRR, ROI, payback, the
  Monte Carlo and the tornado and cumulative cash-flow charts (matplotlib SVG, inlined).

Every figure comes from the same functions as the CLI and the API; this module only reads
forms and shapes what the templates show.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from bizmap.decisions.availability.dial import DialError, DialResult, turn_dial
from bizmap.decisions.availability.dial_files import locate
from bizmap.decisions.availability.predict import (
    ServiceAvailability,
    extra_nine,
    nines_text,
    percent_text,
    service_availability,
)
from bizmap.decisions.bia.assess import Assessment, assess_answers
from bizmap.decisions.bia.hours import hours_text, week_of
from bizmap.decisions.bia.portfolio import portfolio
from bizmap.decisions.case.spec import CaseSpec
from bizmap.domain.compile import CompiledGraph
from bizmap.text import money as money_exact
from bizmap.web.common import live
from bizmap.web.sessions import CsrfChecked, ReadViewer, Viewer
from bizmap.web.ui.decision_inputs import (
    BENEFIT_FIELDS,
    CHANGE_FIELDS,
    CHANGE_KINDS,
    COST_FIELDS,
    TIMINGS,
    as_yaml,
    case_from_form,
    case_values,
    change_rows,
    dial_error_text,
    dial_from_form,
    dial_values,
    item_rows,
)
from bizmap.web.ui.decisions_forms import (
    BIA_SECTIONS,
    BiaForm,
    PastedInvalid,
    bia_answers,
    bia_errors,
    bia_prefill,
    parse_pasted,
    pasted_case,
    pasted_dial,
)
from bizmap.web.ui.render import render, templates

if TYPE_CHECKING:  # numpy, scipy and matplotlib load with the first page that draws or simulates
    from bizmap.decisions.availability.simulation import SimulatedService
    from bizmap.decisions.case.appraisal import CaseResult
    from bizmap.decisions.case.sensitivity import Tornado
    from bizmap.decisions.case.simulation import Simulation

CASE_EXAMPLE = Path(__file__).resolve().parent.parent / "templates" / "decisions_case_example.yaml"
DEFAULT_RUNS, MAX_RUNS, DEFAULT_SEED = 10_000, 100_000, 42
MAX_UPLOAD_BYTES = 200_000
_UNSAFE_SVG = re.compile(r"<script|<foreignobject|javascript:|\son[a-z]+\s*=", re.IGNORECASE)


# --- availability -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AvailabilityRow:
    id: str
    name: str
    availability: float
    percent: str
    nines: str
    calendar: str
    calendar_hours: float
    down_hours: float
    cost: float
    extra_nine_saving: float  # what a tenth of the unavailability would save a year
    method: str
    sla_target: float | None

    @property
    def below_target(self) -> bool:
        return self.sla_target is not None and self.availability * 100 < self.sla_target


def availability_rows(graph: CompiledGraph, services: list[ServiceAvailability]) -> list[AvailabilityRow]:
    rows = []
    for s in services:
        facts = graph.service_of[graph.index[s.id]]
        method = s.method
        if s.confidence_interval is not None:
            low, high = s.confidence_interval
            method += f" (95 % interval {percent_text(low)} to {percent_text(high)})"
        rows.append(
            AvailabilityRow(
                id=s.id,
                name=graph.names[graph.index[s.id]] or s.id,
                availability=s.availability,
                percent=percent_text(s.availability),
                nines=nines_text(s.availability),
                calendar=s.calendar,
                calendar_hours=s.calendar_hours_per_year,
                down_hours=s.expected_down_hours_per_year,
                cost=s.expected_cost_per_year,
                extra_nine_saving=extra_nine(s).saving_per_year,
                method=method,
                sla_target=facts.sla.target if facts.sla is not None else None,
            )
        )
    return rows


MAX_WEB_SIMULATED_YEARS = 2_000  # a page must answer in seconds; the CLI simulates more


def _year(text: str | None) -> tuple[int, str]:
    """The year asked for (default: this year) and an error to show when it is not one."""
    this_year = datetime.now(UTC).year
    if not text:
        return this_year, ""
    if not text.strip().isdigit() or not 1900 <= int(text) <= 9998:
        return this_year, f"year {text!r}: give a year from 1900 to 9998; showing {this_year}"
    return int(text), ""


@dataclass(frozen=True)
class DialRow:
    id: str
    name: str
    before: float
    after: float
    before_percent: str
    after_percent: str
    cost_before: float
    cost_after: float

    @property
    def avoided(self) -> float:
        return self.cost_before - self.cost_after


def dial_rows(graph: CompiledGraph, result: DialResult) -> list[DialRow]:
    after = {s.id: s for s in result.after}
    return [
        DialRow(
            s.id,
            graph.names[graph.index[s.id]] or s.id,
            s.availability,
            after[s.id].availability,
            percent_text(s.availability),
            percent_text(after[s.id].availability),
            s.expected_cost_per_year,
            after[s.id].expected_cost_per_year,
        )
        for s in result.before
    ]


async def _changes_text(form: Any) -> tuple[str, str]:
    """The change file's text, from the upload when one is chosen, else the text area."""
    upload = form.get("changes_file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            raise PastedInvalid([])  # the message below names the limit
        try:
            return raw.decode("utf-8"), upload.filename
        except UnicodeDecodeError:
            return "\0", upload.filename  # not text: parse_yaml says so
    return str(form.get("changes") or ""), "change file"


# --- business impact analysis --------------------------------------------------------------------


@dataclass(frozen=True)
class KnownAssessment:
    assessment: Assessment
    by: str
    at: float


def _assessments(request: Request) -> dict[str, KnownAssessment]:
    """The latest assessment of each service made on this server (memory only)."""
    known: dict[str, KnownAssessment] | None = getattr(request.app.state, "decisions_bia", None)
    if known is None:
        known = {}
        request.app.state.decisions_bia = known
    return known


def _service_ids(graph: CompiledGraph) -> list[str]:
    return sorted(graph.ids[facts.index] for facts in graph.services)


def _bia_page(
    request: Request,
    viewer: Viewer,
    graph: CompiledGraph,
    form: BiaForm,
    assessment: Assessment | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "decisions_bia.html",
        viewer,
        title="Business impact analysis",
        active="decisions",
        sections=BIA_SECTIONS,
        form=form,
        services=[(sid, graph.names[graph.index[sid]] or sid) for sid in _service_ids(graph)],
        currency=graph.currency,
        a=assessment,
        hours=hours_text(week_of(assessment.hours)) if assessment is not None else "",
        status_code=status_code,
    )


# --- business cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseView:
    spec: CaseSpec
    result: CaseResult
    simulation: Simulation
    tornado: Tornado
    tornado_svg: str
    cumulative_svg: str


def safe_inline_svg(svg: str) -> str:
    """matplotlib's SVG ready to inline: no XML prolog; refused (empty) if it could run anything.

    Names from the case are escaped by matplotlib as XML text; this is the second lock.
    """
    start = svg.find("<svg")
    if start < 0 or _UNSAFE_SVG.search(svg):
        return ""
    return svg[start:]


def case_view(spec: CaseSpec, runs: int, seed: int) -> CaseView:
    import matplotlib

    from bizmap.decisions.case.appraisal import evaluate
    from bizmap.decisions.case.charts import cumulative_svg, tornado_svg
    from bizmap.decisions.case.sensitivity import tornado
    from bizmap.decisions.case.simulation import simulate

    result = evaluate(spec)
    chart = tornado(spec)
    # a name with two $ would be drawn as mathematics: names are plain text
    with matplotlib.rc_context({"text.parse_math": False}):
        tornado_chart = safe_inline_svg(tornado_svg(chart, spec.currency))
        cash_chart = safe_inline_svg(cumulative_svg(result))
    return CaseView(spec, result, simulate(spec, runs, seed), chart, tornado_chart, cash_chart)


def _pasted_data(text: str) -> Any:
    """A pasted document's data for the form beside it (None when it is not YAML)."""
    try:
        return parse_pasted(text, "pasted").data if text.strip() else None
    except PastedInvalid:
        return None


def example_case() -> str:
    return CASE_EXAMPLE.read_text(encoding="utf-8")


def _whole(text: str, default: int, low: int, high: int, what: str) -> tuple[int, str]:
    cleaned = text.replace(",", "").strip()
    if not cleaned:
        return default, ""
    if not cleaned.isdigit() or not low <= int(cleaned) <= high:
        return default, f"{what}: a whole number from {low:,} to {high:,}"
    return int(cleaned), ""


def years_text(value: float | None) -> str:
    if value is None:
        return "never within the horizon"
    return f"{value:.2f} years (about {value * 12:.0f} months)" if value < 2 else f"{value:.2f} years"


def register(app: FastAPI) -> None:
    """Add this area's pages to ``app``."""
    templates.filters["money_exact"] = money_exact
    templates.filters["percent_text"] = percent_text
    templates.filters["years_text"] = years_text

    @app.get("/ui/decisions", include_in_schema=False)
    async def decisions_index(request: Request, viewer: ReadViewer) -> Response:
        graph = live(request).graph
        year = datetime.now(UTC).year
        services = await asyncio.to_thread(service_availability, graph, year)
        in_model = set(_service_ids(graph))
        known = _assessments(request)
        ranked = portfolio([k.assessment for k in known.values() if k.assessment.service in in_model])
        return render(
            request,
            "decisions_index.html",
            viewer,
            title="Decisions",
            active="decisions",
            year=year,
            rows=availability_rows(graph, services),
            currency=graph.currency,
            portfolio=[(a, known[a.service]) for a in ranked],
            names={sid: graph.names[graph.index[sid]] or sid for sid in in_model},
        )

    @app.get("/ui/decisions/bia", include_in_schema=False)
    async def bia_form(request: Request, viewer: ReadViewer, service: str = "") -> Response:
        graph = live(request).graph
        ids = _service_ids(graph)
        chosen = service if service in ids else (ids[0] if ids else "")
        form = BiaForm(bia_prefill(graph.model, chosen) if chosen else {})
        if service and service not in ids:
            form.add_error("service", f"no business service {service!r} in the model")
        return _bia_page(request, viewer, graph, form, status_code=404 if form.errors else 200)

    @app.post("/ui/decisions/bia", dependencies=[CsrfChecked], include_in_schema=False)
    async def bia_assess(request: Request, viewer: ReadViewer) -> Response:
        graph = live(request).graph
        submitted = await request.form()
        answers, form = bia_answers({k: v for k, v in submitted.items() if isinstance(v, str)})
        assessment = None
        try:
            assessment = assess_answers(answers, currency=graph.currency)
        except ValidationError as error:
            bia_errors(form, error)
        if assessment is not None and assessment.service not in _service_ids(graph):
            form.add_error("service", f"no business service {assessment.service!r} in the model")
        if form.errors or assessment is None:
            return _bia_page(request, viewer, graph, form, status_code=422)
        _assessments(request)[assessment.service] = KnownAssessment(assessment, viewer.name, time.time())
        return _bia_page(request, viewer, graph, form, assessment)

    async def availability_page(
        request: Request,
        viewer: Viewer,
        year_text: str | None,
        changes: str = "",
        dial: DialResult | None = None,
        problems: list[str] | None = None,
        status_code: int = 200,
        simulate_text: str = "",
        seed_text: str = "",
        values: Mapping[str, str] | None = None,
        mode: str = "form",
    ) -> Response:
        graph = live(request).graph
        values = values if values is not None else dial_values(_pasted_data(changes))
        year, year_error = _year(year_text)
        services = await asyncio.to_thread(service_availability, graph, year)
        years, years_error = _whole(simulate_text, 0, 1, MAX_WEB_SIMULATED_YEARS, "simulated years")
        seed, seed_error = _whole(seed_text, 1, 0, 2**31 - 1, "seed")
        simulated: list[SimulatedService] = []
        if years and not years_error and not seed_error:
            from bizmap.decisions.availability import simulation as availability_simulation

            simulated = await asyncio.to_thread(availability_simulation.simulate, graph, years, seed, year)
        return render(
            request,
            "decisions_availability.html",
            viewer,
            title="Availability and the dial",
            active="decisions",
            year=year,
            year_error=year_error,
            rows=availability_rows(graph, services),
            total=sum(s.expected_cost_per_year for s in services),
            currency=graph.currency,
            changes=changes,
            dial=dial,
            dial_rows=dial_rows(graph, dial) if dial is not None else [],
            problems=problems or [],
            simulate_years=simulate_text.strip(),
            seed=seed,
            simulation_error=years_error or seed_error,
            simulated=[(graph.names[graph.index[s.id]] or s.id, s) for s in simulated],
            simulated_total=sum(s.cost_per_year for s in simulated),
            status_code=status_code,
            values=values,
            mode=mode,
            change_rows=change_rows(values),
            change_kinds=CHANGE_KINDS,
            change_fields=CHANGE_FIELDS,
            node_ids=sorted(graph.ids),
        )

    @app.get("/ui/decisions/availability", include_in_schema=False)
    async def availability(
        request: Request, viewer: ReadViewer, year: str = "", simulate: str = "", seed: str = ""
    ) -> Response:
        return await availability_page(request, viewer, year, simulate_text=simulate, seed_text=seed)

    @app.post("/ui/decisions/availability", dependencies=[CsrfChecked], include_in_schema=False)
    async def availability_dial(request: Request, viewer: ReadViewer) -> Response:
        graph = live(request).graph
        form = await request.form()
        year_text = str(form.get("year") or "")
        year, _ = _year(year_text)
        if form.get("mode") == "form":
            values = {k: v for k, v in form.items() if isinstance(v, str)}
            return await dial_form_result(request, viewer, graph, year_text, year, values)
        try:
            text, name = await _changes_text(form)
        except PastedInvalid:
            return await availability_page(
                request,
                viewer,
                year_text,
                problems=[f"the file is larger than {MAX_UPLOAD_BYTES:,} bytes"],
                status_code=422,
                mode="yaml",
            )
        shown = "" if text == "\0" else text  # an uploaded file's text, to edit and send again
        try:
            dial, document = pasted_dial(text, name)
            result = await asyncio.to_thread(turn_dial, graph, dial, year, name)
        except PastedInvalid as invalid:
            problems = [str(p) for p in invalid.problems]
            return await availability_page(
                request, viewer, year_text, shown, problems=problems, status_code=422, mode="yaml"
            )
        except DialError as error:
            problems = [str(locate(document, error))]
            return await availability_page(
                request, viewer, year_text, shown, problems=problems, status_code=422, mode="yaml"
            )
        return await availability_page(request, viewer, year_text, shown, result, mode="yaml")

    async def dial_form_result(
        request: Request,
        viewer: Viewer,
        graph: CompiledGraph,
        year_text: str,
        year: int,
        values: dict[str, str],
    ) -> Response:
        """The dial on the form's changes: the same change file the YAML would give."""
        dial, data, problems = dial_from_form(values)
        text = as_yaml(data)
        result = None
        if dial is not None:
            try:
                result = await asyncio.to_thread(turn_dial, graph, dial, year, "the form")
            except DialError as error:
                problems = [dial_error_text(error, values)]
        return await availability_page(
            request,
            viewer,
            year_text,
            text,
            result,
            problems,
            422 if problems else 200,
            values=values,
            mode="form",
        )

    def case_page(
        request: Request,
        viewer: Viewer,
        text: str,
        runs: str,
        seed: str,
        view: CaseView | None = None,
        problems: list[str] | None = None,
        status_code: int = 200,
        values: Mapping[str, str] | None = None,
        mode: str = "form",
    ) -> Response:
        values = values if values is not None else case_values(_pasted_data(text))
        return render(
            request,
            "decisions_case.html",
            viewer,
            title="Business case",
            active="decisions",
            text=text,
            runs=runs,
            seed=seed,
            max_runs=MAX_RUNS,
            v=view,
            problems=problems or [],
            status_code=status_code,
            values=values,
            mode=mode,
            cost_rows=item_rows(values, "cost"),
            benefit_rows=item_rows(values, "benefit"),
            cost_fields=COST_FIELDS,
            benefit_fields=BENEFIT_FIELDS,
            timings=TIMINGS,
        )

    @app.get("/ui/decisions/case", include_in_schema=False)
    async def case_form(request: Request, viewer: ReadViewer) -> Response:
        return case_page(request, viewer, example_case(), str(DEFAULT_RUNS), str(DEFAULT_SEED))

    @app.post("/ui/decisions/case", dependencies=[CsrfChecked], include_in_schema=False)
    async def case_evaluate(request: Request, viewer: ReadViewer) -> Response:
        form = await request.form()
        text, runs_text, seed_text = (str(form.get(k) or "") for k in ("case", "runs", "seed"))
        runs, runs_error = _whole(runs_text, DEFAULT_RUNS, 1, MAX_RUNS, "Monte Carlo runs")
        seed, seed_error = _whole(seed_text, DEFAULT_SEED, 0, 2**32 - 1, "seed")
        problems = [e for e in (runs_error, seed_error) if e]
        mode = "form" if form.get("mode") == "form" else "yaml"
        values: dict[str, str] | None = None
        spec: CaseSpec | None = None
        if mode == "form":  # the same data a YAML file gives, shown as YAML in the advanced part
            values = {k: v for k, v in form.items() if isinstance(v, str)}
            spec, data, found = case_from_form(values)
            text = as_yaml(data)
            problems += found
        else:
            try:
                spec = pasted_case(text)
            except PastedInvalid as invalid:
                problems += [str(p) for p in invalid.problems]
        if problems or spec is None:
            return case_page(request, viewer, text, runs_text, seed_text, None, problems, 422, values, mode)
        view = await asyncio.to_thread(case_view, spec, runs, seed)
        return case_page(request, viewer, text, str(runs), str(seed), view, None, 200, values, mode)
