"""Settings of the live server: every one with its name, default and help in one place.

``bizmap serve`` takes each as an option; a test checks that the README documents each.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


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
}


def describe() -> list[tuple[str, object, str]]:
    """(name, default, help) of every setting, in declaration order."""
    return [(f.name, f.default, HELP[f.name]) for f in fields(Settings)]
