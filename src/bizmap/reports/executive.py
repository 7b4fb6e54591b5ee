"""The executive summary of a period: one page, the few numbers that matter and what to decide.

It reads the portfolio review of the period (the same replay) for the money and the SLAs, the
incidents the server's rules find in the period for the biggest one, and the single points of
failure for the top risk. The decisions are derived from those figures, never written by hand.

"Decisions on the table" appears when the reader brings a proposal: a business case (its NPV,
IRR and payback, as ``bizmap case --json``) and/or an availability-dial result (availability
before and after and the net value a year, as ``bizmap availability --dial --json``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bizmap.analytics.spof import ranked_single_points
from bizmap.analytics.whatif import rank_by_impact
from bizmap.decisions.availability.dial import DialResult
from bizmap.decisions.case.spec import CaseSpec
from bizmap.reports.incident import incident_episodes
from bizmap.reports.periods import ReportPeriod
from bizmap.reports.review import ServiceLine, ServiceReview, gather_review, period_run
from bizmap.reports.sources import EventSource
from bizmap.text import duration, join_words, money, percent

if TYPE_CHECKING:  # numpy and scipy load only when a case is evaluated
    from bizmap.decisions.case.appraisal import CaseResult

HOURS_A_YEAR_TO_PAY_BACK = 4  # a fix is worth up to this many hours of the risk's cost a year


@dataclass(frozen=True)
class BiggestIncident:
    id: str
    opened_at: float
    closed_at: float | None
    cost: float  # its services' episodes in the period (the period's replay)
    services: tuple[str, ...]  # names
    root_causes: tuple[str, ...]


@dataclass(frozen=True)
class TopRisk:
    node: str
    name: str
    cost_per_hour: float
    services: tuple[str, ...]  # names


@dataclass(frozen=True)
class CaseOnTheTable:
    name: str
    result: CaseResult


@dataclass(frozen=True)
class AvailabilityChange:
    id: str  # the service's; ids keep the line short on a one-page summary
    name: str
    before: float  # availability, a fraction
    after: float


@dataclass(frozen=True)
class DialOnTheTable:
    name: str
    result: DialResult
    changed: tuple[AvailabilityChange, ...]  # services whose availability the change moves


@dataclass
class ExecutiveSummary:
    review: ServiceReview
    incident_count: int
    biggest: BiggestIncident | None
    risk: TopRisk | None
    decisions: list[str]
    case: CaseOnTheTable | None = None
    dial: DialOnTheTable | None = None

    @property
    def missed(self) -> list[ServiceLine]:
        return self.review.missed


def gather_executive(
    source: EventSource,
    period: ReportPeriod,
    *,
    case: CaseSpec | None = None,
    dial: DialResult | None = None,
) -> ExecutiveSummary:
    """The summary of ``period``; with a case and/or a dial result, the decisions on the table."""
    review = gather_review(source, period)
    current = period_run(source, period)
    graph = source.graph

    def name(node: str) -> str:
        return graph.names[graph.index[node]] or node if node in graph.index else node

    biggest = None
    incidents = [i for i in current.incidents.all() if i.merged_into is None]
    for incident in incidents:
        cost = sum(e.cost for _, e in incident_episodes(current, incident))
        if biggest is None or cost > biggest.cost:
            biggest = BiggestIncident(
                incident.id,
                incident.opened_at,
                incident.closed_at,
                cost,
                tuple(name(s) for s in incident.services),
                tuple(rank_by_impact(graph, incident.root_causes)),
            )
    ranked = ranked_single_points(graph)  # the costliest failure unit first (semantics §5)
    risk = None
    if ranked:
        top = ranked[0]
        risk = TopRisk(top.node, name(top.node), top.cost_per_hour, tuple(name(s) for s in top.services))
    summary = ExecutiveSummary(review, len(incidents), biggest, risk, [])
    summary.decisions = decisions(summary)
    if case is not None:
        from bizmap.decisions.case.appraisal import evaluate

        summary.case = CaseOnTheTable(case.name, evaluate(case))
    if dial is not None:
        summary.dial = dial_on_the_table(dial, name)
    return summary


def dial_on_the_table(result: DialResult, name: Callable[[str], str]) -> DialOnTheTable:
    after = {s.id: s.availability for s in result.after}
    changed = tuple(
        AvailabilityChange(s.id, name(s.id), s.availability, after[s.id])
        for s in result.before
        if after[s.id] != s.availability
    )
    return DialOnTheTable(result.name or "The proposed change", result, changed)


def decisions(summary: ExecutiveSummary) -> list[str]:
    """Two or three decisions the figures call for, the most expensive first."""
    review = summary.review
    currency = review.currency
    found: list[tuple[float, str]] = []
    if summary.risk is not None:
        risk = summary.risk
        found.append(
            (
                risk.cost_per_hour,
                f"Fund redundancy for {risk.name} ({risk.node}): its failure alone stops "
                f"{join_words(list(risk.services))}, costing {money(risk.cost_per_hour, currency)} an hour. "
                f"A fix costing less than {money(HOURS_A_YEAR_TO_PAY_BACK * risk.cost_per_hour, currency)}"
                " a year "
                f"pays for itself if it avoids {HOURS_A_YEAR_TO_PAY_BACK} hours of outage a year.",
            )
        )
    for line in review.missed:
        worst = min(line.sla, key=lambda p: p.sli)
        found.append(
            (
                line.cost,
                f"{line.name} missed its SLA ({percent(worst.sli, 2)} against {percent(worst.target, 2)}): "
                f"invest in its reliability, or agree a target the business can rely on. "
                f"Its downtime cost {money(line.cost, currency)} this period.",
            )
        )
    if review.root_causes and review.root_causes[0].cost > 0:
        top = review.root_causes[0]
        share = 100 * top.cost / review.cost if review.cost else 0.0
        found.append(
            (
                top.cost,
                f"Commission a problem review of {top.name} ({top.node}): it caused {share:.0f}% of the "
                f"period's downtime cost ({money(top.cost, currency)} over {top.episodes} episode"
                f"{'s' if top.episodes != 1 else ''}).",
            )
        )
    exhausted = [
        s for s in review.services if s.breakdown.full_impact_cost > 0 and s.breakdown.workaround_seconds > 0
    ]
    if exhausted:
        worst_line = max(exhausted, key=lambda s: s.breakdown.full_impact_cost)
        found.append(
            (
                worst_line.breakdown.full_impact_cost,
                f"Extend the workaround of {worst_line.name}: it ran out after "
                f"{duration(worst_line.breakdown.workaround_seconds)} of counted time, and the time beyond "
                f"cost {money(worst_line.breakdown.full_impact_cost, currency)} at full rate.",
            )
        )
    found.sort(key=lambda item: -item[0])
    return [text for _, text in found[:3]]
