"""``bizmap import``: start a model from a Backstage catalog or a CMDB export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bizmap.cli.common import app, err, fail, graph_or_exit, out
from bizmap.model.importers.csv_columns import CsvColumns

if TYPE_CHECKING:  # the commands import them when they run
    from bizmap.model.importers.catalog import ImportedNode, ImportFailed

import_app = typer.Typer(
    help="Start a model from a catalog you already have: Backstage, or a CMDB export (CSV).",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="The model directory to write.")]
ForceOpt = Annotated[
    bool, typer.Option(help="Overwrite services.yaml and components.yaml in a directory with YAML.")
]


def _write(nodes: list[ImportedNode], sources: str, output: Path, force: bool) -> None:
    from bizmap.model.importers.catalog import ImportFailed, render_model, write_model

    try:
        written = write_model(output, render_model(nodes, sources), force)
    except ImportFailed as failed:
        fail(str(failed), 1)
    graph_or_exit(output)  # what was written must be a valid model
    services = sum(n.is_service for n in nodes)
    out.print(
        f"wrote {', '.join(str(p) for p in written)}: {services} business services, "
        f"{len(nodes) - services} components. Fill in the lines marked TODO(bizmap), then "
        f"`bizmap validate {output}`.",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def _report(failed: ImportFailed) -> None:
    for problem in failed.problems:
        err.print(problem, markup=False, highlight=False, soft_wrap=True)
    fail(f"{len(failed.problems)} error(s); nothing was written", 1)


@import_app.command("backstage")
def import_backstage_command(
    files: Annotated[list[Path], typer.Argument(help="catalog-info.yaml files.", show_default=False)],
    output: OutputOpt,
    force: ForceOpt = False,
) -> None:
    """Backstage Systems become business services, Components and Resources components."""
    from bizmap.model.importers.backstage import import_backstage
    from bizmap.model.importers.catalog import ImportFailed

    try:
        found = import_backstage(files)
    except ImportFailed as failed:
        _report(failed)
    if found.skipped:
        skipped = ", ".join(f"{count} {kind}" for kind, count in sorted(found.skipped.items()))
        err.print(f"not imported (no bizmap node): {skipped}", markup=False, highlight=False)
    for warning in found.warnings:
        err.print(warning, markup=False, highlight=False, soft_wrap=True)
    _write(found.nodes, "Backstage: " + ", ".join(str(f) for f in files), output, force)


@import_app.command("csv")
def import_csv_command(
    items: Annotated[Path, typer.Argument(help="CSV of configuration items.", show_default=False)],
    relations: Annotated[Path, typer.Argument(help="CSV of relations between them.", show_default=False)],
    output: OutputOpt,
    id_column: Annotated[str, typer.Option(help="Items: the unique id.")] = CsvColumns.id,
    name_column: Annotated[
        str, typer.Option(help="Items: the name (ids are made from it).")
    ] = CsvColumns.name,
    type_column: Annotated[
        str, typer.Option(help="Items: the class, kept as a component's type.")
    ] = CsvColumns.type,
    owner_column: Annotated[
        str, typer.Option(help="Items: the owner (used when present).")
    ] = CsvColumns.owner,
    service_when: Annotated[
        list[str] | None,
        typer.Option(help="COLUMN=VALUE making an item a business service; repeat for several."),
    ] = None,
    parent_column: Annotated[str, typer.Option(help="Relations: the dependent item.")] = CsvColumns.parent,
    child_column: Annotated[str, typer.Option(help="Relations: the item it depends on.")] = CsvColumns.child,
    relation_type_column: Annotated[
        str, typer.Option(help="Relations: the type.")
    ] = CsvColumns.relation_type,
    ignore_type: Annotated[
        list[str] | None, typer.Option(help="A relation type to leave out; repeat for several.")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """A CMDB export: items become business services or components, relations depends_on."""
    from bizmap.model.importers.catalog import ImportFailed
    from bizmap.model.importers.cmdb_csv import import_cmdb_csv, parse_condition

    try:
        conditions = (
            tuple(parse_condition(c) for c in service_when) if service_when else CsvColumns.service_when
        )
    except ValueError as error:
        fail(f"error: {error}", 2)
    columns = CsvColumns(
        id=id_column,
        name=name_column,
        type=type_column,
        owner=owner_column,
        parent=parent_column,
        child=child_column,
        relation_type=relation_type_column,
        service_when=conditions,
        ignore_types=tuple(ignore_type or ()),
    )
    try:
        nodes = import_cmdb_csv(items, relations, columns)
    except ImportFailed as failed:
        _report(failed)
    _write(nodes, f"a CMDB export: {items}, {relations}", output, force)
