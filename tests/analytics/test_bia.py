"""Business impact analysis: tiers, service hours, targets, RTO/RPO/MTPD and mismatches.

Default thresholds (docs/bia.md): cost per hour bands 50,000 / 5,000 / 500, people bands
1,000 / 100 / 10; a workaround of at least 8 h relieves one tier; tier targets 99.95, 99.9,
99.5, 99, 98; cost ladder 98 % -> 0, 99 -> 10,000, 99.5 -> 30,000, 99.9 -> 100,000,
99.95 -> 250,000, 99.99 -> 750,000 a year; a year is 365/7 weeks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bizmap.decisions.bia.assess import Assessment, assess_answers, assessment_document
from bizmap.decisions.bia.portfolio import portfolio, portfolio_document
from bizmap.decisions.bia.thresholds import Thresholds

OFFICE_AND_SATURDAY = {"mon-fri": "07:00-19:00", "sat": "09:00-13:00"}  # 5 x 12 + 4 = 64 h a week


def answers(
    *,
    service: str = "svc",
    safety: bool = False,
    after_hours: float | None = None,
    lost_per_hour: float = 0,
    people: int = 0,
    cost_per_person: float = 0,
    workaround: dict[str, Any] | None = None,
    used: Any = "24x7",
    asked_for: Any = None,
    needed_at_3am: bool = False,
    asked_availability: float | None = None,
    value_per_year: float | None = None,
    data_loss_hours: float | None = None,
) -> dict[str, Any]:
    safety_answers: dict[str, Any] = {"threatened": safety}
    if after_hours is not None:
        safety_answers["after_hours"] = after_hours
    return {
        "service": service,
        "safety": safety_answers,
        "money": {"lost_per_hour": lost_per_hour, "value_per_year": value_per_year},
        "people": {"cannot_work": people, "cost_per_hour": cost_per_person},
        "workaround": workaround if workaround is not None else {"exists": False},
        "usage": {"used": used, "asked_for": asked_for, "needed_at_3am": needed_at_3am},
        "data": {"loss_tolerable_hours": data_loss_hours},
        "service_level": {"asked_for": asked_availability},
    }


def kinds(a: Assessment) -> list[str]:
    return [m.kind for m in a.mismatches]


# --- tiers: every combination of safety, cost band, people band, workaround ----------------------

COST_IN_BAND = {1: 60_000, 2: 6_000, 3: 600, 4: 100}  # money lost per hour
PEOPLE_IN_BAND = {1: 1_200, 2: 150, 3: 20, 4: 2}  # at no cost per person: only the people band moves
UNLIMITED_WORKAROUND = {"exists": True, "impact_factor": 0.5}

# Rows: cost band 1..4; columns: people band 1..4. The more critical band wins.
TIER_WITHOUT_WORKAROUND = [
    [1, 1, 1, 1],
    [1, 2, 2, 2],
    [1, 2, 3, 3],
    [1, 2, 3, 4],
]
# A lasting workaround relieves one tier; tier 4 is the floor.
TIER_WITH_WORKAROUND = [
    [2, 2, 2, 2],
    [2, 3, 3, 3],
    [2, 3, 4, 4],
    [2, 3, 4, 4],
]
TIER_TRUTH_TABLE = [
    (safety, cost_band, people_band, has_workaround, 0 if safety else table[cost_band - 1][people_band - 1])
    for safety in (False, True)
    for has_workaround, table in ((False, TIER_WITHOUT_WORKAROUND), (True, TIER_WITH_WORKAROUND))
    for cost_band in (1, 2, 3, 4)
    for people_band in (1, 2, 3, 4)
]


@pytest.mark.parametrize(("safety", "cost_band", "people_band", "has_workaround", "tier"), TIER_TRUTH_TABLE)
def test_tier_truth_table(
    safety: bool, cost_band: int, people_band: int, has_workaround: bool, tier: int
) -> None:
    a = assess_answers(
        answers(
            safety=safety,
            after_hours=1 if safety else None,
            lost_per_hour=COST_IN_BAND[cost_band],
            people=PEOPLE_IN_BAND[people_band],
            workaround=UNLIMITED_WORKAROUND if has_workaround else None,
        )
    )
    assert a.tier == tier
    assert a.because["tier"]  # every tier comes with its reasons


def test_truth_table_has_every_combination() -> None:
    assert len({row[:4] for row in TIER_TRUTH_TABLE}) == 2 * 4 * 4 * 2


@pytest.mark.parametrize(
    ("lost_per_hour", "tier"),
    [(50_000, 1), (49_999.99, 2), (5_000, 2), (4_999, 3), (500, 3), (499, 4)],
)
def test_cost_band_bounds_are_inclusive(lost_per_hour: float, tier: int) -> None:
    assert assess_answers(answers(lost_per_hour=lost_per_hour)).tier == tier


def test_people_count_in_the_cost_per_hour() -> None:
    # 20 people x 250 an hour + 1,000 lost = 6,000 an hour: the business-critical band (tier 2),
    # although each alone (20 people: band 3; 1,000: band 3) would give tier 3
    a = assess_answers(answers(lost_per_hour=1_000, people=20, cost_per_person=250))
    assert a.cost_per_hour == 6_000
    assert a.tier == 2


@pytest.mark.parametrize(("max_hours", "tier"), [(7.9, 2), (8, 3), (None, 3)])
def test_only_a_workaround_lasting_8_hours_relieves_a_tier(max_hours: float | None, tier: int) -> None:
    workaround: dict[str, Any] = {"exists": True, "impact_factor": 0.5}
    if max_hours is not None:
        workaround["max_hours"] = max_hours
    assert assess_answers(answers(lost_per_hour=6_000, workaround=workaround)).tier == tier


# --- bands scaled to the organisation's size ----------------------------------------------------
# The default bands are written for an organisation taking 876,000,000 a year (an average hour
# of 100,000) with 2,000 staff. A shop taking 20,000,000 a year: cost bands x 20/876 =
# 1,141.55 / 114.155 / 11.4155 an hour; with 40 staff: people bands x 40/2,000 = 20 / 2 / 0.2.
# A group taking 8,760,000,000: cost bands x 10 = 500,000 / 50,000 / 5,000.
SHOP = {"annual_revenue": 20_000_000}
SHOP_STAFF = {"staff": 40}
SHOP_BOTH = {"annual_revenue": 20_000_000, "staff": 40}
GROUP = {"annual_revenue": 8_760_000_000}


@pytest.mark.parametrize(
    ("lost_per_hour", "people", "organisation", "tier"),
    [
        (4_000, 5, None, 3),  # absolute bands: cost band 3 (>= 500), people band 4 (< 10)
        (4_000, 5, SHOP, 1),  # 4,000 >= 1,141.55: cost band 1
        (4_000, 5, SHOP_STAFF, 2),  # cost band 3 as written; 5 people >= 2: people band 2
        (4_000, 5, SHOP_BOTH, 1),
        (1_141, 0, SHOP, 2),  # just below 1,141.55: band 2 (>= 114.155)
        (1_142, 0, SHOP, 1),
        (100, 1, None, 4),  # 100 < 500 and 1 < 10: band 4 both
        (100, 1, SHOP_BOTH, 3),  # 100 >= 11.4155: band 3; 1 >= 0.2: band 3
        (11, 0, SHOP, 4),  # 11 < 11.4155
        (40_000, 0, None, 2),  # 40,000 >= 5,000 as written
        (40_000, 0, GROUP, 3),  # a group 10x the reference: 40,000 < 50,000, >= 5,000: band 3
    ],
)
def test_bands_scale_with_the_organisation(
    lost_per_hour: float, people: int, organisation: dict[str, float] | None, tier: int
) -> None:
    given = answers(lost_per_hour=lost_per_hour, people=people)
    if organisation is not None:
        given["organisation"] = organisation
    assert assess_answers(given).tier == tier


def test_a_shop_losing_4k_an_hour_gets_the_target_its_size_calls_for() -> None:
    # 24x7, 4,000 an hour. Absolute bands: tier 3, 99 % (costs 10,000, avoids 1 % x 8,760 h x
    # 4,000 = 350,400). Scaled to a 20,000,000 shop: tier 1, 99.9 % (costs 100,000, avoids
    # 1.9 % x 8,760 x 4,000 = 665,760: it pays).
    absolute = assess_answers(answers(lost_per_hour=4_000))
    scaled = assess_answers({**answers(lost_per_hour=4_000), "organisation": SHOP})
    assert (absolute.tier, absolute.availability_target) == (3, 99.0)
    assert (scaled.tier, scaled.availability_target) == (1, 99.9)
    assert any(
        "cost bands scale to 1,141.55 / 114.16 / 11.42 EUR an hour" in s for s in scaled.because["tier"]
    )


def test_the_reference_organisation_is_a_threshold() -> None:
    # a thresholds file that writes its bands for a 20,000,000 shop: the shop's bands are as written
    thresholds = Thresholds.model_validate({"reference_annual_revenue": 20_000_000})
    a = assess_answers({**answers(lost_per_hour=4_000), "organisation": SHOP}, thresholds)
    assert a.tier == 3


@pytest.mark.parametrize("organisation", [{"annual_revenue": 0}, {"staff": -1}, {"turnover": 5}])
def test_a_bad_organisation_size_is_refused(organisation: dict[str, float]) -> None:
    with pytest.raises(ValidationError, match="organisation"):
        assess_answers({**answers(), "organisation": organisation})


# --- recommended service hours -------------------------------------------------------------------


def test_hours_follow_actual_use_not_what_is_asked_for() -> None:
    a = assess_answers(answers(used=OFFICE_AND_SATURDAY, asked_for="24x7"))
    assert a.hours == {"mon-fri": "07:00-19:00", "sat": "09:00-13:00"}
    assert a.weekly_hours == 64


def test_someone_needing_it_at_3am_makes_the_hours_round_the_clock() -> None:
    a = assess_answers(answers(used=OFFICE_AND_SATURDAY, needed_at_3am=True))
    assert a.hours == {"mon-sun": "00:00-24:00"}
    assert a.weekly_hours == 168


def test_hours_are_merged_into_the_shortest_calendar() -> None:
    # two entries with the same hours become one day range; overlapping ranges merge;
    # a gap keeps two ranges: mon-fri 08:00-18:00 = 50 h, sat 2 x 3 h = 6 h, total 56 h
    used = {
        "mon-wed": "08:00-17:00",
        "thu-fri": "08:00-18:00",
        "mon": "16:00-18:00",
        "tue-wed": "17:00-18:00",
    }
    used["sat"] = "09:00-12:00,13:00-16:00"
    a = assess_answers(answers(used=used))
    assert a.hours == {"mon-fri": "08:00-18:00", "sat": "09:00-12:00,13:00-16:00"}
    assert a.weekly_hours == 56


def test_a_gap_in_the_week_keeps_days_apart() -> None:
    a = assess_answers(answers(used={"mon": "09:00-17:00", "wed": "09:00-17:00"}))
    assert a.hours == {"mon": "09:00-17:00", "wed": "09:00-17:00"}


# --- mismatches: each present and absent ---------------------------------------------------------


def test_24x7_asked_but_used_in_office_hours_is_flagged() -> None:
    a = assess_answers(answers(used=OFFICE_AND_SATURDAY, asked_for="24x7"))
    assert kinds(a) == ["asked_beyond_use"]
    assert "168 h a week" in a.mismatches[0].message and "104 h a week" in a.mismatches[0].message


@pytest.mark.parametrize(
    ("asked_for", "needed_at_3am"),
    [
        (OFFICE_AND_SATURDAY, False),  # asked for what is used
        ("24x7", True),  # asked 24x7 and someone truly needs it at night
        ({"mon-fri": "07:00-19:00", "sat": "09:00-16:59"}, False),  # 3 h 59 m more: under the 4 h threshold
        (None, False),  # nothing asked for
    ],
)
def test_hours_asked_for_within_use_are_not_flagged(asked_for: Any, needed_at_3am: bool) -> None:
    a = assess_answers(answers(used=OFFICE_AND_SATURDAY, asked_for=asked_for, needed_at_3am=needed_at_3am))
    assert "asked_beyond_use" not in kinds(a)


def test_rolls_royce_target_is_flagged() -> None:
    # 2,000 an hour, 64 h a week: 64 x 365/7 = 3,337.14 h a year. 99.99 % costs 750,000 a year and
    # avoids (99.99 - 98) % x 3,337.14 h x 2,000 = 132,818 a year of downtime: it does not pay.
    a = assess_answers(answers(lost_per_hour=2_000, used=OFFICE_AND_SATURDAY, asked_availability=99.99))
    assert kinds(a) == ["rolls_royce"]
    assert "750,000" in a.mismatches[0].message and "132,818" in a.mismatches[0].message


def test_a_target_that_pays_for_itself_is_not_flagged() -> None:
    # 99.5 % costs 30,000 and avoids 1.5 % x 3,337.14 h x 2,000 = 100,114 a year
    a = assess_answers(answers(lost_per_hour=2_000, used=OFFICE_AND_SATURDAY, asked_availability=99.5))
    assert kinds(a) == []


def test_a_target_costing_more_than_the_service_is_worth_is_flagged() -> None:
    # the same 99.5 % (30,000 a year) for a service worth 20,000 a year
    a = assess_answers(
        answers(lost_per_hour=2_000, used=OFFICE_AND_SATURDAY, asked_availability=99.5, value_per_year=20_000)
    )
    assert kinds(a) == ["rolls_royce"]
    assert "worth only 20,000" in a.mismatches[0].message


def test_safety_critical_without_workaround_is_flagged() -> None:
    a = assess_answers(answers(safety=True, after_hours=1, lost_per_hour=100_000))
    assert kinds(a) == ["safety_without_workaround"]


def test_safety_critical_with_workaround_is_not_flagged() -> None:
    a = assess_answers(
        answers(safety=True, after_hours=1, lost_per_hour=100_000, workaround=UNLIMITED_WORKAROUND)
    )
    assert kinds(a) == []


def test_a_workaround_without_safety_at_stake_is_not_needed() -> None:
    assert kinds(assess_answers(answers(lost_per_hour=100_000))) == []


# --- availability target, MTPD, RTO, RPO ---------------------------------------------------------


def test_target_is_lowered_to_the_highest_level_that_pays_for_itself() -> None:
    # 1,200 people (tier 1 asks 99.9 %) but only 500 an hour, 24x7 = 8,760 h a year.
    # 99.9: costs 100,000, avoids 1.9 % x 8,760 x 500 = 83,220: no.
    # 99.5: costs 30,000, avoids 1.5 % x 8,760 x 500 = 65,700: yes.
    a = assess_answers(answers(lost_per_hour=500, people=1_200))
    assert a.tier == 1
    assert a.availability_target == 99.5
    assert any("Lowered to 99.5 %" in s for s in a.because["availability_target"])


def test_safety_keeps_its_target_and_flags_the_missing_budget() -> None:
    # safety-critical but no money at stake: 99.95 % avoids nothing measurable, yet safety sets it
    a = assess_answers(answers(safety=True, after_hours=2, workaround=UNLIMITED_WORKAROUND))
    assert a.availability_target == 99.95
    assert kinds(a) == ["rolls_royce"]


def test_tier_targets_apply_when_they_pay() -> None:
    # 60,000 an hour, 24x7: 99.9 % avoids 1.9 % x 8,760 x 60,000 = 9,986,400 for 100,000
    assert assess_answers(answers(lost_per_hour=60_000)).availability_target == 99.9


def test_without_workaround_the_tier_sets_mtpd_rto_and_rpo() -> None:
    # tier 3: MTPD 120 h, RTO 24 h (half the MTPD is 60 h, looser), RPO 24 h
    a = assess_answers(answers(lost_per_hour=600))
    assert (a.tier, a.mtpd_hours, a.rto_hours, a.rpo_hours) == (3, 120, 24, 24)


def test_a_lasting_workaround_stretches_the_mtpd() -> None:
    # 6,000 an hour is tier 2; the 200 h workaround relieves it to tier 3 (MTPD 120 h), and
    # outlasts that: MTPD = max(120, 200) = 200 h
    workaround = {"exists": True, "impact_factor": 0.5, "max_hours": 200}
    a = assess_answers(answers(lost_per_hour=6_000, workaround=workaround))
    assert (a.tier, a.mtpd_hours) == (3, 200)


def test_an_unlimited_workaround_plans_for_a_week() -> None:
    a = assess_answers(answers(lost_per_hour=6_000, workaround=UNLIMITED_WORKAROUND))
    assert a.mtpd_hours == 168


def test_safety_caps_the_mtpd_and_the_rto_leaves_a_margin() -> None:
    # workaround 12 h, tier 0 tolerates 4 h -> 12 h; safety at risk after 1 h -> MTPD 1 h;
    # RTO = min(tier 0's 1 h, half of 1 h) = 0.5 h
    workaround = {"exists": True, "impact_factor": 0.5, "max_hours": 12}
    a = assess_answers(answers(safety=True, after_hours=1, workaround=workaround))
    assert (a.mtpd_hours, a.rto_hours, a.rpo_hours) == (1, 0.5, 0.25)


def test_the_business_answer_on_data_loss_sets_the_rpo() -> None:
    a = assess_answers(answers(lost_per_hour=60_000, data_loss_hours=2))
    assert a.rpo_hours == 2  # looser than tier 1's 1 h, and said so
    assert any("looser" in s for s in a.because["rpo"])


# --- thresholds ----------------------------------------------------------------------------------


def test_thresholds_override_bands_and_tiers() -> None:
    thresholds = Thresholds.model_validate(
        {
            "cost_per_hour_bands": {
                "mission_critical": 1_000,
                "business_critical": 100,
                "business_operational": 10,
            },
            "tiers": {1: {"target": 99.0, "rto_hours": 2, "rpo_hours": 1, "mtpd_hours": 10}},
        }
    )
    a = assess_answers(answers(lost_per_hour=2_000), thresholds)
    # 2,000 an hour is mission-critical under these bands; tier 1 now asks 99 %, RTO 2 h
    assert (a.tier, a.availability_target, a.rto_hours, a.mtpd_hours) == (1, 99.0, 2, 10)
    assert thresholds.tiers[0].target == 99.95  # tiers not named keep their defaults


@pytest.mark.parametrize(
    "bad",
    [
        {
            "cost_per_hour_bands": {
                "mission_critical": 10,
                "business_critical": 100,
                "business_operational": 1,
            }
        },
        {"tiers": {7: {"target": 99, "rto_hours": 1, "rpo_hours": 1, "mtpd_hours": 1}}},
        {"cost_ladder": [{"target": 99.9, "cost_per_year": 10}, {"target": 99.5, "cost_per_year": 20}]},
        {"speling": 1},
    ],
)
def test_bad_thresholds_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Thresholds.model_validate(bad)


# --- the questionnaire's own checks --------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"safety": {"threatened": True}}, "after_hours is required"),
        ({"workaround": {"exists": True}}, "impact_factor is required"),
        ({"workaround": {"exists": False, "max_hours": 3}}, "exists is false"),
        ({"usage": {"used": {"mon": "18:00-08:00"}, "needed_at_3am": False}}, "does not run forward"),
        (
            {"usage": {"used": {"mon": "09:00-17:00"}, "needed_at_3am": False, "timezone": "Mars/Base"}},
            "unknown timezone",
        ),
        ({"money": {"lost_per_hour": -1}}, "greater than or equal to 0"),
        ({"colour": "blue"}, "Extra inputs"),
    ],
)
def test_bad_answers_are_refused(change: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        assess_answers({**answers(), **change})


# --- portfolio -----------------------------------------------------------------------------------


def test_portfolio_ranks_by_tier_then_cost_then_people() -> None:
    services = [
        assess_answers(answers(service="a", lost_per_hour=6_000, people=10)),  # tier 2, 6,000/h, 10 people
        assess_answers(answers(service="b", safety=True, after_hours=1, lost_per_hour=10)),  # tier 0
        assess_answers(answers(service="c", lost_per_hour=6_000, people=50)),  # tier 2, 6,000/h, 50 people
        assess_answers(answers(service="d", lost_per_hour=9_000)),  # tier 2, 9,000/h
        assess_answers(answers(service="e", lost_per_hour=6_000, people=10)),  # ties with a: by id
    ]
    assert [a.service for a in portfolio(services)] == ["b", "d", "c", "a", "e"]
    document = portfolio_document(services)
    assert [(s["rank"], s["service"]) for s in document["services"]][:2] == [(1, "b"), (2, "d")]


def test_assessment_document_rounds_money_and_keeps_the_reasons() -> None:
    a = assess_answers(answers(lost_per_hour=1_000.005, used=OFFICE_AND_SATURDAY, asked_for="24x7"))
    document = assessment_document(a)
    assert document["cost_per_hour"] == 1000.0
    assert document["recommended"]["calendar"] == {
        "timezone": "UTC",
        "hours": {"mon-fri": "07:00-19:00", "sat": "09:00-13:00"},
    }
    assert set(document["because"]) == {"tier", "hours", "availability_target", "rto", "rpo", "mtpd"}
    assert document["mismatches"][0]["kind"] == "asked_beyond_use"


def test_every_threshold_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "bia.md").read_text()
    for name in Thresholds.model_fields:
        assert f"| `{name}` |" in docs, f"threshold {name} is missing from docs/bia.md"
