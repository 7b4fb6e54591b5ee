"""The zone a page shows its times in: the organisation's (``--timezone``, else the zone most
of the model's calendars name), UTC, or the browser's, as the viewer chose with the select in
the top bar (kept in a cookie). The JSON API always speaks RFC 3339 UTC (semantics §1)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from bizmap.domain.calendar import organisation_zone
from bizmap.live.runtime import Live
from bizmap.settings import known_zone

COOKIE = "bizmap_time_zone"  # "utc", "browser:<IANA name>"; absent or anything else: the organisation's
CHOICES = ("organisation", "utc", "browser")


@dataclass(frozen=True)
class TimeZoneChoice:
    choice: str  # one of CHOICES
    zone: str  # the IANA name the page's times are shown in
    organisation: str  # the organisation's zone, named in the select


def organisation_time_zone(server: Live) -> str:
    return server.settings.timezone or organisation_zone(server.graph.calendars.values())


def cookie_value(choice: str, browser_zone: str) -> str | None:
    """What the cookie keeps for a choice from the select; None for a choice that is not one."""
    if choice == "organisation":
        return "organisation"
    if choice == "utc":
        return "utc"
    if choice == "browser" and known_zone(browser_zone):
        return f"browser:{browser_zone}"
    return None


def viewer_time_zone(request: Request) -> TimeZoneChoice:
    server = getattr(request.app.state, "live", None)  # None while the server starts
    organisation = organisation_time_zone(server) if server is not None else "UTC"
    kept = request.cookies.get(COOKIE, "")
    if kept == "utc":
        return TimeZoneChoice("utc", "UTC", organisation)
    if kept.startswith("browser:") and known_zone(kept.removeprefix("browser:")):
        return TimeZoneChoice("browser", kept.removeprefix("browser:"), organisation)
    return TimeZoneChoice("organisation", organisation, organisation)
