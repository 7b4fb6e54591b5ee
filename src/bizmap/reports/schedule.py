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

Inside ``bizmap serve --reports FILE`` (``register``) the scheduler reads the server's own
database and model, and keeps the instant each schedule was last checked in the database's meta
table: an occurrence that fell while the server was down is sent at the next start, once, and a
restart never sends one twice.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import smtplib
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from bizmap.domain.compile import CompiledGraph
from bizmap.errors import BizmapError
from bizmap.live.notifications import SmtpServer
from bizmap.model.loading import parse_yaml
from bizmap.reports.periods import ReportPeriod, period_containing
from bizmap.reports.render import MEDIA_TYPES, Report, render, render_markdown
from bizmap.reports.sources import EventSource

if TYPE_CHECKING:
    from bizmap.live.runtime import Live

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


SmtpConfig = SmtpServer  # the same keys as the notifications' e-mail


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
    # Optional: the server reads its own database and model; `report send --now` needs one.
    source: SourceConfig | None = None
    smtp: SmtpConfig
    schedules: list[Schedule] = Field(min_length=1)
    _file: str = PrivateAttr(default="")  # where it was read from, for messages
    _lines: dict[tuple[Any, ...], int] = PrivateAttr(default_factory=dict)  # key path -> line

    @field_validator("schedules")
    @classmethod
    def _unique_names(cls, value: list[Schedule]) -> list[Schedule]:
        names = [s.name for s in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:  # the name keys the schedule's last check in the database
            raise ValueError(f"schedule names must be unique: {', '.join(twice)} given twice")
        return value

    def where(self, *key: Any) -> str:
        """``FILE:LINE`` of a key path (the deepest one known), for messages."""
        for end in range(len(key), -1, -1):
            line = self._lines.get(tuple(key[:end]))
            if line is not None:
                return f"{self._file}:{line}"
        return self._file


class ScheduleConfigError(BizmapError):
    """The schedule config is unreadable or invalid; the message names the file, line and key."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def load_schedule_config(path: str | Path) -> ScheduleConfig:
    """Read and check the config; each error is ``FILE:LINE: error: KEY: MESSAGE``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScheduleConfigError(f"{path}: error: cannot read: {error.strerror}") from None
    document, problems = parse_yaml(text, str(path))
    if problems or document is None:
        raise ScheduleConfigError("\n".join(str(p) for p in problems))
    if not isinstance(document.data, dict):
        raise ScheduleConfigError(f"{path}: error: must be a mapping: source, smtp, schedules")
    lines = {tuple(key): line for key, line in document.lines.items()}
    try:
        config = ScheduleConfig.model_validate(document.data)
    except ValidationError as error:
        found = []
        for problem in error.errors():
            loc = problem["loc"]
            line = next((lines[loc[:end]] for end in range(len(loc), -1, -1) if loc[:end] in lines), None)
            where = ".".join(str(part) for part in loc) or "(top level)"
            message = problem["msg"].removeprefix("Value error, ")  # pydantic's, not the user's
            found.append(f"{path}{f':{line}' if line else ''}: error: {where}: {message}")
        raise ScheduleConfigError("\n".join(found)) from None
    config._file, config._lines = str(path), lines
    return config


def check_for_server(config: ScheduleConfig, graph: CompiledGraph) -> None:
    """What only the running server can check: the services reviewed exist in its model, the
    password variable is set. Raises ``ScheduleConfigError`` naming the file, line and key."""
    problems = []
    for number, schedule in enumerate(config.schedules):
        service = schedule.service
        if service is not None and (service not in graph.index or not graph.is_service[graph.index[service]]):
            problems.append(
                f"{config.where('schedules', number, 'service')}: error: schedules.{number}.service: "
                f"no business service {service!r} in the model"
            )
    variable = config.smtp.password_env
    if variable is not None and variable not in os.environ:
        problems.append(
            f"{config.where('smtp', 'password_env')}: error: smtp.password_env: "
            f"the environment variable {variable} is not set"
        )
    if problems:
        raise ScheduleConfigError("\n".join(problems))


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
def open_source(config: SourceConfig | None, now: float) -> EventSource:
    from bizmap.model.loading import load_graph
    from bizmap.reports.sources import database_source, replay_source
    from bizmap.storage.store import Store

    if config is None:
        raise BizmapError(
            "the reports config has no source: add `source: {model: PATH, db: URL}` to send it "
            "outside the server (the server reads its own database and model)"
        )
    if config.replay is not None:
        return replay_source(config.model, config.replay, as_of=now)
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


def deliver(
    config: ScheduleConfig,
    items: list[tuple[Schedule, float]],
    now: float,
    open_fn: Callable[[float], EventSource] | None = None,
) -> list[Delivery]:
    """Build and mail each (schedule, occurrence); one source read for all of them, from
    ``open_fn(now)`` (the server's database) or else the config's source."""
    if not items:
        return []
    source = open_fn(now) if open_fn is not None else open_source(config.source, now)
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


class Checkpoints(Protocol):
    """Where the scheduler keeps the instant each schedule was last checked (``Store`` is one)."""

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...


CHECKPOINT_KEY = "reports.checked_until.{name}"
# After a failed delivery, wait this long before each new try; after the last, give up.
RETRY_DELAYS_SECONDS = (60.0, 300.0, 900.0, 3600.0, 3 * 3600.0, 6 * 3600.0)


@dataclass(frozen=True)
class _Retry:
    tries: int  # failed so far
    at: float  # the next try, not before


DeliverFn = Callable[[ScheduleConfig, list[tuple[Schedule, float]], float], list[Delivery]]


class ReportScheduler:
    """Sends the reports when they are due, from a thread; ``start()`` and ``stop()``.

    Without ``checkpoints`` it sends what falls due after it is made (a restart across an
    occurrence skips it). With them (the server's database) each schedule resumes from where it
    was last checked: ``start()`` first sends what fell due while it was stopped, once. A
    schedule new to the database starts from now: nothing from before it existed is sent.

    A delivery that fails (SMTP unreachable, say) is logged and tried again after 1, 5 and 15
    minutes, then 1, 3 and 6 hours; the schedule's checkpoint stays before it meanwhile, so a
    restart tries it again at once. After the last try it is given up, with an error in the
    log (``bizmap report send --now`` sends it by hand). Each occurrence is built and sent on
    its own, so a failure never sends another one twice.
    """

    def __init__(
        self,
        config: ScheduleConfig,
        clock: Callable[[], float] = time.time,
        interval: float = CHECK_EVERY_SECONDS,
        deliver_fn: DeliverFn = deliver,
        checkpoints: Checkpoints | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.interval = interval
        self.deliver = deliver_fn
        self.checkpoints = checkpoints
        self.delivered: list[Delivery] = []
        self.caught_up = threading.Event()  # set once the first check after start() is done
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one check at a time: the thread's and a caller's
        now = clock()
        self._checked = {s.name: now for s in config.schedules}
        self._retries: dict[str, _Retry] = {}  # schedule name -> its failed delivery's next try

    def resume(self) -> None:
        """Take each schedule's last check from the checkpoints; a new one starts now."""
        if self.checkpoints is None:
            now = self.clock()
            self._checked = {s.name: now for s in self.config.schedules}
            return
        now = self.clock()
        for schedule in self.config.schedules:
            key = CHECKPOINT_KEY.format(name=schedule.name)
            stored = self.checkpoints.get_meta(key)
            try:
                self._checked[schedule.name] = float(stored) if stored is not None else now
            except ValueError:  # not written by us: start afresh rather than guess
                log.warning("ignoring the unreadable checkpoint %s=%r", key, stored)
                self._checked[schedule.name] = now
            if stored is None:
                self.checkpoints.set_meta(key, repr(now))

    def check(self) -> list[Delivery]:
        """Send what fell due since each schedule's last check (the thread calls this)."""
        with self._lock:
            now = self.clock()
            done: list[Delivery] = []
            for schedule in self.config.schedules:
                waiting = self._retries.get(schedule.name)
                if waiting is not None and now < waiting.at:
                    continue
                checked = now
                for occurrence in occurrences(schedule, self._checked[schedule.name], now):
                    try:
                        done.extend(self.deliver(self.config, [(schedule, occurrence)], now))
                    except Exception:  # a bad SMTP server or database must not stop the others
                        tries = 1 + (waiting.tries if waiting is not None else 0)
                        what = f"{schedule.name} ({period_for(schedule, occurrence).code})"
                        if tries <= len(RETRY_DELAYS_SECONDS):
                            delay = RETRY_DELAYS_SECONDS[tries - 1]
                            log.exception(
                                "sending %s failed (try %d); trying again in %.0f s", what, tries, delay
                            )
                            self._retries[schedule.name] = _Retry(tries, now + delay)
                            checked = occurrence - 1.0  # still due (occurrences are whole minutes)
                            break
                        log.exception(
                            "sending %s failed %d times: given up; `bizmap report send --now` sends it",
                            what,
                            tries,
                        )
                    self._retries.pop(schedule.name, None)
                    waiting = None
                self._advance(schedule.name, checked)
            self.delivered.extend(done)
            return done

    def _advance(self, name: str, until: float) -> None:
        """Everything of schedule ``name`` up to ``until`` is dealt with: remember it."""
        self._checked[name] = until
        if self.checkpoints is not None:
            try:
                self.checkpoints.set_meta(CHECKPOINT_KEY.format(name=name), repr(until))
            except Exception:  # the next check resends at worst; never kill the thread
                log.exception("could not record the reports checkpoint")

    def start(self) -> None:
        """Resume from the checkpoints and start the thread, which checks at once (catching
        up on what fell due while stopped) and then every ``interval`` seconds."""
        self._stop.clear()
        self.caught_up.clear()
        self.resume()
        self._thread = threading.Thread(target=self._loop, name="bizmap-report-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _loop(self) -> None:
        try:
            self.check()
        finally:
            self.caught_up.set()
        while not self._stop.wait(self.interval):
            self.check()


def live_source(server: Live, now: float) -> EventSource:
    """The running server's stored events over its current model (read on another connection)."""
    from bizmap.reports.sources import database_source
    from bizmap.storage.store import Store

    with Store(server.settings.db) as store:
        return database_source(server.graph, store, server.settings.model, now)


@asynccontextmanager
async def running(server: Live) -> AsyncIterator[ReportScheduler | None]:
    """With ``--reports FILE``, a ``ReportScheduler`` while the server runs, reading the live
    database and model and checkpointing in its meta table (``None`` without). A bad config stops
    the start-up with ``ScheduleConfigError`` (``bizmap serve`` checks it before starting, with
    the message)."""
    if not server.settings.reports:
        yield None
        return
    config = await asyncio.to_thread(load_schedule_config, server.settings.reports)
    check_for_server(config, server.graph)
    scheduler = ReportScheduler(
        config,
        clock=server.clock,
        deliver_fn=functools.partial(deliver, open_fn=functools.partial(live_source, server)),
        checkpoints=server.store,
    )
    await asyncio.to_thread(scheduler.start)
    try:
        yield scheduler
    finally:
        await asyncio.to_thread(scheduler.stop)
