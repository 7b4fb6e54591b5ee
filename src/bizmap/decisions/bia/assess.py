"""Business impact analysis: from a service owner's answers to an assessment, with reasons.

This module owns the derivation: criticality tier, recommended service hours, availability
target, RTO, RPO and the maximum tolerable period of disruption (MTPD), each with the
plain-language sentences that explain it, and the mismatches worth a conversation (hours
asked for beyond use, a target the value at stake cannot pay for, safety at stake without a
workaround); and the JSON document of one assessment. ``assess_answers`` takes plain data
(a parsed YAML file or a web form) and is the one entry point a form needs.

The questionnaire is ``bizmap.decisions.bia.questionnaire``, the numbers it is judged by
``bizmap.decisions.bia.thresholds``, service hours ``bizmap.decisions.bia.hours``, the
ranking of many ``bizmap.decisions.bia.portfolio``. Pure computation: reading files and
writing the model live in ``bizmap.decisions.bia.files``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bizmap.decisions.bia.hours import ALL_WEEK, Week, hours_spec, hours_text, week_of, weekly_hours
from bizmap.decisions.bia.questionnaire import Questionnaire, WorkaroundAnswers
from bizmap.decisions.bia.thresholds import DEFAULT_THRESHOLDS, Bands, Thresholds
from bizmap.domain.model import HolidaySpec

WEEKS_PER_YEAR = 365 / 7  # a year of 365 days; holidays are not subtracted (an upper bound)
TIER_NAMES = {
    0: "safety-critical",
    1: "mission-critical",
    2: "business-critical",
    3: "business-operational",
    4: "administrative",
}
BAND_NAMES = {1: "mission-critical", 2: "business-critical", 3: "business-operational", 4: "administrative"}
MismatchKind = Literal["asked_beyond_use", "rolls_royce", "safety_without_workaround"]


@dataclass(frozen=True)
class Mismatch:
    kind: MismatchKind
    message: str


@dataclass(frozen=True)
class Assessment:
    service: str
    name: str | None
    currency: str
    cost_per_hour: float
    people: int
    safety_critical: bool
    value_per_year: float | None
    tier: int
    timezone: str
    hours: dict[str, str]  # the recommended service hours, in the model's calendar format
    weekly_hours: float
    holidays: HolidaySpec
    availability_target: float
    rto_hours: float
    rpo_hours: float
    mtpd_hours: float
    because: Mapping[str, tuple[str, ...]]  # tier, hours, availability_target, rto, rpo, mtpd
    mismatches: tuple[Mismatch, ...]
    questionnaire: Questionnaire

    @property
    def tier_name(self) -> str:
        return TIER_NAMES[self.tier]


def _covers_3am(week: Week) -> bool:
    return any(start <= 180 < end for day in week for start, end in day)


def _num(value: float) -> str:
    """A number for a sentence: 1,800 or 0.25, never 1800.0."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _money(value: float, currency: str) -> str:
    return f"{round(value):,} {currency}"


def _bounds(bands: Bands, unit: str) -> str:
    bounds = (bands.mission_critical, bands.business_critical, bands.business_operational)
    return " / ".join(_num(round(b, 2)) for b in bounds) + unit


def organisation_bands(q: Questionnaire, thresholds: Thresholds) -> tuple[Bands, Bands, list[str]]:
    """The cost and people bands scaled to the organisation's size, when the answers state it.

    Each band scales by its own measure: cost bands by annual revenue / the reference's, people
    bands by staff / the reference's; a measure not stated leaves its bands as written.
    """
    currency = q.currency or "EUR"
    cost_bands, people_bands = thresholds.cost_per_hour_bands, thresholds.people_bands
    reasons: list[str] = []
    revenue, staff = q.organisation.annual_revenue, q.organisation.staff
    if revenue is not None:
        cost_bands = cost_bands.scaled(revenue / thresholds.reference_annual_revenue)
        reasons.append(
            f"The organisation takes {_money(revenue, currency)} a year against the "
            f"{_money(thresholds.reference_annual_revenue, currency)} the bands are written for: "
            f"the cost bands scale to {_bounds(cost_bands, ' ' + currency)} an hour."
        )
    if staff is not None:
        people_bands = people_bands.scaled(staff / thresholds.reference_staff)
        reasons.append(
            f"The organisation employs {_num(staff)} people against the "
            f"{_num(thresholds.reference_staff)} the bands are written for: the people bands "
            f"scale to {_bounds(people_bands, ' people')}."
        )
    return cost_bands, people_bands, reasons


def impact_tier(
    cost_per_hour: float, people: int, cost_bands: Bands, people_bands: Bands
) -> tuple[int, int, int]:
    """(tier from impact alone, cost band, people band): the more critical band wins."""
    cost_band = cost_bands.band(cost_per_hour)
    people_band = people_bands.band(people)
    return min(cost_band, people_band), cost_band, people_band


def has_relieving_workaround(answers: WorkaroundAnswers, thresholds: Thresholds) -> bool:
    """A workaround relieves one tier when it lasts at least ``workaround_relief_hours``."""
    if not answers.exists:
        return False
    return answers.max_hours is None or answers.max_hours >= thresholds.workaround_relief_hours


def derive_tier(q: Questionnaire, thresholds: Thresholds) -> tuple[int, list[str]]:
    currency = q.currency or "EUR"
    cost_bands, people_bands, reasons = organisation_bands(q, thresholds)
    people = q.people.cannot_work
    tier, cost_band, people_band = impact_tier(q.cost_per_hour, people, cost_bands, people_bands)
    reasons += [
        f"An hour down costs {_money(q.cost_per_hour, currency)} "
        f"({_money(q.money.lost_per_hour, currency)} lost plus {_num(q.people.cannot_work)} people "
        f"at {_num(q.people.cost_per_hour)} {currency} an hour): the {BAND_NAMES[cost_band]} cost band.",
        f"{_num(q.people.cannot_work)} people cannot work: the {BAND_NAMES[people_band]} people band.",
    ]
    if q.safety.threatened:
        reasons.append(
            "Lives or safety are threatened when it is down, so it is tier 0 (safety-critical) "
            "whatever the money; a workaround never lowers a safety-critical tier."
        )
        return 0, reasons
    reasons.append(f"The more critical band sets tier {tier} ({TIER_NAMES[tier]}).")
    if has_relieving_workaround(q.workaround, thresholds):
        lasting = (
            "indefinitely" if q.workaround.max_hours is None else f"for {_num(q.workaround.max_hours)} h"
        )
        if tier < 4:
            tier += 1
            reasons.append(
                f"The business can run on its workaround {lasting} (at least "
                f"{_num(thresholds.workaround_relief_hours)} h), which relieves one tier: tier {tier} "
                f"({TIER_NAMES[tier]})."
            )
        else:
            reasons.append(f"It has a workaround ({lasting}), and tier 4 is already the lowest.")
    elif q.workaround.exists:
        reasons.append(
            f"Its workaround lasts only {_num(q.workaround.max_hours or 0)} h, less than the "
            f"{_num(thresholds.workaround_relief_hours)} h that would relieve a tier."
        )
    else:
        reasons.append("There is no workaround to relieve it.")
    return tier, reasons


def derive_hours(q: Questionnaire) -> tuple[Week, list[str]]:
    used = week_of(q.usage.used)
    zone = q.usage.timezone
    reasons = [f"It is used {hours_text(used)} ({_num(round(weekly_hours(used), 2))} h a week, {zone} time)."]
    if q.usage.needed_at_3am:
        who = f" ({q.usage.who_at_3am})" if q.usage.who_at_3am else ""
        reasons.append(
            f"Someone truly needs it at 3 am{who}, so the recommended service hours are round the "
            "clock, every day."
        )
        return week_of(ALL_WEEK), reasons
    if _covers_3am(used):
        reasons.append(
            "It is used at 3 am although nobody is said to truly need it then: the hours follow "
            "actual use; confirm the night use with the owner."
        )
    reasons.append("The recommended service hours follow actual use, not what is asked for.")
    return used, reasons


def ladder_cost(target: float, thresholds: Thresholds) -> tuple[float, bool]:
    """Yearly cost of running at ``target``: the first rung at or above it.

    Returns (cost, on the ladder); beyond the top rung the top rung's cost is a lower bound.
    """
    for rung in thresholds.cost_ladder:
        if rung.target >= target:
            return rung.cost_per_year, True
    return thresholds.cost_ladder[-1].cost_per_year, False


def downtime_cost_avoided(target: float, q: Questionnaire, week: Week, thresholds: Thresholds) -> float:
    """Yearly downtime cost that ``target`` avoids compared with the ladder's lowest rung."""
    baseline = thresholds.cost_ladder[0].target
    hours_a_year = weekly_hours(week) * WEEKS_PER_YEAR
    return max(0.0, (target - baseline) / 100) * hours_a_year * q.cost_per_hour


def _pays(target: float, q: Questionnaire, week: Week, thresholds: Thresholds) -> tuple[bool, str]:
    """Does ``target`` pay for itself? And the sentence that says why (or why not)."""
    currency = q.currency or "EUR"
    cost, on_ladder = ladder_cost(target, thresholds)
    avoided = downtime_cost_avoided(target, q, week, thresholds)
    cost_text = _money(cost, currency) if on_ladder else f"more than {_money(cost, currency)}"
    baseline = thresholds.cost_ladder[0].target
    sentence = (
        f"{_num(target)} % costs about {cost_text} a year and avoids "
        f"{_money(avoided, currency)} a year of downtime compared with {_num(baseline)} %"
    )
    value = q.money.value_per_year
    if cost > avoided:
        return False, sentence + "."
    if value is not None and cost > value:
        return False, sentence + f", but the service is worth only {_money(value, currency)} a year."
    return True, sentence + "."


def derive_target(q: Questionnaire, tier: int, week: Week, thresholds: Thresholds) -> tuple[float, list[str]]:
    tier_target = thresholds.tiers[tier].target
    reasons = [f"Tier {tier} calls for {_num(tier_target)} %."]
    pays, sentence = _pays(tier_target, q, week, thresholds)
    reasons.append(sentence)
    if pays or tier == 0:
        if not pays:
            reasons.append("Safety sets this target; the money has to be found (see the mismatch).")
        return tier_target, reasons
    lower = [r.target for r in thresholds.cost_ladder if r.target < tier_target]
    for candidate in reversed(lower):
        candidate_pays, candidate_sentence = _pays(candidate, q, week, thresholds)
        if candidate_pays:
            reasons.append(
                f"Lowered to {_num(candidate)} %, the highest level that pays for itself: "
                + candidate_sentence
            )
            return candidate, reasons
    floor = thresholds.cost_ladder[0].target
    reasons.append(f"No level above {_num(floor)} % pays for itself: recommend {_num(floor)} %.")
    return min(floor, tier_target), reasons


def derive_mtpd(q: Questionnaire, tier: int, thresholds: Thresholds) -> tuple[float, list[str]]:
    tier_mtpd = thresholds.tiers[tier].mtpd_hours
    reasons: list[str] = []
    if not q.workaround.exists:
        mtpd = tier_mtpd
        reasons.append(f"Without a workaround the tier {tier} tolerance applies: {_num(tier_mtpd)} h.")
    elif q.workaround.max_hours is None:
        mtpd = max(tier_mtpd, thresholds.mtpd_cap_hours)
        reasons.append(
            f"The business can run on its workaround indefinitely; disruption is planned for up to "
            f"{_num(mtpd)} h."
        )
    else:
        mtpd = max(tier_mtpd, q.workaround.max_hours)
        reasons.append(
            f"The workaround lasts {_num(q.workaround.max_hours)} h and tier {tier} tolerates "
            f"{_num(tier_mtpd)} h: the longer of the two, {_num(mtpd)} h."
        )
    if q.safety.threatened and q.safety.after_hours is not None and q.safety.after_hours < mtpd:
        mtpd = q.safety.after_hours
        reasons.append(f"Safety is threatened after {_num(mtpd)} h down, which caps it at {_num(mtpd)} h.")
    return mtpd, reasons


def derive_rto(tier: int, mtpd: float, thresholds: Thresholds) -> tuple[float, list[str]]:
    tier_rto = thresholds.tiers[tier].rto_hours
    share_of_mtpd = thresholds.rto_share_of_mtpd * mtpd
    if share_of_mtpd < tier_rto:
        return share_of_mtpd, [
            f"Recovery must leave a margin before the MTPD: {_num(thresholds.rto_share_of_mtpd * 100)} % "
            f"of {_num(mtpd)} h is {_num(share_of_mtpd)} h, shorter than tier {tier}'s {_num(tier_rto)} h."
        ]
    return tier_rto, [
        f"Tier {tier} recovers within {_num(tier_rto)} h, well inside the MTPD of {_num(mtpd)} h."
    ]


def derive_rpo(q: Questionnaire, tier: int, thresholds: Thresholds) -> tuple[float, list[str]]:
    tier_rpo = thresholds.tiers[tier].rpo_hours
    answer = q.data.loss_tolerable_hours
    if answer is None:
        return tier_rpo, [f"No answer on data loss: tier {tier}'s {_num(tier_rpo)} h applies."]
    reasons = [f"The business can lose or re-enter {_num(answer)} h of data, and it knows its data best."]
    if answer > tier_rpo:
        reasons.append(
            f"That is looser than tier {tier}'s usual {_num(tier_rpo)} h: check backups against it."
        )
    return answer, reasons


def find_mismatches(
    q: Questionnaire, used: Week, recommended_week: Week, thresholds: Thresholds
) -> list[Mismatch]:
    found: list[Mismatch] = []
    if q.usage.asked_for is not None:
        asked = week_of(q.usage.asked_for)
        asked_hours, used_hours = weekly_hours(asked), weekly_hours(recommended_week)
        if asked_hours - used_hours >= thresholds.hours_mismatch_weekly_hours and asked_hours > used_hours:
            found.append(
                Mismatch(
                    "asked_beyond_use",
                    f"{hours_text(asked)} is asked for ({_num(round(asked_hours, 2))} h a week) but it is "
                    f"used {hours_text(used)} only ({_num(round(used_hours, 2))} h a week) and nobody "
                    f"needs it at 3 am: {_num(round(asked_hours - used_hours, 2))} h a week would be "
                    "paid for and never used.",
                )
            )
    asked_target = q.service_level.asked_for
    if asked_target is not None:
        pays, sentence = _pays(asked_target, q, recommended_week, thresholds)
        if not pays:
            found.append(Mismatch("rolls_royce", f"Asked for {_num(asked_target)} %: {sentence}"))
    if q.safety.threatened:
        tier_target = thresholds.tiers[0].target
        pays, sentence = _pays(tier_target, q, recommended_week, thresholds)
        if not pays:
            found.append(
                Mismatch("rolls_royce", f"Safety needs {_num(tier_target)} %: {sentence} Find the budget.")
            )
        if not q.workaround.exists:
            found.append(
                Mismatch(
                    "safety_without_workaround",
                    "Lives or safety are at stake and there is no workaround: write downtime "
                    "procedures before anything else.",
                )
            )
    return found


def assess(
    q: Questionnaire, thresholds: Thresholds = DEFAULT_THRESHOLDS, currency: str | None = None
) -> Assessment:
    """Derive the tier, service hours, target, RTO, RPO and MTPD of one service, with reasons."""
    if currency is not None and q.currency is None:
        q = q.model_copy(update={"currency": currency})
    tier, tier_reasons = derive_tier(q, thresholds)
    week, hour_reasons = derive_hours(q)
    target, target_reasons = derive_target(q, tier, week, thresholds)
    mtpd, mtpd_reasons = derive_mtpd(q, tier, thresholds)
    rto, rto_reasons = derive_rto(tier, mtpd, thresholds)
    rpo, rpo_reasons = derive_rpo(q, tier, thresholds)
    return Assessment(
        service=q.service,
        name=q.name,
        currency=q.currency or "EUR",
        cost_per_hour=q.cost_per_hour,
        people=q.people.cannot_work,
        safety_critical=q.safety.threatened,
        value_per_year=q.money.value_per_year,
        tier=tier,
        timezone=q.usage.timezone,
        hours=hours_spec(week),
        weekly_hours=weekly_hours(week),
        holidays=q.usage.holidays,
        availability_target=target,
        rto_hours=rto,
        rpo_hours=rpo,
        mtpd_hours=mtpd,
        because={
            "tier": tuple(tier_reasons),
            "hours": tuple(hour_reasons),
            "availability_target": tuple(target_reasons),
            "rto": tuple(rto_reasons),
            "rpo": tuple(rpo_reasons),
            "mtpd": tuple(mtpd_reasons),
        },
        mismatches=tuple(find_mismatches(q, week_of(q.usage.used), week, thresholds)),
        questionnaire=q,
    )


def assess_answers(
    answers: Mapping[str, Any], thresholds: Thresholds = DEFAULT_THRESHOLDS, currency: str | None = None
) -> Assessment:
    """Plain answers (a parsed file, a web form) to an assessment; raises pydantic's ValidationError."""
    return assess(Questionnaire.model_validate(answers), thresholds, currency)


def assessment_document(a: Assessment) -> dict[str, Any]:
    """The JSON document of one assessment (docs/bia.md): money to 2 decimals, hours to 4."""
    return {
        "service": a.service,
        "name": a.name,
        "currency": a.currency,
        "tier": a.tier,
        "tier_name": a.tier_name,
        "cost_per_hour": round(a.cost_per_hour, 2),
        "people": a.people,
        "safety_critical": a.safety_critical,
        "value_per_year": None if a.value_per_year is None else round(a.value_per_year, 2),
        "recommended": {
            "calendar": {"timezone": a.timezone, "hours": a.hours},
            "weekly_hours": round(float(a.weekly_hours), 4),
            "availability_target": float(a.availability_target),
            "rto_hours": round(float(a.rto_hours), 4),
            "rpo_hours": round(float(a.rpo_hours), 4),
            "mtpd_hours": round(float(a.mtpd_hours), 4),
        },
        "because": {key: list(sentences) for key, sentences in a.because.items()},
        "mismatches": [{"kind": m.kind, "message": m.message} for m in a.mismatches],
        "why_important": a.questionnaire.why_important,
    }
