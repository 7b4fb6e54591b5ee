"""Charts for the documents: matplotlib drawn to SVG text that is inlined in the HTML.

Text stays text (``svg.fonttype = "none"``) so that a PDF made from the HTML can be searched
and ``pdftotext`` finds the labels. The Agg backend needs no display.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["font.family"] = "DejaVu Sans"
matplotlib.rcParams["font.size"] = 8

import matplotlib.pyplot as plt  # noqa: E402

from bizmap.reports.review import ServiceLine  # noqa: E402

INK, ACCENT, MUTED, BAD = "#1f2a44", "#2f6db5", "#9aa5b1", "#c0392b"


def _svg(figure: object) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(figure)  # type: ignore[arg-type]
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and doctype: it is inlined


def _days(instant: float) -> float:
    """matplotlib's date number (days since 1970-01-01 UTC) of a POSIX time."""
    return instant / 86400


def _date_axis(axes: object, form: str) -> None:
    def label(value: float, _: object) -> str:
        return datetime.fromtimestamp(value * 86400, UTC).strftime(form)

    axes.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(label))  # type: ignore[attr-defined]


def budget_burn_chart(service: ServiceLine) -> str:
    """Error budget consumed (% of the period's budget) over each SLA period of ``service``."""
    figure, axes = plt.subplots(figsize=(6.4, 2.2))
    for period in service.sla:
        times = [t for t, _ in period.burn]
        used = [100 * s / period.budget_seconds if period.budget_seconds else 0.0 for _, s in period.burn]
        axes.step(
            [_days(t) for t in times],
            used,
            where="post",
            color=BAD if not period.met else ACCENT,
            linewidth=1.6,
        )
    axes.axhline(100, color=INK, linewidth=0.8, linestyle="--")
    axes.text(0.005, 100, " budget", color=INK, va="bottom", transform=axes.get_yaxis_transform())
    axes.set_ylabel("budget used (%)")
    axes.set_title(f"{service.name}: error budget burn", loc="left", color=INK)
    _date_axis(axes, "%d %b")
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_ylim(bottom=0)
    return _svg(figure)


def cost_by_service_chart(services: Sequence[ServiceLine], currency: str, previous_label: str) -> str:
    """Cost of downtime per service, this period against the previous one."""
    shown = [s for s in services if s.cost or s.previous_cost][:10]
    figure, axes = plt.subplots(figsize=(6.4, 0.45 * max(len(shown), 2) + 0.6))
    names = [s.name if len(s.name) <= 40 else s.name[:38] + "…" for s in shown][::-1]
    now = [s.cost for s in shown][::-1]
    before = [s.previous_cost for s in shown][::-1]
    rows = range(len(shown))
    axes.barh([r + 0.2 for r in rows], now, height=0.4, color=ACCENT, label="this period")
    axes.barh([r - 0.2 for r in rows], before, height=0.4, color=MUTED, label=previous_label)
    axes.set_yticks(list(rows), names)
    axes.set_xlabel(f"cost of downtime ({currency})")
    axes.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:,.0f}"))
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(frameon=False, loc="lower right")
    return _svg(figure)


def outage_chart(rows: Sequence[tuple[str, float, float]], start: float, end: float) -> str:
    """One bar per service: when it was impaired during an incident."""
    figure, axes = plt.subplots(figsize=(6.4, 0.4 * max(len(rows), 2) + 0.6))
    for i, (name, a, b) in enumerate(reversed(rows)):
        axes.barh(i, (b - a) / 86400, left=_days(a), color=BAD, height=0.5)
        axes.text(_days(start), i + 0.32, name, fontsize=7, color=INK)
    axes.set_yticks([])
    axes.set_xlim(_days(start), _days(end))
    _date_axis(axes, "%H:%M")
    axes.set_xlabel("time (UTC)")
    axes.spines[["top", "right", "left"]].set_visible(False)
    return _svg(figure)
