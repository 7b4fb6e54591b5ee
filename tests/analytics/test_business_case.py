"""Business cases (semantics §8): cash flows, NPV, IRR, ROI, payback and discounted payback
against textbook examples worked by hand; the Monte Carlo and the tornado; the case checks."""

from __future__ import annotations

from typing import Any

import pytest

from bizmap.decisions.case.appraisal import choose_irr, evaluate, irr_roots, npv, payback
from bizmap.decisions.case.checks import CaseInvalid, parse_case
from bizmap.decisions.case.document import case_document
from bizmap.decisions.case.sensitivity import tornado
from bizmap.decisions.case.simulation import simulate
from bizmap.decisions.case.spec import CaseSpec


def case(**fields: Any) -> CaseSpec:
    data: dict[str, Any] = {"name": "Test", "horizon_years": 3, "discount_rate": 0.1}
    data.update(fields)
    return parse_case(data)


# The textbook project: invest 1,000 now, receive 500, 400 and 300 at the ends of years 1-3.
TEXTBOOK = {
    "costs": [{"name": "Investment", "once": 1000}],
    "benefits": [{"name": "Savings", "per_year": 500, "ramp": [1, 0.8, 0.6]}],
}

# The example of semantics §8: 800,000 now, support 120,000 a year, 20 m a year at half in year 1.
SECTION_8 = {
    "name": "Extend online hours by 3.5 hours a day",
    "currency": "EUR",
    "horizon_years": 5,
    "discount_rate": 0.08,
    "costs": [{"name": "Scheduling software", "once": 800000}, {"name": "Support", "per_year": 120000}],
    "benefits": [{"name": "Extra online hours", "per_year": 20000000, "ramp": [0.5, 1, 1, 1, 1]}],
    "uncertainty": {"Extra online hours": {"low": 0.4, "mode": 1.0, "high": 1.1}},
}


def test_textbook_cash_flows_npv_roi_and_paybacks() -> None:
    result = evaluate(case(**TEXTBOOK))
    # flows: -1,000, +500 (500 × 1), +400 (500 × 0.8), +300 (500 × 0.6)
    assert [f.net for f in result.flows] == pytest.approx([-1000, 500, 400, 300])
    assert [f.costs for f in result.flows] == pytest.approx([1000, 0, 0, 0])
    assert [f.cumulative for f in result.flows] == pytest.approx([-1000, -500, -100, 200])
    # NPV at 10 %: -1,000 + 500/1.1 + 400/1.21 + 300/1.331
    #            = -1,000 + 454.545455 + 330.578512 + 225.394440 = 10.518407
    assert result.npv == pytest.approx(10.518407, abs=1e-6)
    # ROI = (1,200 benefits - 1,000 costs) / 1,000 = 0.2
    assert result.roi == pytest.approx(0.2)
    # cumulative -1,000, -500, -100, +200: back to 0 during year 3, 100 of its 300 in: 2 + 1/3
    assert result.payback_years == pytest.approx(2 + 1 / 3)
    # discounted cumulative: -1,000, -545.4545, -214.8760, +10.5184; after year 2 we still owe
    # 214.8760 of year 3's 225.3944. Times 1.331 both: (1,331 - 605 - 440) / 300 = 286 / 300
    assert result.discounted_payback_years == pytest.approx(2 + 286 / 300)


def test_textbook_irr() -> None:
    result = evaluate(case(**TEXTBOOK))
    # y = 1 + r solves 1,000 y³ - 500 y² - 400 y - 300 = 0, i.e. 10y³ - 5y² - 4y - 3 = 0.
    # Newton from y = 1.1: f = 13.31 - 6.05 - 4.4 - 3 = -0.14, f' = 30y² - 10y - 4 = 21.3,
    # y = 1.1 + 0.14/21.3 = 1.106573; once more: f = 13.55033 - 6.12251 - 4.42629 - 3 = 0.0015,
    # f' = 21.668, y = 1.106573 - 0.0000706 = 1.106502 ... converging on 1.1065168.
    assert result.irr == pytest.approx(0.1065168, abs=1e-6)
    assert result.irr_roots == (result.irr,)  # one change of sign: one root
    assert npv([-1000, 500, 400, 300], result.irr) == pytest.approx(0, abs=1e-8)


@pytest.mark.parametrize(
    ("flows", "expected"),
    [
        ([-1000, 1100], 0.10),  # 1,100 / 1.1 = 1,000
        ([-100, 0, 121], 0.10),  # 121 / 1.21 = 100
        ([-1000, 500, 500], 0.0),  # gets exactly its money back
        ([-100, 50], -0.5),  # loses half: 50 / 0.5 = 100
    ],
)
def test_irr_exact_cases(flows: list[float], expected: float) -> None:
    assert choose_irr(irr_roots(flows)) == pytest.approx(expected, abs=1e-9)


def test_irr_is_null_without_a_change_of_sign() -> None:
    # only costs: 1,000 now and 100 a year; no rate makes NPV zero
    result = evaluate(case(costs=[{"name": "Licence", "once": 1000}, {"name": "Support", "per_year": 100}]))
    assert result.irr is None and result.irr_roots == ()
    assert result.payback_years is None and result.discounted_payback_years is None
    # ROI = (0 - 1,300) / 1,300 = -1; NPV = -1,000 - 100 × (0.909091 + 0.826446 + 0.751315) = -1,248.69
    assert result.roi == pytest.approx(-1.0)
    assert result.npv == pytest.approx(-1248.685199, abs=1e-6)


def test_several_changes_of_sign_give_several_roots_and_the_one_nearest_zero_is_reported() -> None:
    # -100, +230, -132: NPV = 0 at 10 % (-100 + 209.0909 - 109.0909) and at 20 %
    # (-100 + 191.6667 - 91.6667); numpy-financial's convention reports the one closest to 0 %.
    data = {
        "costs": [{"name": "Build", "once": 100}, {"name": "Dismantle", "per_year": 132, "years": [2]}],
        "benefits": [{"name": "Sales", "per_year": 230, "ramp": [1, 0]}],
    }
    result = evaluate(case(horizon_years=2, **data))
    assert [f.net for f in result.flows] == pytest.approx([-100, 230, -132])
    assert result.irr_roots == pytest.approx((0.10, 0.20), abs=1e-9)
    assert result.irr == pytest.approx(0.10, abs=1e-9)


def test_never_paying_back_is_null() -> None:
    # 1,000 now, 100 a year for 3 years: cumulative -700 at the end
    result = evaluate(case(costs=[{"name": "Kit", "once": 1000}], benefits=[{"name": "B", "per_year": 100}]))
    assert result.payback_years is None
    assert result.discounted_payback_years is None
    # one change of sign, so an IRR exists, and it is negative (300 back for 1,000)
    assert result.irr is not None and result.irr < 0


def test_payback_is_zero_when_the_cumulative_flow_is_never_negative() -> None:
    result = evaluate(case(benefits=[{"name": "Gift", "per_year": 10}]))
    assert result.payback_years == 0.0 and result.discounted_payback_years == 0.0
    assert result.roi is None  # nothing is spent: ROI has no denominator
    assert result.irr is None


@pytest.mark.parametrize(
    ("flows", "expected"),
    [
        ([-100, 100], 1.0),  # exactly at the end of year 1
        ([0, -100, 50, 100], 2.5),  # in debt during year 1; back to 0 half way through year 3
        ([-100, 200, -500, 1000], 0.5),  # the first time it reaches 0, even if it dips again
    ],
)
def test_payback_interpolates_within_the_year(flows: list[float], expected: float) -> None:
    assert payback(flows) == pytest.approx(expected)


def test_ramp_and_years_shape_yearly_amounts() -> None:
    data = {
        "costs": [
            {"name": "Team", "per_year": 100, "years": [1, 3]},
            {"name": "Hosting", "per_year": 10, "ramp": [1, 2, 3]},
        ],
        "benefits": [{"name": "Sales", "per_year": 1000, "ramp": [0, 0.5, 1]}],
    }
    result = evaluate(case(**data))
    # costs: year 1: 100 + 10; year 2: 0 + 20; year 3: 100 + 30. benefits: 0, 500, 1,000
    assert [f.costs for f in result.flows] == pytest.approx([0, 110, 20, 130])
    assert [f.benefits for f in result.flows] == pytest.approx([0, 0, 500, 1000])


def test_section_8_example() -> None:
    result = evaluate(parse_case(SECTION_8))
    # CF0 = -800,000; CF1 = 20 m × 0.5 - 120,000 = 9,880,000; CF2..5 = 19,880,000
    assert [f.net for f in result.flows] == pytest.approx([-800000, 9880000] + [19880000] * 4)
    # discount factors at 8 %: 0.925925926, 0.857338820, 0.793832241, 0.735029853, 0.680583197
    # NPV = -800,000 + 9,880,000 × 0.925925926 + 19,880,000 × 3.066784111
    #     = -800,000 + 9,148,148.15 + 60,967,668.13 = 69,315,816.28
    assert result.npv == pytest.approx(69315816.28, abs=0.02)
    # ROI = (90 m - 1.4 m) / 1.4 m = 63.285714
    assert result.roi == pytest.approx(88.6 / 1.4)
    # payback: 800,000 of year 1's 9,880,000; discounted: 800,000 of 9,148,148.15
    assert result.payback_years == pytest.approx(800000 / 9880000)
    assert result.discounted_payback_years == pytest.approx(800000 / 9148148.148148)
    # IRR: the one rate where NPV is 0; at 1,300 %, 9.88 m / 14 alone is 705,714 and the rest
    # adds 19.88 m × (1/196 + 1/2744 + ...) ≈ 109,000, more than 800,000: IRR is above 1,300 %
    assert result.irr is not None and result.irr > 13
    assert npv([f.net for f in result.flows], result.irr) == pytest.approx(0, abs=1e-3)
    document = case_document(result)
    assert list(document) == ["npv", "irr", "roi", "payback_years", "discounted_payback_years"]
    assert document["npv"] == 69315816.28
    assert document["roi"] == 63.285714  # 6 decimals
    assert document["payback_years"] == round(800000 / 9880000, 6)


# --- Monte Carlo ----------------------------------------------------------------------------------


def test_monte_carlo_is_stable_for_a_seed_and_sane() -> None:
    spec = parse_case(SECTION_8)
    first, again = simulate(spec, 20000, seed=7), simulate(spec, 20000, seed=7)
    assert first == again
    assert first.npv_p10 <= first.npv_p50 <= first.npv_p90
    assert 0 <= first.probability_npv_positive <= 1
    assert first.uncertain == ("Extra online hours",)
    # the benefit's multiplier is at most 1.1, so NPV never exceeds the NPV at 1.1; and its
    # mean (0.4 + 1 + 1.1) / 3 = 0.833 pulls the median below the NPV as written
    assert first.npv_p90 < 69315816.28 + 0.1 * (69315816.28 + 800000 + 120000 * 3.99271)
    assert first.npv_p50 < 69315816.28
    other = simulate(spec, 20000, seed=8)
    assert other.npv_p50 != first.npv_p50 and other.npv_p50 == pytest.approx(first.npv_p50, rel=0.01)


def test_monte_carlo_against_the_triangular_distribution_by_hand() -> None:
    # NPV = -1,000 + 2,000 m at 0 % over one year, m ~ triangular(0, 0.5, 1): NPV > 0 iff
    # m > 0.5, which by symmetry has probability 0.5. The CDF below the mode is 2m², so P10 is
    # at m = √0.05 = 0.223607 (NPV -552.79) and P90 at 1 - 0.223607 (NPV +552.79).
    spec = case(
        horizon_years=1,
        discount_rate=0,
        costs=[{"name": "Kit", "once": 1000}],
        benefits=[{"name": "Sales", "per_year": 2000}],
        uncertainty={"Sales": {"low": 0, "mode": 0.5, "high": 1}},
    )
    result = simulate(spec, 200000, seed=1)
    assert result.probability_npv_positive == pytest.approx(0.5, abs=0.01)
    assert result.npv_p50 == pytest.approx(0, abs=10)
    assert result.npv_p10 == pytest.approx(-552.79, abs=10)
    assert result.npv_p90 == pytest.approx(552.79, abs=10)


def test_zero_width_ranges_collapse_to_the_deterministic_npv() -> None:
    data = dict(TEXTBOOK, uncertainty={"Savings": {"low": 1, "mode": 1, "high": 1}})
    spec = case(**data)
    result = simulate(spec, 1000, seed=3)
    # every run is the textbook flow: NPV 10.518407, always positive
    for value in (result.npv_p10, result.npv_p50, result.npv_p90):
        assert value == pytest.approx(10.518407, abs=1e-6)
    assert result.probability_npv_positive == 1.0


def test_simulation_runs_must_be_positive() -> None:
    with pytest.raises(ValueError, match="runs"):
        simulate(case(**TEXTBOOK), 0, seed=1)


# --- tornado -------------------------------------------------------------------------------------


def test_tornado_orders_ranged_inputs_by_swing_with_the_others_at_their_mode() -> None:
    data = dict(
        TEXTBOOK,
        costs=[{"name": "Investment", "once": 1000}, {"name": "Run", "per_year": 100}],
        uncertainty={
            "Investment": {"low": 0.9, "mode": 1.0, "high": 1.5},
            "Savings": {"low": 0.5, "mode": 0.8, "high": 1.0},
        },
    )
    chart = tornado(case(**data))
    # own NPVs at 10 %: Investment -1,000; Run -100 × 2.486852 = -248.685; Savings 1,010.518
    # base (modes; Run has no range, so as written): -1,000 - 248.685 + 0.8 × 1,010.518 = -440.27
    assert chart.base_npv == pytest.approx(-1000 - 248.685199 + 0.8 * 1010.518407, abs=1e-5)
    assert chart.assumed_range is None
    # swings: Investment 1,000 × (1.5 - 0.9) = 600; Savings 1,010.518 × (1.0 - 0.5) = 505.26
    assert [b.name for b in chart.bars] == ["Investment", "Savings"]
    investment, savings = chart.bars
    assert investment.npv_low == pytest.approx(chart.base_npv + 100)  # 10 % less spent
    assert investment.npv_high == pytest.approx(chart.base_npv - 500)  # 50 % overrun
    assert savings.npv_low == pytest.approx(chart.base_npv - 0.3 * 1010.518407, abs=1e-5)
    assert savings.swing == pytest.approx(0.5 * 1010.518407, abs=1e-5)


def test_tornado_without_ranges_moves_every_item_by_20_percent() -> None:
    chart = tornado(case(**TEXTBOOK))
    assert chart.assumed_range == 0.2
    # Savings' own NPV 1,010.518 swings 2 × 0.2 × 1,010.518 = 404.21; Investment's 1,000 swings 400
    assert [b.name for b in chart.bars] == ["Savings", "Investment"]
    assert chart.base_npv == pytest.approx(10.518407, abs=1e-6)
    assert chart.bars[0].npv_low == pytest.approx(10.518407 - 202.103681, abs=1e-5)
    assert chart.bars[1].npv_high == pytest.approx(10.518407 - 200, abs=1e-6)


# --- checks --------------------------------------------------------------------------------------


def issues_of(**fields: Any) -> dict[str, str]:
    with pytest.raises(CaseInvalid) as raised:
        case(**fields)
    return {".".join(map(str, i.path)): i.message for i in raised.value.issues}


def test_unknown_key_is_an_error_naming_it() -> None:
    found = issues_of(costs=[{"name": "Kit", "once": 1, "colour": "red"}])
    assert "unknown key 'colour'" in found["costs.0.colour"]


def test_ramp_must_have_one_value_per_year() -> None:
    found = issues_of(benefits=[{"name": "Sales", "per_year": 1, "ramp": [0.5, 1]}])
    assert "ramp has 2 value(s) but horizon_years is 3" in found["benefits.0.ramp"]


def test_uncertainty_must_name_an_item() -> None:
    found = issues_of(**TEXTBOOK, uncertainty={"Savngs": {"low": 0.5, "mode": 1, "high": 1}})
    assert "no cost or benefit is named 'Savngs'" in found["uncertainty.Savngs"]


@pytest.mark.parametrize(
    ("fields", "path", "words"),
    [
        ({"horizon_years": -1}, "horizon_years", "greater than or equal to 1"),
        ({"horizon_years": 0}, "horizon_years", "greater than or equal to 1"),
        ({"discount_rate": "8%"}, "discount_rate", "0.08 for 8 %"),
        ({"discount_rate": "high"}, "discount_rate", "valid number"),
        ({"costs": [{"name": "X", "once": 1, "per_year": 1}]}, "costs.0", "exactly one of 'once'"),
        ({"costs": [{"name": "X", "once": -5}]}, "costs.0.once", "greater than or equal to 0"),
        ({"costs": [{"name": "X", "per_year": 1, "years": [4]}]}, "costs.0.years", "beyond horizon_years 3"),
        ({"benefits": [{"name": "Kit", "per_year": 1}]}, "benefits.0.name", "used twice"),
        ({"uncertainty": {"Kit": {"low": 2, "mode": 1, "high": 3}}}, "uncertainty.Kit", "low ≤ mode ≤ high"),
        ({"costs": [], "benefits": []}, "", "at least one cost or benefit"),
        ({"currency": "euro", **TEXTBOOK}, "currency", "pattern"),
    ],
)  # fmt: skip
def test_bad_cases_are_refused_naming_the_field(fields: dict[str, Any], path: str, words: str) -> None:
    data = {"costs": [{"name": "Kit", "once": 1}], **fields}
    found = issues_of(**data)
    assert path in found, found
    assert words in found[path]


def test_missing_required_keys_are_named() -> None:
    with pytest.raises(CaseInvalid) as raised:
        parse_case({"costs": [{"name": "Kit", "once": 1}]})
    messages = " ".join(i.message for i in raised.value.issues)
    for key in ("name", "horizon_years", "discount_rate"):
        assert f"missing required key {key!r}" in messages


# --- properties ----------------------------------------------------------------------------------

from hypothesis import assume, given, settings  # noqa: E402  (the property tests are a section of their own)
from hypothesis import strategies as st  # noqa: E402

_money = st.floats(min_value=1, max_value=1e7, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(invest=_money, returns=st.lists(_money, min_size=1, max_size=15))
def test_conventional_flows_have_one_irr_where_npv_is_zero(invest: float, returns: list[float]) -> None:
    # spend once, then earn every year: one change of sign, so exactly one root (Descartes'
    # rule on the polynomial in 1 / (1 + r)); NPV there is 0 relative to the money involved
    # at least 1 % back: then NPV(-99 %) = -invest + Σ R × 100^t ≥ 0, so the root lies inside
    # the search range (-99.99 % upwards)
    assume(sum(returns) >= invest / 100)
    flows = [-invest, *returns]
    roots = irr_roots(flows)
    assert len(roots) == 1
    assert abs(npv(flows, roots[0])) <= 1e-6 * (invest + sum(returns))
    # NPV falls as the rate rises: positive just below the IRR, negative just above it
    growth = 1 + roots[0]
    assert npv(flows, growth * 0.999 - 1) > 0 > npv(flows, growth * 1.001 - 1)


@settings(max_examples=200, deadline=None)
@given(flows=st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=2, max_size=12))
def test_payback_is_where_the_interpolated_cumulative_flow_is_zero(flows: list[float]) -> None:
    years = payback(flows)
    cumulative = [sum(flows[: t + 1]) for t in range(len(flows))]
    if years is None:
        assert min(cumulative) < 0 and cumulative[-1] < 0
    elif years > 0:
        year = int(years) + 1 if years != int(years) else int(years)
        share = years - (year - 1)
        # linear within the year: cumulative(year - 1) + share × flow(year) = 0
        assert cumulative[year - 1] + share * flows[year] == pytest.approx(0, abs=1e-6)
