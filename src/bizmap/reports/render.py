"""Turn a report's data into Markdown, HTML or PDF (WeasyPrint) through the Jinja2 templates.

One renderer per format; each document has a ``NAME.md`` and a ``NAME.html`` template. The
HTML templates extend ``base.html``, which carries the shared print stylesheet (A4, a title
block, page numbers) and inlines the charts as SVG.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bizmap import text
from bizmap.errors import UsageError
from bizmap.reports.executive import ExecutiveSummary
from bizmap.reports.incident import IncidentStatement
from bizmap.reports.review import ServiceReview

FORMATS = ("md", "html", "pdf", "json")
MEDIA_TYPES = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
Report = IncidentStatement | ServiceReview | ExecutiveSummary


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("bizmap.reports", "templates"),
        autoescape=select_autoescape(["html"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=text.money,
        duration=text.duration,
        when=text.when,
        clock=text.clock,
        percent=text.percent,
        change=text.change,
        people=text.people,
        join_words=text.join_words,
        join_capped=text.join_capped,
    )
    return env


_HTML = _environment(autoescape=True)
_MARKDOWN = _environment(autoescape=False)


def _template(report: Report) -> str:
    if isinstance(report, IncidentStatement):
        return "incident"
    if isinstance(report, ServiceReview):
        return "review"
    return "executive"


def _charts(report: Report) -> dict[str, Any]:
    from bizmap.reports import charts  # matplotlib is slow to import: only when drawing

    if isinstance(report, IncidentStatement):
        rows = [(s.name, s.start, s.end if s.end is not None else report.window_end) for s in report.services]
        return {"outage": charts.outage_chart(rows, report.window_start, report.window_end) if rows else ""}
    review = report if isinstance(report, ServiceReview) else report.review
    return {
        "costs": charts.cost_by_service_chart(review.services, review.currency, review.previous.title),
        "burn": {
            s.id: charts.budget_burn_chart(s) for s in review.services if s.sla and (s.episodes or s.missed)
        },
    }


def render_markdown(report: Report) -> str:
    return _MARKDOWN.get_template(_template(report) + ".md").render(r=report)


def render_html(report: Report) -> str:
    return _HTML.get_template(_template(report) + ".html").render(r=report, charts=_charts(report))


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # heavy: only when a PDF is asked for

    pdf: bytes = HTML(string=render_html(report)).write_pdf()
    return pdf


def render(report: Report, form: str) -> bytes:
    """``form`` is md, html, pdf or json; the document as bytes (UTF-8 for text)."""
    if form == "json":
        import orjson

        from bizmap.reports.document import report_document

        return orjson.dumps(report_document(report), option=orjson.OPT_INDENT_2) + b"\n"
    if form == "md":
        return render_markdown(report).encode()
    if form == "html":
        return render_html(report).encode()
    if form == "pdf":
        return render_pdf(report)
    raise UsageError(f"unknown format {form!r}: use md, html, pdf or json")
