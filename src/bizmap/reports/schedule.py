"""Scheduled delivery of reports by e-mail (SMTP).

A YAML config lists the data source, the SMTP server and the schedules (docs/reports.md)::

    source: {model: examples/hospital, db: "sqlite:///bizmap.db"}   # or replay: EVENTS.jsonl
    smtp: {host: smtp.example.org, port: 587, starttls: true, from: bizmap@example.org}
    schedules:
      - {name: monthly-review, report: review, every: month, day: 1, at: "08:00",
         timezone: Europe/London, to: [cio@example.org], format: pdf}

Each occurrence sends the report of the *previous* whole period (a review sent on 1 December
covers November). ``due`` decides what is due between two instants (pure, tested with a fake
clock); ``ReportScheduler`` checks it every half minute in a thread; ``send_now`` sends once.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bizmap.reports.periods import ReportPeriod, period_containing
from bizmap.reports.render import MEDIA_TYPES, Report, render, render_markdown
from bizmap.reports.sources import EventSource

log = logging.getLogger("bizmap.reports")
SMTP_TIMEOUT_SECONDS = 30.0
CHECK_EVERY_SECONDS = 30.0


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SourceConfig(_Strict):
    model: str
    db: str | None = None
    replay: str | None = None

    @model_validator(mode="after")
    def _one(self) -> SourceConfig:
        if (self.db is None) == (self.replay is None):
            raise ValueError("give exactly one of db (a database URL) or replay (an event log)")
        return self


class SmtpConfig(_Strict):
    host: str
    port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    username: str | None = None
    password_env: str | None = None  # the NAME of an environment variable holding the password
    sender: str = Field(alias="from")


class Schedule(_Strict):
    name: str
    report: Literal["review", "executive"]
    every: Literal["month", "quarter"] = "month"
    day: int = Field(default=1, ge=1, le=31)  # of the month (of the quarter's first month)
    at: str = "08:00"
    timezone: str = "UTC"
    service: str | None = None  # reviews only
    format: Literal["pdf", "html", "md"] = "pdf"
    to: list[str] = Field(min_length=1)

    @field_validator("at")
    @classmethod
    def _clock(cls, value: str) -> str:
        try:
            datetime.strptime(value, "%H:%M")
        except ValueError:
            raise ValueError(f"must be a time of day HH:MM, got {value!r}") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}: use an IANA name such as Europe/London") from None
        return value


class ScheduleConfig(_Strict):
    source: SourceConfig
    smtp: SmtpConfig
    schedules: list[Schedule] = Field(min_length=1)


class ScheduleConfigError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def load_schedule_config(path: str | Path) -> ScheduleConfig:
    """Read and check the config; the error names the file and the key."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScheduleConfigError(f"{path}: error: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ScheduleConfigError(f"{path}: error: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ScheduleConfigError(f"{path}: error: must be a mapping: source, smtp, schedules")
    try:
        return ScheduleConfig.model_validate(data)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
            lines.append(f"{path}: error: {where}: {problem['msg']}")
        raise ScheduleConfigError("\n".join(lines)) from None


# -- when ------------------------------------------------------------------------------------
def occurrences(schedule: Schedule, after: float, until: float) -> list[float]:
    """The instants in (after, until] at which ``schedule`` sends."""
    tz = ZoneInfo(schedule.timezone)
    hour, minute = (int(part) for part in schedule.at.split(":"))
    first = datetime.fromtimestamp(after, tz)
    year, month = first.year, first.month
    step = 1 if schedule.every == "month" else 3
    if step == 3:
        month = 3 * ((month - 1) // 3) + 1
    found: list[float] = []
    while True:
        last_day = ((datetime(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)).day
        moment = datetime(year, month, min(schedule.day, last_day), hour, minute, tzinfo=tz).timestamp()
        if moment > until:
            return found
        if moment > after:
            found.append(moment)
        month += step
        if month > 12:
            year, month = year + 1, month - 12


def due(schedules: list[Schedule], after: float, until: float) -> list[tuple[Schedule, float]]:
    """Every (schedule, occurrence) in (after, until], in time order."""
    found = [(s, at) for s in schedules for at in occurrences(s, after, until)]
    found.sort(key=lambda item: item[1])
    return found


def period_for(schedule: Schedule, occurrence: float) -> ReportPeriod:
    """The whole period before the one the occurrence falls in (in UTC)."""
    return period_containing(occurrence, schedule.every).previous()


# -- what -----------------------------------------------------------------------------------
def open_source(config: SourceConfig, now: float) -> EventSource:
    from bizmap.loading import load_graph
    from bizmap.reports.sources import database_source, replay_source
    from bizmap.storage.store import Store

    if config.replay is not None:
        return replay_source(config.model, config.replay)
    assert config.db is not None
    with Store(config.db) as store:
        return database_source(load_graph(config.model), store, config.model, now)


def build(schedule: Schedule, source: EventSource, period: ReportPeriod) -> tuple[Report, str]:
    """The report of ``schedule`` for ``period`` and its title."""
    from bizmap.reports.executive import gather_executive
    from bizmap.reports.review import gather_review

    if schedule.report == "executive":
        return gather_executive(source, period), f"Executive summary, {period.title}"
    review = gather_review(source, period, schedule.service)
    return review, f"Service review, {review.scope_name}, {period.title}"


def message_for(schedule: Schedule, sender: str, report: Report, title: str, code: str) -> EmailMessage:
    """The e-mail: the Markdown text as its body, the report in its format attached."""
    message = EmailMessage()
    message["Subject"] = f"[bizmap] {title}"
    message["From"] = sender
    message["To"] = ", ".join(schedule.to)
    message.set_content(render_markdown(report))
    document = render(report, schedule.format)
    kind = MEDIA_TYPES[schedule.format].split(";")[0]
    maintype, subtype = kind.split("/")
    name = f"{schedule.report}-{code}.{schedule.format}"
    message.add_attachment(document, maintype=maintype, subtype=subtype, filename=name)
    return message


def send_mail(smtp: SmtpConfig, message: EmailMessage) -> None:
    password = os.environ.get(smtp.password_env) if smtp.password_env else None
    with smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS) as client:
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
        if smtp.username is not None:
            client.login(smtp.username, password or "")
        client.send_message(message)


@dataclass
class Delivery:
    schedule: str
    period: str
    recipients: list[str]


def deliver(config: ScheduleConfig, items: list[tuple[Schedule, float]], now: float) -> list[Delivery]:
    """Build and mail each (schedule, occurrence); one source read for all of them."""
    if not items:
        return []
    source = open_source(config.source, now)
    done = []
    for schedule, occurrence in items:
        period = period_for(schedule, occurrence)
        report, title = build(schedule, source, period)
        send_mail(config.smtp, message_for(schedule, config.smtp.sender, report, title, period.code))
        done.append(Delivery(schedule.name, period.code, list(schedule.to)))
    return done


def send_now(config: ScheduleConfig, now: float, only: str | None = None) -> list[str]:
    """Send every schedule's report (or ``only`` that one) now, for the period before now."""
    chosen = [(s, now) for s in config.schedules if only is None or s.name == only]
    return [
        f"sent {d.schedule} ({d.period}) to {', '.join(d.recipients)}" for d in deliver(config, chosen, now)
    ]


class ReportScheduler:
    """Sends the reports when they are due, from a thread; ``start()`` and ``stop()``.

    It sends what falls due after it starts (a restart across an occurrence skips it: run
    ``bizmap report send --now`` to catch up). A failed delivery is logged and not retried.
    """

    def __init__(
        self,
        config: ScheduleConfig,
        clock: Callable[[], float] = time.time,
        interval: float = CHECK_EVERY_SECONDS,
        deliver_fn: Callable[[ScheduleConfig, list[tuple[Schedule, float]], float], list[Delivery]] = deliver,
    ) -> None:
        self.config = config
        self.clock = clock
        self.interval = interval
        self.deliver = deliver_fn
        self.delivered: list[Delivery] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._checked = clock()

    def check(self) -> list[Delivery]:
        """Send what fell due since the last check (the thread calls this)."""
        now = self.clock()
        items = due(self.config.schedules, self._checked, now)
        self._checked = now
        try:
            done = self.deliver(self.config, items, now)
        except Exception:  # a bad SMTP server or database must not stop later deliveries
            log.exception("sending scheduled reports failed: %s", [s.name for s, _ in items])
            return []
        self.delivered.extend(done)
        return done

    def start(self) -> None:
        self._stop.clear()
        self._checked = self.clock()
        self._thread = threading.Thread(target=self._loop, name="bizmap-report-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.check()
