"""Charts of a business case as SVG text, for the web UI, the reports and ``bizmap case --charts``:
the tornado (which input moves NPV most) and the cumulative cash flow by year.

matplotlib draws on its Agg canvas (no display needed, and no pyplot global state, so
charts may be drawn from several threads); text stays text (``svg.fonttype = "none"``) so
that it remains searchable and selectable in a browser or a PDF.
"""

from __future__ import annotations

import io
from contextlib import AbstractContextManager

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bizmap.decisions.case.appraisal import CaseResult
from bizmap.decisions.case.sensitivity import Tornado

_LOW_COLOUR = "#c0504d"  # the input at its low multiplier
_HIGH_COLOUR = "#4f81bd"  # ... at its high


def _style(chart: str) -> AbstractContextManager[None]:
    # a fixed salt makes the ids inside the SVG depend only on what is drawn: the same case
    # gives the same bytes; a salt per chart keeps two charts inlined in one page apart
    return matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": f"bizmap-{chart}",
            "font.family": "DejaVu Sans",
            "font.size": 9,
        }
    )


def _money_axis(currency: str) -> FuncFormatter:
    def label(value: float, _: int) -> str:
        for limit, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
            if abs(value) >= limit:
                return f"{value / limit:,.1f}{suffix}"
        return f"{value:,.0f}"

    return FuncFormatter(label)


def _svg(figure: Figure, chart: str) -> str:
    buffer = io.StringIO()
    with _style(chart):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def tornado_svg(chart: Tornado, currency: str) -> str:
    """Horizontal bars from the base NPV to the NPV at each input's low and high, the input
    that matters most on top."""
    with _style("tornado"):
        bars = chart.bars
        figure = Figure(figsize=(7.5, 0.45 * len(bars) + 1.4))
        axes = figure.add_subplot()
        rows = list(range(len(bars)))[::-1]  # largest swing at the top
        base = chart.base_npv
        axes.barh(rows, [b.npv_low - base for b in bars], left=base, color=_LOW_COLOUR, label="at low")
        axes.barh(rows, [b.npv_high - base for b in bars], left=base, color=_HIGH_COLOUR, label="at high")
        axes.set_yticks(rows, [f"{b.name} (×{b.low:g}–×{b.high:g})" for b in bars])
        axes.axvline(base, color="black", linewidth=0.8)
        axes.xaxis.set_major_formatter(_money_axis(currency))
        axes.set_xlabel(f"NPV ({currency})")
        ranges = (
            f"every cost and benefit ±{chart.assumed_range:.0%} (no ranges given)"
            if chart.assumed_range is not None
            else "each input at its low and high, the others at their most likely value"
        )
        axes.set_title(f"What moves NPV most: {ranges}", loc="left")
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure, "tornado")


def cumulative_svg(result: CaseResult) -> str:
    """Cumulative cash flow by year, undiscounted and discounted; where a line crosses 0 the
    investment has paid back."""
    with _style("cash-flow"):
        figure = Figure(figsize=(7.5, 3.6))
        axes = figure.add_subplot()
        years = [f.year for f in result.flows]
        axes.bar(years, [f.net for f in result.flows], color="#d9d9d9", label="net cash flow of the year")
        axes.plot(
            years, [f.cumulative for f in result.flows], marker="o", color=_HIGH_COLOUR, label="cumulative"
        )
        axes.plot(
            years,
            [f.cumulative_discounted for f in result.flows],
            marker="o",
            linestyle="--",
            color=_LOW_COLOUR,
            label=f"cumulative, discounted at {result.discount_rate:.1%}",
        )
        axes.axhline(0, color="black", linewidth=0.8)
        axes.set_xticks(years)
        axes.set_xlabel("year (0 = now; yearly flows at year end)")
        axes.set_ylabel(result.currency)
        axes.yaxis.set_major_formatter(_money_axis(result.currency))
        axes.set_title("Cumulative cash flow", loc="left")
        axes.legend(loc="upper left", frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure, "cash-flow")
