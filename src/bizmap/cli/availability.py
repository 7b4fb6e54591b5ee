"""``bizmap availability``: steady-state availability, time simulation, the dial (semantics §7)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bizmap.cli.common import JsonOpt, ModelArg, app, err, fail, graph_or_exit, out, print_json, print_table
from bizmap.text import money_text

if TYPE_CHECKING:  # the command imports them when it runs (scipy, numpy: seconds)
    from bizmap.decisions.availability.dial import DialResult
    from bizmap.decisions.availability.predict import ServiceAvailability
    from bizmap.decisions.availability.simulation import SimulatedService

ASSUMPTIONS = (
    "Assumptions: every component with mtbf_hours/mttr_hours fails and is repaired independently "
    "of the others, with exponential times; figures are the long-run (steady-state) averages. "
    "Components without them never fail. soft and ignore dependencies never take a service down. "
    "Down hours count only inside each service's calendar for the year shown; the cost a year is "
    "those hours times the service's cost per hour (revenue + people x cost per person-hour), "
    "without workarounds. The time simulation applies calendars and workarounds per outage."
)


@app.command()
def availability(
    model: ModelArg,
    year: Annotated[
        int | None, typer.Option(help="Calendar year whose service hours count (default: this year).")
    ] = None,
    simulate_years: Annotated[
        int | None,
        typer.Option(
            "--simulate", metavar="YEARS", min=1, max=100_000, help="Also simulate this many years."
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed of the simulation (default 1).")] = None,
    dial: Annotated[
        Path | None,
        typer.Option(
            metavar="CHANGES.yaml", help="A change file: availability and downtime cost before and after."
        ),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Availability of every business service from MTBF/MTTR, down hours and their cost a year."""
    from bizmap.decisions.availability.dial import dial_document
    from bizmap.decisions.availability.dial_files import dial_from_file
    from bizmap.decisions.availability.predict import availability_document, service_availability
    from bizmap.decisions.availability.simulation import add_simulation, simulate
    from bizmap.domain.validate import ModelInvalid

    if seed is not None and simulate_years is None:
        fail("--seed needs --simulate YEARS", 2)
    if dial is not None and simulate_years is not None:
        fail("--dial and --simulate are separate questions: give one of them", 2)
    chosen_year = year if year is not None else datetime.now(UTC).year
    if not 1900 <= chosen_year <= 9998:
        fail(f"--year {chosen_year} is out of range (1900-9998)", 2)
    graph = graph_or_exit(model)
    if dial is not None:
        try:
            result = dial_from_file(graph, dial, chosen_year)
        except ModelInvalid as invalid:
            for problem in invalid.problems:
                err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        if json:
            print_json(dial_document(result))
        else:
            _print_dial(result)
        return
    services = service_availability(graph, chosen_year)
    document = availability_document(graph, chosen_year, services)
    simulated: list[SimulatedService] = []
    if simulate_years is not None:
        run_seed = seed if seed is not None else 1
        simulated = simulate(graph, simulate_years, run_seed, chosen_year)
        document = add_simulation(document, simulated, simulate_years, run_seed)
    if json:
        print_json(document)
        return
    _print_services(services, graph.currency, chosen_year)
    if simulated:
        _print_simulated(simulated, graph.currency, simulate_years or 0)
    out.print(ASSUMPTIONS, highlight=False)


def _print_services(services: list[ServiceAvailability], currency: str, year: int) -> None:
    from rich.table import Table

    from bizmap.decisions.availability.predict import extra_nine, nines_text, percent_text

    table = Table(title=f"Predicted availability and downtime cost, {year}")
    columns = (
        "service",
        "availability",
        "nines",
        "calendar",
        "down hours/year",
        "cost/year",
        "a nine more saves",
    )
    for column in (*columns, "method"):
        numeric = column in ("availability", "nines", "down hours/year", "cost/year", "a nine more saves")
        table.add_column(column, justify="right" if numeric else "left", no_wrap=True)
    for s in services:
        method = s.method
        if s.confidence_interval is not None:
            low, high = s.confidence_interval
            method += f" (95% CI {percent_text(low)} to {percent_text(high)})"
        table.add_row(
            s.id,
            percent_text(s.availability),
            nines_text(s.availability),
            f"{s.calendar} ({s.calendar_hours_per_year:,.0f} h)",
            f"{s.expected_down_hours_per_year:,.2f}",
            money_text(s.expected_cost_per_year, currency),
            money_text(extra_nine(s).saving_per_year, currency),
            method,
        )
    print_table(table)
    total = sum(s.expected_cost_per_year for s in services)
    out.print(f"Expected downtime cost a year: {money_text(total, currency)}", highlight=False)
    out.print(
        "A nine more (a tenth of the unavailability) saves 90% of that downtime cost a year; what "
        "it would cost to get there (a replica, a shorter repair) is what --dial FILE weighs.",
        highlight=False,
    )


def _print_simulated(simulated: list[SimulatedService], currency: str, years: int) -> None:
    from rich.table import Table

    from bizmap.decisions.availability.predict import percent_text

    table = Table(title=f"Simulated over {years:,} years (calendars and workarounds applied)")
    for column in (
        "service",
        "failures/yr",
        "mean outage",
        "down h/yr",
        "in calendar h",
        "cost/year",
        "availability",
        "95% CI",
    ):
        table.add_column(column, justify="left" if column == "service" else "right", no_wrap=True)
    for s in simulated:
        low, high = s.confidence_interval
        table.add_row(
            s.id,
            f"{s.failures_per_year:.2f}",
            "-" if s.mean_outage_hours is None else f"{s.mean_outage_hours:.2f} h",
            f"{s.down_hours_per_year:,.2f}",
            f"{s.calendar_down_hours_per_year:,.2f}",
            money_text(s.cost_per_year, currency),
            percent_text(s.availability),
            f"{percent_text(low)} to {percent_text(high)}",
        )
    print_table(table)


def _print_dial(result: DialResult) -> None:
    from rich.table import Table

    from bizmap.decisions.availability.predict import percent_text

    currency = result.currency
    after = {s.id: s for s in result.after}
    title = f"The availability dial: {result.name}" if result.name else "The availability dial"
    table = Table(title=f"{title} ({result.year})")
    for column in ("service", "before", "after", "cost/year before", "cost/year after", "avoided/year"):
        table.add_column(column, justify="left" if column == "service" else "right", no_wrap=True)
    for s in result.before:
        a = after[s.id]
        table.add_row(
            s.id,
            percent_text(s.availability),
            percent_text(a.availability),
            money_text(s.expected_cost_per_year, currency),
            money_text(a.expected_cost_per_year, currency),
            money_text(s.expected_cost_per_year - a.expected_cost_per_year, currency),
        )
    print_table(table)
    out.print(
        f"Downtime cost avoided a year: {money_text(result.avoided, currency)}; "
        f"yearly cost of the change: {money_text(result.yearly_cost, currency)}; "
        f"net value a year: {money_text(result.net_value, currency)}",
        highlight=False,
    )
    out.print(ASSUMPTIONS, highlight=False)
