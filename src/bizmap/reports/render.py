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


def render_html(report: Report, tighter: bool = False) -> str:
    """The report as HTML; ``tighter`` sets it closer (less spacing, a shorter chart)."""
    template = _HTML.get_template(_template(report) + ".html")
    return template.render(r=report, charts=_charts(report), tighter=tighter)


MIN_LAST_PAGE_FILL = 0.2  # a last page with less than this share of its height used is a waste


def last_page_fill(document: Any) -> float:
    """The share of the last page's content height that text and pictures use (0 to 1).

    Reads WeasyPrint's laid-out boxes: the bottom of the lowest line or picture on the page.
    """
    page = document.pages[-1]
    box = getattr(page, "_page_box", None)
    if box is None:  # another WeasyPrint: nothing to measure, nothing to refit
        return 1.0
    top, bottom = box.margin_top, page.height - box.margin_bottom
    lowest = top
    for child in box.children:
        if type(child).__name__ == "MarginBox":  # running header, footer, page number
            continue
        for leaf in child.descendants():
            if type(leaf).__name__ in ("LineBox", "BlockReplacedBox", "InlineReplacedBox"):
                lowest = max(lowest, leaf.position_y + leaf.margin_height())
    return float((lowest - top) / (bottom - top))


def render_pdf(report: Report) -> bytes:
    """The PDF; when its last page would be nearly empty, the report set tighter if that saves
    the page (a statement whose last page holds one note reads as a misprint)."""
    from weasyprint import HTML  # heavy: only when a PDF is asked for

    document = HTML(string=render_html(report)).render()
    if len(document.pages) > 1 and last_page_fill(document) < MIN_LAST_PAGE_FILL:
        tighter = HTML(string=render_html(report, tighter=True)).render()
        if len(tighter.pages) < len(document.pages):
            document = tighter
    pdf: bytes = document.write_pdf()
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
