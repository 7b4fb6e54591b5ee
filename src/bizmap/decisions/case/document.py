"""The ``bizmap case --json`` document (semantics §8) of an appraisal, a simulation and a tornado.

This module owns the document's keys and their rounding (``case_document``).
"""

from __future__ import annotations

from typing import Any

from bizmap.decisions.case.appraisal import CaseResult
from bizmap.decisions.case.sensitivity import Tornado
from bizmap.decisions.case.simulation import Simulation


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def case_document(
    result: CaseResult,
    simulation: Simulation | None = None,
    tornado_result: Tornado | None = None,
    cash_flows: bool = False,
) -> dict[str, Any]:
    """``bizmap case --json`` (§8): money to 2 decimals, rates and fractions to 6, years to 6.

    The five keys of §8 always; the Monte Carlo keys with a simulation; ``tornado``,
    ``currency`` and ``cash_flows`` only when asked for (extensions).
    """
    document: dict[str, Any] = {
        "npv": round(result.npv, 2),
        "irr": _rate(result.irr),
        "roi": _rate(result.roi),
        "payback_years": _rate(result.payback_years),
        "discounted_payback_years": _rate(result.discounted_payback_years),
    }
    if simulation is not None:
        document.update(
            npv_p10=round(simulation.npv_p10, 2),
            npv_p50=round(simulation.npv_p50, 2),
            npv_p90=round(simulation.npv_p90, 2),
            probability_npv_positive=round(simulation.probability_npv_positive, 6),
        )
    if cash_flows:
        document["currency"] = result.currency
        document["cash_flows"] = [
            {
                "year": f.year,
                "benefits": round(f.benefits, 2),
                "costs": round(f.costs, 2),
                "net": round(f.net, 2),
                "discounted": round(f.discounted, 2),
                "cumulative": round(f.cumulative, 2),
                "cumulative_discounted": round(f.cumulative_discounted, 2),
            }
            for f in result.flows
        ]
    if tornado_result is not None:
        document["tornado"] = {
            "base_npv": round(tornado_result.base_npv, 2),
            "assumed_range": tornado_result.assumed_range,
            "inputs": [
                {
                    "name": b.name,
                    "kind": b.kind,
                    "low": b.low,
                    "high": b.high,
                    "npv_low": round(b.npv_low, 2),
                    "npv_high": round(b.npv_high, 2),
                    "swing": round(b.swing, 2),
                }
                for b in tornado_result.bars
            ],
        }
    return document
