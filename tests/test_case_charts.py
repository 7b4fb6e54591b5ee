"""The business-case charts: SVG whose words stay text (searchable in a browser or a PDF)."""

from __future__ import annotations

from bizmap.decisions.case.appraisal import evaluate
from bizmap.decisions.case.charts import cumulative_svg, tornado_svg
from bizmap.decisions.case.checks import parse_case
from bizmap.decisions.case.sensitivity import tornado

CASE = parse_case(
    {
        "name": "Textbook",
        "horizon_years": 3,
        "discount_rate": 0.1,
        "costs": [{"name": "Investment", "once": 1000}],
        "benefits": [{"name": "Savings", "per_year": 500, "ramp": [1, 0.8, 0.6]}],
    }
)


def test_tornado_svg_names_every_input_as_text_and_says_the_ranges_were_assumed() -> None:
    svg = tornado_svg(tornado(CASE), "EUR")
    assert svg.lstrip().startswith("<?xml") and svg.rstrip().endswith("</svg>")
    # svg.fonttype none: labels are <text> elements, not glyph outlines
    assert ">Savings (×0.8–×1.2)</text>" in svg
    assert ">Investment (×0.8–×1.2)</text>" in svg
    assert "±20% (no ranges given)" in svg  # no uncertainty in the case
    assert "DejaVuSans-" not in svg  # no embedded glyph paths


def test_cumulative_svg_has_every_year_and_the_discount_rate() -> None:
    svg = cumulative_svg(evaluate(CASE))
    assert "Cumulative cash flow" in svg
    assert "cumulative, discounted at 10.0%" in svg
    for year in ("0", "1", "2", "3"):
        assert f">{year}</text>" in svg


def test_charts_are_reproducible() -> None:
    # no date in the metadata: the same case gives the same bytes (reports can be diffed)
    assert cumulative_svg(evaluate(CASE)) == cumulative_svg(evaluate(CASE))
