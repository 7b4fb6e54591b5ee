"""Cost rates and the workaround allowance (semantics §3).

The rate of a business service is its base (revenue plus people) times a factor by state;
inside an episode, the first ``max_hours`` of counted time are further multiplied by the
workaround's ``impact_factor``.
"""

from __future__ import annotations

from collections.abc import Sequence

from bizmap.domain.compile import ServiceFacts
from bizmap.domain.propagate import DEGRADED, DOWN


def state_factor(facts: ServiceFacts, state: int) -> float:
    """Share of the base rate lost in ``state``: down 1, degraded its factor, else 0."""
    if state == DOWN:
        return 1.0
    if state == DEGRADED:
        return facts.degraded_factor
    return 0.0


def cost_per_hour(facts: ServiceFacts, state: int) -> float:
    """Base rate times the state factor; calendar, planning and workaround not applied."""
    return facts.base_rate * state_factor(facts, state)


class WorkaroundAllowance:
    """How much counted time the workaround still covers in the current episode."""

    def __init__(self, facts: ServiceFacts) -> None:
        workaround = facts.workaround
        self.factor = workaround.impact_factor if workaround is not None else 1.0
        if workaround is None:
            self.remaining = 0.0
        elif workaround.max_hours is None:
            self.remaining = float("inf")
        else:
            self.remaining = workaround.max_hours * 3600

    def cost(self, rate_per_hour: float, seconds: float) -> float:
        """Cost of ``seconds`` of counted time at ``rate_per_hour``, using up the allowance."""
        covered = min(seconds, self.remaining)
        self.remaining -= covered
        return rate_per_hour * (covered * self.factor + (seconds - covered)) / 3600


def counted_cost(
    facts: ServiceFacts,
    state: int,
    pieces: Sequence[tuple[float, float]],
    allowance: WorkaroundAllowance,
) -> tuple[float, float]:
    """(counted seconds, cost) of in-calendar, unplanned ``pieces`` spent in ``state``."""
    rate = cost_per_hour(facts, state)
    seconds = 0.0
    cost = 0.0
    for start, end in pieces:
        length = end - start
        seconds += length
        cost += allowance.cost(rate, length)
    return seconds, cost
