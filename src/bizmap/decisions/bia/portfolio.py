"""The BIA portfolio: many services' assessments, most critical first.

This module owns the ranking (``portfolio``) and its JSON document (``portfolio_document``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bizmap.decisions.bia.assess import Assessment


def portfolio(assessments: Sequence[Assessment]) -> list[Assessment]:
    """Most critical first: by tier, then cost per hour (highest first), then people, then id."""
    return sorted(assessments, key=lambda a: (a.tier, -a.cost_per_hour, -a.people, a.service))


def portfolio_document(assessments: Sequence[Assessment]) -> dict[str, Any]:
    return {
        "services": [
            {
                "rank": rank,
                "service": a.service,
                "name": a.name,
                "tier": a.tier,
                "tier_name": a.tier_name,
                "cost_per_hour": round(a.cost_per_hour, 2),
                "people": a.people,
                "currency": a.currency,
                "availability_target": float(a.availability_target),
                "weekly_hours": round(float(a.weekly_hours), 4),
                "mismatches": [m.kind for m in a.mismatches],
                "why_important": a.questionnaire.why_important,
            }
            for rank, a in enumerate(portfolio(assessments), start=1)
        ]
    }
