"""``bizmap bia``: business impact analysis questionnaires (template, assess, portfolio, apply)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bizmap.cli.common import JsonOpt, app, err, fail, out, print_json, print_table
from bizmap.text import money_text

if TYPE_CHECKING:  # the commands import them when they run
    from bizmap.decisions.bia.assess import Assessment
    from bizmap.decisions.bia.thresholds import Thresholds
    from bizmap.domain.model import Model

bia_app = typer.Typer(
    help="Business impact analysis: questionnaires, tiers, recommendations.", no_args_is_help=True
)
app.add_typer(bia_app, name="bia")

FilesArg = Annotated[
    list[Path], typer.Argument(help="Questionnaire files (YAML) or directories of them.", show_default=False)
]
ModelOpt = Annotated[
    Path | None, typer.Option("--model", help="The model: checks service ids, gives the currency.")
]
ThresholdsOpt = Annotated[
    Path | None, typer.Option("--thresholds", help="A YAML file overriding the thresholds (docs/bia.md).")
]


def _print_problems(problems: list[object]) -> None:
    for problem in problems:
        err.print(str(problem), markup=False, highlight=False, soft_wrap=True)


def _model_or_exit(path: Path) -> Model:
    from bizmap.domain.validate import ModelInvalid
    from bizmap.model.loading import load_model

    try:
        return load_model(path)
    except ModelInvalid as invalid:
        _print_problems(list(invalid.problems))
        raise typer.Exit(1) from None


def _assessments(files: list[Path], model: Path | None, thresholds_file: Path | None) -> list[Assessment]:
    """Read, check and assess; bad files print FILE:LINE errors and exit 1."""
    from bizmap.decisions.bia.assess import assess
    from bizmap.decisions.bia.files import (
        BiaInvalid,
        check_against_model,
        load_questionnaires,
        load_thresholds,
    )

    try:
        thresholds: Thresholds = load_thresholds(thresholds_file)
        loaded = load_questionnaires(files)
        if model is not None:
            questionnaires = check_against_model(loaded, _model_or_exit(model))
        else:
            questionnaires = [item.questionnaire for item in loaded]
    except BiaInvalid as invalid:
        _print_problems(list(invalid.problems))
        raise typer.Exit(1) from None
    return sorted((assess(q, thresholds) for q in questionnaires), key=lambda a: a.service)


@bia_app.command("template")
def template_command(
    service: Annotated[str, typer.Argument(help="The business service's id.", show_default=False)],
    model: ModelOpt = None,
) -> None:
    """Print a questionnaire for SERVICE with every question, prefilled from the model."""
    from bizmap.decisions.bia.files import template
    from bizmap.domain.model import ID_PATTERN, Model, ServiceSpec

    if not re.fullmatch(ID_PATTERN, service):
        fail(f"error: {service!r} is not a service id: lowercase letters, digits, '.', '_' and '-'", 2)
    loaded = _model_or_exit(model) if model is not None else Model(services=[ServiceSpec(id=service)])
    try:
        text = template(loaded, service)
    except KeyError:
        ids = ", ".join(sorted(s.id for s in loaded.services))
        fail(f"error: no business service {service!r} in the model; services: {ids}", 2)
    out.print(text, markup=False, highlight=False, end="", soft_wrap=True)


@bia_app.command("assess")
def assess_command(
    files: FilesArg, model: ModelOpt = None, thresholds: ThresholdsOpt = None, as_json: JsonOpt = False
) -> None:
    """Derive tier, service hours, availability target, RTO, RPO and MTPD, with the reasons."""
    from bizmap.decisions.bia.assess import assessment_document

    assessments = _assessments(files, model, thresholds)
    if as_json:
        print_json({"services": [assessment_document(a) for a in assessments]})
        return
    for a in assessments:
        _print_assessment(a)


def _print_assessment(a: Assessment) -> None:
    from rich.markup import escape

    from bizmap.decisions.bia.hours import hours_text, week_of

    hours = hours_text(week_of(a.hours))
    out.print(f"[bold]{escape(a.service)}[/bold]" + (f": {escape(a.name)}" if a.name else ""))
    rows = [
        ("tier", f"tier {a.tier} ({a.tier_name})"),
        ("hours", f"service hours {hours}, {a.timezone} time ({a.weekly_hours:g} h a week)"),
        ("availability_target", f"availability target {a.availability_target:g} %"),
        ("mtpd", f"maximum tolerable disruption {a.mtpd_hours:g} h"),
        ("rto", f"recovery time objective {a.rto_hours:g} h"),
        ("rpo", f"recovery point objective {a.rpo_hours:g} h"),
    ]
    out.print(
        f"  an hour down costs {money_text(a.cost_per_hour, a.currency)}; {a.people:,} people cannot work"
    )
    for key, headline in rows:
        out.print(f"  [bold]{headline}[/bold]", highlight=False)
        for sentence in a.because[key]:
            out.print(f"      because {sentence[0].lower()}{sentence[1:]}", markup=False, highlight=False)
    for mismatch in a.mismatches:
        out.print(
            f"  [bold red]MISMATCH {mismatch.kind}[/bold red]: {escape(mismatch.message)}", highlight=False
        )
    if a.questionnaire.why_important:
        out.print(f"  why it matters: {a.questionnaire.why_important}", markup=False, highlight=False)
    out.print()


@bia_app.command("portfolio")
def portfolio_command(
    files: FilesArg, model: ModelOpt = None, thresholds: ThresholdsOpt = None, as_json: JsonOpt = False
) -> None:
    """Rank every service: by tier, then cost per hour, then people."""
    from rich.table import Table

    from bizmap.decisions.bia.portfolio import portfolio, portfolio_document

    assessments = _assessments(files, model, thresholds)
    if as_json:
        print_json(portfolio_document(assessments))
        return
    table = Table(title="Business services, most critical first")
    for column in ("#", "service", "tier", "cost per hour", "people", "target", "hours a week", "mismatches"):
        table.add_column(column, justify="right" if column in ("#", "cost per hour", "people") else "left")
    for rank, a in enumerate(portfolio(assessments), start=1):
        table.add_row(
            str(rank),
            a.service,
            f"{a.tier} {a.tier_name}",
            money_text(a.cost_per_hour, a.currency),
            f"{a.people:,}",
            f"{a.availability_target:g} %",
            f"{a.weekly_hours:g}",
            ", ".join(m.kind for m in a.mismatches) or "-",
        )
    print_table(table)


@bia_app.command("apply")
def apply_command(
    files: FilesArg,
    model: Annotated[
        Path, typer.Option("--model", help="The model directory (or file) to edit.", show_default=False)
    ],
    thresholds: ThresholdsOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes; write nothing.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Lower SLA targets the model already promises.")
    ] = False,
) -> None:
    """Write impact, calendar, workaround and SLA from the answers into the model's YAML.

    An SLA target is never lowered without --force: the run is refused and says why.
    """
    from bizmap.decisions.bia.files import load_thresholds, lowered_targets, plan_apply, write_apply
    from bizmap.domain.validate import ModelInvalid

    assessments = _assessments(files, model, thresholds)
    try:
        result = plan_apply(model, assessments, load_thresholds(thresholds))
    except ModelInvalid as invalid:
        err.print("the model would not be valid after applying; nothing was written:")
        _print_problems(list(invalid.problems))
        raise typer.Exit(1) from None
    for change in result.changes:
        sign = "+" if change.old is None else "-" if change.new is None else "~"
        old = "" if change.old is None else f"{change.old!r} -> "
        new = "(removed)" if change.new is None else repr(change.new)
        out.print(f"{sign} {change.service}: {change.key}: {old}{new}", markup=False, highlight=False)
    lowered = [] if force else lowered_targets(result)
    tiers = {a.service: f"tier {a.tier}, {a.tier_name}" for a in assessments}
    for change in lowered:
        err.print(
            f"{change.service}: the assessment ({tiers[change.service]}) recommends "
            f"{change.new:g} %, below the {change.old:g} % the model promises: a service level "
            "is lowered only on purpose: run again with --force to lower it, or leave this "
            "service's questionnaire out to keep it",
            markup=False,
            highlight=False,
        )
    if not result.changes:
        out.print("nothing to change: the model already holds these answers")
    elif lowered and not dry_run:
        err.print(f"nothing was written: {len(lowered)} SLA target(s) would be lowered without --force")
        raise typer.Exit(1)
    elif dry_run:
        out.print(f"dry run: {len(result.changes)} change(s) in {len(result.texts)} file(s); nothing written")
    else:
        write_apply(result)
        out.print(
            f"{len(result.changes)} change(s) written to {len(result.texts)} file(s); the model validates"
        )
