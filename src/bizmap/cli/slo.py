"""``bizmap slo``: OpenSLO import and export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bizmap.cli.common import ModelArg, app, err, fail, out

if TYPE_CHECKING:  # the commands import them when they run
    from bizmap.domain.model import Model

slo_app = typer.Typer(help="Service level objectives: OpenSLO v1 import and export.", no_args_is_help=True)
app.add_typer(slo_app, name="slo")


def _model_or_exit(model: Path) -> Model:
    from bizmap.domain.validate import ModelInvalid
    from bizmap.model.loading import load_model

    try:
        return load_model(model)
    except ModelInvalid as invalid:
        for problem in invalid.problems:
            err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


@slo_app.command("import")
def slo_import(
    files: Annotated[
        list[Path], typer.Argument(help="OpenSLO v1 YAML files or directories.", show_default=False)
    ],
    model: Annotated[Path, typer.Option(help="The model whose business services get the SLAs.")],
    map_file: Annotated[
        Path | None,
        typer.Option("--map", help="YAML mapping OpenSLO service names to bizmap service ids."),
    ] = None,
    write: Annotated[bool, typer.Option(help="Write the SLAs into the model's YAML files.")] = False,
) -> None:
    """Read OpenSLO Service and SLO objects as bizmap SLAs; warn about what cannot be mapped."""
    from bizmap.domain.validate import ModelInvalid
    from bizmap.model.loading import load_model
    from bizmap.slo.files import SloFileError, read_openslo_files, read_service_map, sla_data, write_slas
    from bizmap.slo.openslo import import_slos

    spec = _model_or_exit(model)
    try:
        service_map = read_service_map(map_file) if map_file is not None else {}
    except SloFileError as error:
        fail(str(error), 1)
    objects, problems = read_openslo_files(files)
    result = import_slos(objects, spec, service_map)
    for message in [*problems, *result.messages]:
        err.print(str(message), markup=False, highlight=False, soft_wrap=True)
    if problems or result.errors:
        fail(f"{len(problems) + len(result.errors)} error(s); the model was not changed", 1)
    for service, imported in sorted(result.slas.items()):
        fields = ", ".join(f"{k}: {v}" for k, v in sla_data(imported.sla).items())
        out.print(
            f"{service}: sla {{{fields}}}  ({imported.source})", markup=False, highlight=False, soft_wrap=True
        )
    if not result.slas:
        out.print("No SLO found to import.")
        return
    if not write:
        out.print(f"{len(result.slas)} SLA(s) read; nothing written: add --write to apply them to {model}")
        return
    try:
        changed = write_slas(model, {s: i.sla for s, i in result.slas.items()})
        load_model(model)  # what was written must still be a valid model
    except (SloFileError, ModelInvalid) as error:
        fail(str(error), 1)
    out.print(f"wrote {len(result.slas)} SLA(s) into " + ", ".join(str(p) for p in changed), markup=False)


@slo_app.command("export")
def slo_export(
    model: ModelArg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """OpenSLO v1 Service and SLO documents for every business service with an SLA."""
    from bizmap.slo.files import dump_documents
    from bizmap.slo.openslo import export_slos

    documents = export_slos(_model_or_exit(model))
    text = dump_documents(documents)
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"wrote {len(documents) // 2} SLO(s) to {output}", markup=False)
