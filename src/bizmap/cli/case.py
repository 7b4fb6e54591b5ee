"""``bizmap case``: business cases (semantics §8): cash flows, NPV, IRR, ROI, payback, a
Monte Carlo over the ranged inputs and a tornado of what matters most."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bizmap.cli.common import JsonOpt, app, err, fail, out, print_json, print_table
from bizmap.text import money_text

if TYPE_CHECKING:  # the command imports them when it runs (scipy, matplotlib: seconds)
    from bizmap.decisions.case.appraisal import CaseResult
    from bizmap.decisions.case.sensitivity import Tornado
    from bizmap.decisions.case.simulation import Simulation

_BAR_WIDTH = 24  # characters on each side of the base NPV in the text tornado


@app.command()
def case(
    file: Annotated[Path, typer.Argument(help="A business case (YAML).", show_default=False)],
    simulate_runs: Annotated[
        int | None,
        typer.Option(
            "--simulate", help="Monte Carlo over the ranged inputs with N runs.", show_default=False
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", min=0, help="Seed of the Monte Carlo (default 0): the same seed gives the same figures."
        ),
    ] = None,
    show_tornado: Annotated[
        bool, typer.Option("--tornado", help="Show which input moves NPV most (JSON: adds 'tornado').")
    ] = False,
    cash_flows: Annotated[
        bool, typer.Option("--cash-flows", help="JSON: add 'currency' and the cash flows by year.")
    ] = False,
    charts: Annotated[
        Path | None,
        typer.Option(
            "--charts", help="Write tornado.svg and cash-flow.svg into this directory.", show_default=False
        ),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Is it worth it? NPV, IRR, ROI, payback and discounted payback of an investment."""
    from bizmap.decisions.case.appraisal import evaluate
    from bizmap.decisions.case.document import case_document
    from bizmap.decisions.case.files import CaseFileInvalid, load_case
    from bizmap.decisions.case.sensitivity import tornado
    from bizmap.decisions.case.simulation import MAX_RUNS, simulate

    if seed is not None and simulate_runs is None:
        fail("error: --seed applies to the Monte Carlo: give --simulate N as well", 2)
    if simulate_runs is not None and not 1 <= simulate_runs <= MAX_RUNS:
        fail(f"error: --simulate takes 1 to {MAX_RUNS:,} runs (got {simulate_runs})", 2)
    try:
        spec = load_case(file)
    except CaseFileInvalid as invalid:
        for problem in invalid.problems:
            err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    result = evaluate(spec)
    simulation = simulate(spec, simulate_runs, seed or 0) if simulate_runs is not None else None
    chart = tornado(spec) if show_tornado or charts is not None else None
    if charts is not None:
        assert chart is not None
        from bizmap.decisions.case.charts import cumulative_svg, tornado_svg

        try:
            charts.mkdir(parents=True, exist_ok=True)
            (charts / "tornado.svg").write_text(tornado_svg(chart, spec.currency), encoding="utf-8")
            (charts / "cash-flow.svg").write_text(cumulative_svg(result), encoding="utf-8")
        except OSError as error:
            fail(f"{charts}: error: cannot write the charts: {error.strerror or error}", 1)
    if json:
        print_json(case_document(result, simulation, chart if show_tornado else None, cash_flows))
        return
    out.print(f"[bold]Business case: {spec.name}[/]", highlight=False)
    _print_flows(result)
    _print_figures(result)
    if simulation is not None:
        _print_simulation(simulation, result.currency)
    if show_tornado and chart is not None:
        _print_tornado(chart, result.currency)
    if charts is not None:
        out.print(f"Charts written: {charts / 'tornado.svg'}, {charts / 'cash-flow.svg'}", highlight=False)


def _percent(value: float) -> str:
    return f"{value * 100:,.1f} %"


def _years(value: float | None) -> str:
    if value is None:
        return "never within the horizon"
    return f"{value:.2f} years (about {value * 12:.0f} months)" if value < 2 else f"{value:.2f} years"


def _print_flows(result: CaseResult) -> None:
    from rich.table import Table

    currency = result.currency
    table = Table(title=f"Cash flow by year ({currency})", title_justify="left")
    columns = ("year", "benefits", "costs", "net", "discounted", "cumulative", "cumulative discounted")
    for column in columns:
        table.add_column(column, justify="right")
    for f in result.flows:
        table.add_row(
            str(f.year),
            *(money_text(v, currency) for v in (f.benefits, -f.costs, f.net, f.discounted)),
            *(money_text(v, currency) for v in (f.cumulative, f.cumulative_discounted)),
        )
    table.add_section()
    table.add_row(
        "total",
        money_text(result.total_benefits, currency),
        money_text(-result.total_costs, currency),
        money_text(result.total_benefits - result.total_costs, currency),
        money_text(result.npv, currency),
        "",
        "",
    )
    print_table(table)
    out.print(
        f"[bold]Assumptions[/]: discount rate {_percent(result.discount_rate)} a year over "
        f"{result.horizon_years} year(s); one-off costs are paid now (year 0), yearly benefits and "
        "costs at the end of each year; amounts as written, before tax and inflation.",
        highlight=False,
    )


def _print_figures(result: CaseResult) -> None:
    from rich.table import Table

    currency = result.currency
    rate = _percent(result.discount_rate)
    if result.irr is None:
        irr = "none: no discount rate makes NPV zero (the flows never change sign, or never break even)"
    elif len(result.irr_roots) > 1:
        others = ", ".join(_percent(r) for r in result.irr_roots)
        irr = (
            f"{_percent(result.irr)} a year, ambiguous: NPV is zero at each of {others} "
            "(the flows change sign more than once); judge by NPV"
        )
    else:
        irr = f"{_percent(result.irr)} a year"
    roi = "not defined: nothing is spent" if result.roi is None else _percent(result.roi)
    out.print()
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_column(style="bold")
    table.add_column()
    table.add_row(f"Net present value (NPV) at {rate}", money_text(result.npv, currency))
    table.add_row("Internal rate of return (IRR)", irr)
    table.add_row(
        "Return on investment (ROI)",
        f"{roi} (benefits − costs) / costs, undiscounted, over {result.horizon_years} year(s)",
    )
    table.add_row("Payback", _years(result.payback_years))
    table.add_row(f"Discounted payback at {rate}", _years(result.discounted_payback_years))
    print_table(table)
    verdict = "creates" if result.npv >= 0 else "destroys"
    out.print(
        f"At {rate} a year the investment {verdict} {money_text(abs(result.npv), currency)} of value "
        "in today's money.",
        highlight=False,
    )


def _print_simulation(simulation: Simulation, currency: str) -> None:
    from rich.table import Table

    ranged = ", ".join(simulation.uncertain) or "none (every input as written, so every run is the same)"
    out.print(
        f"\n[bold]Monte Carlo[/], {simulation.runs:,} runs, seed {simulation.seed}; "
        f"ranged inputs (triangular): {ranged}",
        highlight=False,
    )
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("NPV P10 (9 runs in 10 do better)", money_text(simulation.npv_p10, currency))
    table.add_row("NPV P50 (median)", money_text(simulation.npv_p50, currency))
    table.add_row("NPV P90 (1 run in 10 does better)", money_text(simulation.npv_p90, currency))
    table.add_row("Probability that NPV > 0", _percent(simulation.probability_npv_positive))
    print_table(table)


def tornado_lines(chart: Tornado, currency: str) -> list[str]:
    """The tornado as text: one bar per input, left of the axis for NPV below the base."""
    bars = chart.bars
    scale = max(
        (max(abs(b.npv_low - chart.base_npv), abs(b.npv_high - chart.base_npv)) for b in bars), default=0
    )
    names = [f"{b.name} ×{b.low:g}–×{b.high:g}" for b in bars]
    width = max((len(n) for n in names), default=0)
    lines = []
    for bar, name in zip(bars, names, strict=True):
        lower, upper = sorted((bar.npv_low - chart.base_npv, bar.npv_high - chart.base_npv))
        left = round(-min(lower, 0) / scale * _BAR_WIDTH) if scale else 0
        right = round(max(upper, 0) / scale * _BAR_WIDTH) if scale else 0
        low_side = "low" if bar.npv_low <= bar.npv_high else "high"
        high_side = "high" if low_side == "low" else "low"
        lines.append(
            f"{name:<{width}}  {money_text(min(bar.npv_low, bar.npv_high), currency):>14} ({low_side}) "
            f"{' ' * (_BAR_WIDTH - left)}{'█' * left}│{'█' * right}{' ' * (_BAR_WIDTH - right)} "
            f"{money_text(max(bar.npv_low, bar.npv_high), currency)} ({high_side})"
        )
    return lines


def _print_tornado(chart: Tornado, currency: str) -> None:
    how = (
        f"every cost and benefit at ±{chart.assumed_range:.0%}, since the case gives no ranges"
        if chart.assumed_range is not None
        else "each ranged input at its low and its high, the others at their most likely value"
    )
    out.print(
        f"\n[bold]Tornado[/]: NPV around {money_text(chart.base_npv, currency)}, {how}; largest swing first; "
        "(low) and (high) say where the input is",
        highlight=False,
    )
    for line in tornado_lines(chart, currency):
        out.print(line, markup=False, highlight=False, soft_wrap=True)
