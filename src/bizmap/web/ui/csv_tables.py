"""CSV of any table a page shows: the page's address with ``csv=<name>`` added answers the table
marked ``data-csv="<name>"`` as a CSV file instead of the page (``csv_link(name)`` in templates
writes the link). The page runs as usual first (its login, role and filters), so the file holds
exactly the rows the viewer sees, and every table of every page gets its file by one mark.

What a cell holds: its ``data-csv`` attribute when it has one (the raw figure behind "£74,000"),
the UTC ``datetime`` of a ``<time>`` or the ``value`` of a ``<data>`` in it, else its
text. A row or a column heading marked
``data-csv-skip`` is left out (buttons, the reasons under an unmatched event). Lists of cards
(the overview's tiles) are tables too: ``data-csv-row`` marks a row and ``data-csv-col="Heading"``
a cell. Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a
carriage return, and not a plain number) is written with a leading ``'`` (CSV injection).
"""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PARAMETER = "csv"
_CELLS = ("td", "th")
_BREAKS = ("br", "li", "p", "div", "ul", "ol")
_MACHINE_VALUES = {"time": "datetime", "data": "value"}  # <time datetime>, <data value>: for machines
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def neutralised(value: str) -> str:
    """``value`` as a spreadsheet shows it and never runs it."""
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


@dataclass
class _Cell:
    column: str | None  # the heading of a card's cell; None in a table (its place says)
    fixed: str | None  # data-csv
    text: list[str] = field(default_factory=list)
    skip: bool = False


@dataclass
class _Table:
    headings: list[_Cell] = field(default_factory=list)
    rows: list[list[_Cell]] = field(default_factory=list)


class _TableReader(HTMLParser):
    """The tables (and card lists) marked ``data-csv`` in a page, by name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, _Table] = {}
        self._open: list[tuple[str, str]] = []  # (tag, what it began: table, head, row, cell or "")
        self._table: _Table | None = None
        self._in_head = False
        self._row: list[_Cell] | None = None
        self._row_skipped = False
        self._cell: _Cell | None = None

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        attrs = {key: value or "" for key, value in attributes}
        began = ""
        if self._table is None:
            if "data-csv" in attrs:
                self._table = self.tables.setdefault(attrs["data-csv"], _Table())
                began = "table"
        elif tag == "thead":
            self._in_head, began = True, "head"
        elif self._row is None and (tag == "tr" or "data-csv-row" in attrs) and self._cell is None:
            self._row, self._row_skipped, began = [], "data-csv-skip" in attrs, "row"
        elif (
            self._row is not None and self._cell is None and (tag in ("td", "th") or "data-csv-col" in attrs)
        ):
            column = attrs.get("data-csv-col")
            self._cell = _Cell(column, attrs.get("data-csv"), skip="data-csv-skip" in attrs)
            began = "cell"
        elif self._cell is not None and tag in _BREAKS:
            self._cell.text.append(" ")  # "<li>a</li><li>b</li>" reads "a b"
        if self._cell is not None and self._cell.fixed is None and tag in _MACHINE_VALUES:
            self._cell.fixed = attrs.get(_MACHINE_VALUES[tag])
        if tag not in _VOID:
            self._open.append((tag, began))

    def handle_endtag(self, tag: str) -> None:
        if not any(open_tag == tag for open_tag, _ in self._open):
            return  # a stray end tag
        while self._open:
            open_tag, began = self._open.pop()
            self._close(began)
            if open_tag == tag:
                return

    def _close(self, began: str) -> None:
        if began == "cell" and self._cell is not None and self._row is not None:
            self._row.append(self._cell)
            self._cell = None
        elif began == "row" and self._row is not None and self._table is not None:
            if self._in_head:
                self._table.headings = self._row
            elif not self._row_skipped:
                self._table.rows.append(self._row)
            self._row = None
        elif began == "head":
            self._in_head = False
        elif began == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.text.append(data)


def _text(cell: _Cell) -> str:
    if cell.fixed is not None:
        return cell.fixed
    return re.sub(r"\s+", " ", "".join(cell.text)).strip()


def table_csv(html: str, name: str) -> str | None:
    """The table ``name`` of ``html`` as CSV text; None when the page has no such table."""
    reader = _TableReader()
    reader.feed(html)
    reader.close()
    table = reader.tables.get(name)
    if table is None:
        return None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if table.headings:  # a table: cells by place, its head's headings
        keep = [i for i, heading in enumerate(table.headings) if not heading.skip]
        writer.writerow(neutralised(_text(table.headings[i])) for i in keep)
        for row in table.rows:
            writer.writerow(neutralised(_text(row[i])) for i in keep if i < len(row))
    else:  # cards: cells by their heading, in the order first seen
        columns = list(dict.fromkeys(cell.column for row in table.rows for cell in row if cell.column))
        writer.writerow(neutralised(column) for column in columns)
        for row in table.rows:
            by_column = {cell.column: _text(cell) for cell in row if cell.column}
            writer.writerow(neutralised(by_column.get(column, "")) for column in columns)
    return out.getvalue()


def names_in(html: str) -> list[str]:
    reader = _TableReader()
    reader.feed(html)
    return list(reader.tables)


class CsvTables:
    """ASGI middleware: a page's ``GET`` with ``?csv=<name>`` answers that table as a CSV file."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = _asked_for(scope)
        if name is None:
            await self.app(scope, receive, send)
            return
        started: Message | None = None
        body: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = message
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        assert started is not None
        page = b"".join(body)
        content_type = dict(started["headers"]).get(b"content-type", b"")
        if started["status"] != 200 or not content_type.startswith(b"text/html"):
            await _send(send, started, page)  # a login redirect, a 403 page, an error: as they are
            return
        html = page.decode("utf-8", errors="replace")
        text = table_csv(html, name)
        if text is None:
            known = ", ".join(names_in(html)) or "none"
            message = f"csv: this page has no table {name[:40]!r} (its tables: {known})\n".encode()
            await _send(send, _start(404, "text/plain; charset=utf-8", len(message)), message)
            return
        data = text.encode("utf-8")
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        start = _start(200, "text/csv; charset=utf-8", len(data))
        start["headers"].append(
            (b"content-disposition", f'attachment; filename="bizmap-{_safe(name)}-{stamp}.csv"'.encode())
        )
        await _send(send, start, data)


def _asked_for(scope: Scope) -> str | None:
    if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/ui/"):
        return None
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(PARAMETER)
    return values[0] if values and values[0] else None


def _safe(name: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:40] or "table"


def _start(status: int, content_type: str, length: int) -> Message:
    return {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", content_type.encode()),
            (b"content-length", str(length).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"cache-control", b"no-store"),
        ],
    }


async def _send(send: Send, start: Message, body: bytes) -> None:
    await send(start)
    await send({"type": "http.response.body", "body": body})
