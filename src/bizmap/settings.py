"""Settings of the live server: every one with its name, default and help in one place.

``bizmap serve`` takes each as an option; a test checks that the README documents each.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bizmap.errors import UsageError


@dataclass(frozen=True)
class Settings:
    model: str = ""
    db: str = "sqlite:///bizmap.db"
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 1_048_576
    max_batch_events: int = 10_000
    max_event_age_seconds: float = 7 * 86400.0
    max_event_lead_seconds: float = 300.0
    notify: str = ""
    reports: str = ""
    trusted_proxy: str = ""  # comma-separated addresses and networks (``parse_trusted_proxies``)
    checkpoint_seconds: float = 300.0
    timezone: str = ""  # IANA name; empty: the zone most of the model's calendars name, else UTC


HELP: dict[str, str] = {
    "model": "Model: a YAML file or a directory of them (required).",
    "db": "Database URL: sqlite:///FILE (created and migrated on first start) or postgresql://...",
    "host": "Address to listen on; the default keeps bizmap on this machine.",
    "port": "Port to listen on.",
    "max_body_bytes": "Largest request body accepted, in bytes; a larger one gets 413.",
    "max_batch_events": "Most events accepted in one request; more gets 413.",
    "max_event_age_seconds": "Events whose time is older than this are refused (422).",
    "max_event_lead_seconds": "Events whose time is further ahead than this are refused (422).",
    "notify": "Notifications config file (YAML): webhooks, e-mail, cost thresholds per service.",
    "reports": (
        "Scheduled reports config file (YAML): SMTP and schedules, see docs/reports.md (env BIZMAP_REPORTS)."
    ),
    "trusted_proxy": (
        "Address or network (CIDR) of a reverse proxy whose X-Forwarded-For and X-Forwarded-Proto are "
        "believed; repeat it or separate with commas (env BIZMAP_TRUSTED_PROXY). None by default: "
        "the headers are ignored. See docs/security.md."
    ),
    "checkpoint_seconds": (
        "Seconds between checkpoints of the engine's state (taken when something changed, and at "
        "shutdown): a start-up replays only the events after the newest. See docs/operations.md."
    ),
    "timezone": (
        "The organisation's time zone (IANA name, e.g. Europe/London; env BIZMAP_TIMEZONE): the web UI "
        "shows times in it unless a viewer picks UTC or their browser's zone. Default: the zone most of "
        "the model's calendars name, else UTC. The API always speaks UTC."
    ),
}


def describe() -> list[tuple[str, object, str]]:
    """(name, default, help) of every setting, in declaration order."""
    return [(f.name, f.default, HELP[f.name]) for f in fields(Settings)]


def parse_trusted_proxies(values: Iterable[str]) -> tuple[str, ...]:
    """The trusted proxies given (each value may hold several, separated by commas or spaces),
    as normalised addresses and networks. A host name or ``*`` is refused: uvicorn would
    quietly never match the one, and would believe any client with the other."""
    items = [item for value in values for item in re.split(r"[,\s]+", value.strip()) if item]
    return tuple(dict.fromkeys(_address_or_network(item) for item in items))


def _address_or_network(text: str) -> str:
    try:
        if "/" in text:
            return str(ipaddress.ip_network(text, strict=False))  # 10.1.2.3/8 -> 10.0.0.0/8
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise UsageError(
            f"--trusted-proxy: {text!r} is not an IP address or network (like 127.0.0.1, ::1 or 10.0.0.0/24)"
        ) from None


def known_zone(name: str) -> bool:
    if not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def checked_zone(name: str) -> str:
    """``--timezone``'s value, or a UsageError that says what to write."""
    if name and not known_zone(name):
        raise UsageError(
            f"--timezone: {name!r} is not a time zone; use an IANA name such as Europe/London or UTC"
        )
    return name
