"""How figures read for people, on every surface: money with its currency, durations, percentages,
times (in UTC, or in a named zone for the web UI: ``zoned_time``).

The documents (reports) keep the pence, so that every figure can be checked against
``bizmap replay --json`` (which rounds to 2 decimals): ``money``, ``duration``, ``percent``.
Tables on a terminal and in the web UI show whole units: ``money_text``, ``duration_text``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "CHF": "CHF "}


def money(value: float, currency: str) -> str:
    """£19,640.83; an unknown currency is written after the amount: 1,250.00 SEK."""
    amount = round(value + 0.0, 2) + 0.0
    text = f"{abs(amount):,.2f}"
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def money_text(value: float, currency: str) -> str:
    """Whole units for people (the JSON keeps cents): £74,189; -£1,200. The cents round half
    away from zero, as the pages' script does (Math.round): £8,110.50 reads £8,111 everywhere."""
    cents = round(abs(value) * 100)
    whole = (cents + 50) // 100 * (-1 if value < 0 else 1)
    symbol = _SYMBOLS.get(currency)
    text = f"{abs(whole):,}"
    sign = "-" if whole < 0 else ""
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def money_code(value: float, currency: str, decimals: int = 2) -> str:
    """The amount, then the currency's code, for plain text (e-mail): 1,250.00 EUR."""
    return f"{value:,.{decimals}f} {currency}"


def duration_text(seconds: float) -> str:
    """2h 05m; 45m; 18s under a minute, so that a short budget never reads "0m" (tables)."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if not hours and not minutes and seconds > 0:
        return f"{seconds}s"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def rate(value: float, currency: str) -> str:
    return money(value, currency) + " an hour"


def whole_seconds(value: float) -> int:
    """Seconds as the replay's JSON gives them (floor)."""
    return math.floor(value + 1e-6)


def duration(seconds: float) -> str:
    """2 h 05 min; 45 min 30 s; 0 min. Seconds are shown only when the minutes are not whole."""
    whole = whole_seconds(seconds)  # floored like the JSON, negative budgets included
    total = abs(whole)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    if secs:
        text += f" {secs:02d} s" if hours else f" {secs} s"
    return ("-" if whole < 0 else "") + text


def when(instant: float) -> str:
    """Fri 16 Oct 2026, 22:40 UTC (seconds when not whole minutes)."""
    moment = datetime.fromtimestamp(instant, UTC)
    clock = moment.strftime("%H:%M:%S" if moment.second else "%H:%M")
    return f"{moment.strftime('%a')} {moment.day} {moment.strftime('%b %Y')}, {clock} UTC"


def zoned_time(instant: float, zone_name: str) -> str:
    """3 Dec 2026 08:33:02 GMT: to the second (a fraction is cut, never rounded up into the next
    second), in the IANA zone ``zone_name``, with the zone's abbreviation at that instant."""
    moment = datetime.fromtimestamp(math.floor(instant), ZoneInfo(zone_name))
    return f"{moment.day} {moment.strftime('%b %Y %H:%M:%S')} {moment.strftime('%Z')}"


def clock(instant: float) -> str:
    """22:40 UTC on 16 Oct (for timelines)."""
    moment = datetime.fromtimestamp(instant, UTC)
    return f"{moment.day} {moment.strftime('%b')} {moment.strftime('%H:%M:%S' if moment.second else '%H:%M')}"


def percent(value: float, decimals: int = 4) -> str:
    """A percentage as the replay's JSON rounds it (4 decimals), without trailing zeros."""
    text = f"{round(value, decimals):.{decimals}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def change(current: float, previous: float) -> str:
    """+£1,200.00 (+25.0%) style change, in words when there is no base."""
    if previous == 0:
        return "up from nothing" if current else "unchanged"
    share = 100 * (current - previous) / previous
    return f"{share:+.1f}%"


def people(count: int) -> str:
    return f"{count:,} {'person' if count == 1 else 'people'}"


def join_capped(items: list[str] | tuple[str, ...], limit: int = 5) -> str:
    """At most ``limit`` items, then "and N more": a list a reader takes in at a glance (the
    demo's long incidents have dozens of root causes)."""
    items = list(items)
    if len(items) <= limit + 1:  # "and 1 more" is no shorter than the item itself
        return join_words(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def join_words(items: list[str]) -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
