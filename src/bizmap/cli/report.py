"""``bizmap report``: Business Impact Statements, service reviews and executive summaries.

Each command is a shell over ``bizmap.reports``: open the data source (an event log with
``--replay`` or the live database with ``--db``), gather the document's data, render it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from bizmap.cli.common import app, err, fail, graph_or_exit, out, print_table
from bizmap.errors import BizmapError, EventLineError, UsageError

if TYPE_CHECKING:  # the commands import them when they run (the renderer, the database: seconds)
    from bizmap.reports.render import Report
    from bizmap.reports.sources import EventSource

report_app = typer.Typer(
    help="Documents for the business: impact statements, service reviews, executive summaries.",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")

ModelOpt = Annotated[
    Path | None, typer.Option("--model", help="The model: a YAML file or a directory of them.")
]
ReplayOpt = Annotated[
    Path | None, typer.Option("--replay", help="Compute from this event log (one JSON event per line).")
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Compute from the live database at this URL (sqlite:///FILE, postgresql://...)."
    ),
]
FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="md, html, pdf or json (every figure, as data).")
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write here (default: a name from the report; - for stdout)."),
]
PeriodOpt = Annotated[str, typer.Option("--period", help="A month (2026-11) or a quarter (2026-Q4), in UTC.")]


def open_source(model: Path | None, replay: Path | None, db: str | None) -> EventSource:
    """The data source of a report command, or exit: 2 for wrong options, 1 for bad files."""
    from bizmap.reports.sources import database_source, replay_source

    if model is None:
        fail("error: give the model with --model PATH", 2)
    if (replay is None) == (db is None):
        fail("error: give exactly one data source: --replay EVENTS.jsonl or --db URL", 2)
    graph = graph_or_exit(model)  # an invalid model: every problem, exit 1
    if replay is not None:
        try:
            return replay_source(model, replay, as_of=time.time())  # a running period ends now
        except EventLineError as error:
            fail(str(error), 1)
    from sqlalchemy.exc import SQLAlchemyError

    from bizmap.storage.store import Store

    assert db is not None
    try:
        with Store(db) as store:
            return database_source(graph, store, str(model), time.time())
    except (SQLAlchemyError, ValueError) as error:
        fail(f"error: cannot read the database {db}: {str(error).splitlines()[0]}", 1)


def _write(report: Report, form: str, output: Path | None, default_name: str) -> None:
    from bizmap.reports.render import FORMATS, render

    if form not in FORMATS:
        fail(f"error: unknown format {form!r}: use md, html, pdf or json", 2)
    document = render(report, form)
    if output is not None and str(output) == "-":
        if form == "pdf" and sys.stdout.isatty():
            fail("error: not writing a PDF to a terminal: give --output FILE", 2)
        sys.stdout.buffer.write(document)
        return
    target = output if output is not None else Path(f"{default_name}.{form}")
    try:
        target.write_bytes(document)
    except OSError as error:
        fail(f"{target}: error: cannot write the report: {error.strerror}", 1)
    out.print(f"wrote {target}", markup=False, highlight=False)


@report_app.command("incidents")
def incidents_command(model: ModelOpt = None, replay: ReplayOpt = None, db: DbOpt = None) -> None:
    """List the incidents a Business Impact Statement can be made for, newest first."""
    from rich.table import Table

    from bizmap.domain.calendar import format_time
    from bizmap.reports.incident import list_incidents

    source = open_source(model, replay, db)
    found = list_incidents(source)
    table = Table(title=f"Incidents ({len(found)})")
    table.add_column("id", no_wrap=True)  # copied into `bizmap report incident ID`: never broken
    for column in ("opened", "closed", "services", "root causes"):
        table.add_column(column, overflow="fold")
    for i in found:
        table.add_row(
            i.id,
            format_time(i.opened_at),
            format_time(i.closed_at) if i.closed_at is not None else "open",
            ", ".join(i.services),
            ", ".join(i.root_causes),
        )
    print_table(table)


@report_app.command("incident")
def incident_command(
    incident_id: Annotated[
        str, typer.Argument(metavar="ID", help="The incident's id (see `bizmap report incidents`).")
    ],
    model: ModelOpt = None,
    replay: ReplayOpt = None,
    db: DbOpt = None,
    format: FormatOpt = "pdf",
    output: OutputOpt = None,
) -> None:
    """The Business Impact Statement of one incident."""
    from bizmap.reports.incident import UnknownIncidentId, gather_incident

    source = open_source(model, replay, db)
    try:
        statement = gather_incident(source, incident_id)
    except UnknownIncidentId as error:
        fail(f"error: {error}", 2)
    _write(statement, format, output, statement.id)


@report_app.command("review")
def review_command(
    period: PeriodOpt,
    service: Annotated[str | None, typer.Option(help="One business service (default: all of them).")] = None,
    model: ModelOpt = None,
    replay: ReplayOpt = None,
    db: DbOpt = None,
    format: FormatOpt = "pdf",
    output: OutputOpt = None,
) -> None:
    """The service review of a month or a quarter, for one service or the whole portfolio."""
    from bizmap.reports.periods import parse_period
    from bizmap.reports.review import gather_review

    try:
        chosen = parse_period(period)
    except UsageError as error:
        fail(f"error: {error}", 2)
    source = open_source(model, replay, db)
    try:
        review = gather_review(source, chosen, service)
    except UsageError as error:
        fail(f"error: {error}", 2)
    _write(review, format, output, f"review-{chosen.code}" + (f"-{service}" if service else ""))


@report_app.command("executive")
def executive_command(
    period: PeriodOpt,
    model: ModelOpt = None,
    replay: ReplayOpt = None,
    db: DbOpt = None,
    format: FormatOpt = "pdf",
    output: OutputOpt = None,
    case: Annotated[
        Path | None,
        typer.Option(
            "--case", metavar="CASE.yaml", help="A business case on the table: its NPV, IRR and payback."
        ),
    ] = None,
    dial: Annotated[
        Path | None,
        typer.Option(
            "--dial",
            metavar="CHANGES.yaml",
            help="An availability-dial change file on the table: availability before and after, net value.",
        ),
    ] = None,
) -> None:
    """The one-page executive summary of a month or a quarter."""
    from bizmap.decisions.availability.dial_files import dial_from_file
    from bizmap.decisions.case.files import CaseFileInvalid, load_case
    from bizmap.domain.validate import ModelInvalid
    from bizmap.reports.executive import gather_executive
    from bizmap.reports.periods import parse_period

    try:
        chosen = parse_period(period)
    except UsageError as error:
        fail(f"error: {error}", 2)
    spec = None
    if case is not None:
        try:
            spec = load_case(case)
        except CaseFileInvalid as invalid:
            _print_problems(invalid.problems)
    source = open_source(model, replay, db)
    result = None
    if dial is not None:
        try:  # over the model, for the year the period starts in
            result = dial_from_file(source.graph, dial, chosen.year)
        except ModelInvalid as invalid:
            _print_problems(invalid.problems)
    summary = gather_executive(source, chosen, case=spec, dial=result)
    _write(summary, format, output, f"executive-{chosen.code}")


def _print_problems(problems: Sequence[object]) -> NoReturn:
    """Every problem of an input file, one per line (FILE:LINE: error: ...), then exit 1."""
    for problem in problems:
        err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@report_app.command("send")
def send_command(
    config: Annotated[Path, typer.Option("--config", help="The reports schedule (YAML).")],
    now: Annotated[bool, typer.Option("--now", help="Send every schedule's report now, once.")] = False,
    schedule: Annotated[str | None, typer.Option(help="Only the schedule with this name.")] = None,
) -> None:
    """Mail the scheduled reports now (the server sends them on time: see docs/reports.md)."""
    from bizmap.reports.schedule import ScheduleConfigError, load_schedule_config, send_now

    if not now:
        fail("error: give --now to send once (the server sends on schedule with the config)", 2)
    try:
        settings = load_schedule_config(config)
    except ScheduleConfigError as error:
        fail(error.message, 1)
    names = [s.name for s in settings.schedules]
    if schedule is not None and schedule not in names:
        fail(f"error: no schedule {schedule!r} in {config}: there are {', '.join(names)}", 2)
    try:
        sent = send_now(settings, time.time(), only=schedule)
    except BizmapError as error:
        fail(f"error: {error}", 1)
    for line in sent:
        err.print(line, markup=False, highlight=False)
