"""Scheduled reports inside the live server (`bizmap serve --reports FILE`): a real SMTP server,
the server's own SQLite database and a fake clock moved by the tests.

The model: the business service `orders` (24x7, 1,200 EUR of revenue an hour, nothing else)
depends on the component `db`. `db` is down on Wed 14 October 2026 from 10:00 to 10:30 UTC, so
October's downtime cost is 1,200 x 0.5 h = 600.00 EUR, and nothing happens in November.
The schedule `monthly-review` sends the review of the previous month on day 1 at 08:00 UTC.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from bizmap.ingest.native import decode_event
from bizmap.reports.schedule import (
    CHECKPOINT_KEY,
    Delivery,
    ReportScheduler,
    Schedule,
    ScheduleConfig,
    ScheduleConfigError,
    load_schedule_config,
)
from bizmap.settings import Settings
from bizmap.storage.store import Store, migrate
from bizmap.web.app import create_app
from helpers import run_cli, utc, write_text

MODEL = """\
currency: EUR
services:
  - id: orders
    name: Online orders
    impact: {revenue_per_hour: 1200}
    depends_on: [db]
components:
  - id: db
"""
EVENTS = (
    b'{"node": "db", "state": "down", "time": "2026-10-14T10:00:00Z", "id": "e1"}',
    b'{"node": "db", "state": "ok", "time": "2026-10-14T10:30:00Z", "id": "e2"}',
)
CATCH_UP_SECONDS = 120.0  # rendering a PDF takes a few seconds on a busy machine


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    @property
    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


class World:
    """A model, a database holding the events, a reports config; servers started over them."""

    def __init__(self, tmp_path: Path, smtp_port: int) -> None:
        self.model = write_text(tmp_path / "model.yaml", MODEL)
        self.db = f"sqlite:///{tmp_path / 'bizmap.db'}"
        self.config = tmp_path / "reports.yaml"
        self.smtp_port = smtp_port
        self.write_config()
        migrate(self.db)
        with Store(self.db) as store:
            store.append_events([(e, e.time or 0.0, True) for e in map(decode_event, EVENTS)])

    def write_config(self, extra_schedule: str = "") -> None:
        write_text(
            self.config,
            f"""\
            smtp: {{host: 127.0.0.1, port: {self.smtp_port}, from: bizmap@example.org}}
            schedules:
              - {{name: monthly-review, report: review, day: 1, at: "08:00", to: [ops@example.org]}}
            {extra_schedule}
            """,
        )

    def run(self, at: str, then: Callable[[ReportScheduler, list[float]], None] | None = None) -> None:
        """Start the server at ``at``, wait for its first check (the catch-up), run ``then``, stop."""
        now = [utc(at)]
        app = create_app(
            Settings(model=str(self.model), db=self.db, reports=str(self.config)), clock=lambda: now[0]
        )
        with TestClient(app):
            scheduler: ReportScheduler = app.state.report_scheduler
            assert scheduler.caught_up.wait(CATCH_UP_SECONDS)
            if then is not None:
                then(scheduler, now)


@pytest.fixture
def world(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> World:
    return World(tmp_path, mailbox[1])


def pdf_text(document: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    path = tmp_path / "attached.pdf"
    path.write_bytes(document)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout
    return " ".join(text.decode().split())


def test_a_due_review_is_mailed_with_its_pdf_and_a_restart_does_not_send_it_again(
    world: World, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, _ = mailbox

    def across_the_first(scheduler: ReportScheduler, now: list[float]) -> None:
        assert box.messages == []  # started on 31 October: nothing due yet
        now[0] = utc("2026-11-01T07:59:59Z")
        assert scheduler.check() == []
        now[0] = utc("2026-11-01T08:00:30Z")
        [delivery] = scheduler.check()
        assert (delivery.schedule, delivery.period) == ("monthly-review", "2026-10")
        now[0] = utc("2026-11-01T08:01:00Z")
        assert scheduler.check() == []  # not twice while running either

    world.run("2026-10-31T23:00:00Z", across_the_first)
    assert box.subjects == ["[bizmap] Service review, All business services, October 2026"]
    [message] = box.messages
    assert message["To"] == "ops@example.org"
    attachment = next(p for p in message.walk() if p.get_content_type() == "application/pdf")
    assert attachment.get_filename() == "review-2026-10.pdf"
    document = attachment.get_payload(decode=True)
    assert isinstance(document, bytes) and document.startswith(b"%PDF")
    # The live database's figures: 30 min down x 1,200/h = 600.00.
    assert "€600.00" in pdf_text(document, tmp_path)
    with Store(world.db) as store:
        checked = store.get_meta(CHECKPOINT_KEY.format(name="monthly-review"))
    assert checked is not None and float(checked) == utc("2026-11-01T08:01:00Z")

    world.run("2026-11-01T09:00:00Z")  # a restart an hour later
    assert len(box.messages) == 1


def test_occurrences_missed_while_the_server_was_down_are_sent_at_the_next_start_once(
    world: World, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    world.run("2026-10-31T12:00:00Z")  # the first start records when it began
    assert box.messages == []
    # Down from 31 October to 2 December: day 1 at 08:00 passed twice (1 November, 1 December).
    # Each is a different month's review: both are sent, October's first. A schedule added while
    # the server was down starts from this start: nothing from before it existed is sent.
    world.write_config("  - {name: ceo, report: executive, day: 1, to: [ceo@example.org]}")
    world.run("2026-12-02T09:00:00Z")
    assert box.subjects == [
        "[bizmap] Service review, All business services, October 2026",
        "[bizmap] Service review, All business services, November 2026",
    ]
    world.run("2026-12-03T09:00:00Z")  # caught up once, not at every start
    assert len(box.messages) == 2


class Meta:
    """Checkpoints in memory (the server keeps them in its database's meta table)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get_meta(self, key: str) -> str | None:
        return self.values.get(key)

    def set_meta(self, key: str, value: str) -> None:
        self.values[key] = value


def flaky_scheduler(failures: int, meta: Meta, now: list[float]) -> tuple[ReportScheduler, list[float]]:
    """A scheduler whose SMTP server refuses the first ``failures`` deliveries; the times tried."""
    schedule = Schedule(name="r", report="review", to=["a@example.org"])
    config = ScheduleConfig.model_validate(
        {"smtp": {"host": "h", "from": "a@b"}, "schedules": [schedule.model_dump()]}
    )
    tried: list[float] = []

    def deliver(config: ScheduleConfig, items: Any, at: float) -> list[Delivery]:
        tried.append(at)
        if len(tried) <= failures:
            raise OSError("connection refused")
        return [Delivery(s.name, "2026-10", list(s.to)) for s, _ in items]

    scheduler = ReportScheduler(config, clock=lambda: now[0], deliver_fn=deliver, checkpoints=meta)
    scheduler.resume()
    return scheduler, tried


MINUTE = 60.0


def test_a_failed_delivery_is_tried_again_later_and_sent_once() -> None:
    """SMTP refuses twice: tried at 08:00:30, again 1 minute later, then 5 minutes after that,
    when it goes through; checks in between try nothing. The checkpoint stays before the
    occurrence until it is sent."""
    meta, now = Meta(), [utc("2026-11-01T07:00:00Z")]
    scheduler, tried = flaky_scheduler(2, meta, now)
    first = utc("2026-11-01T08:00:30Z")  # the occurrence: 08:00
    for offset, sent in [
        (0, 0),
        (30, 0),
        (MINUTE, 0),
        (MINUTE + 4 * MINUTE, 0),
        (6 * MINUTE, 1),
        (7 * MINUTE, 0),
    ]:
        now[0] = first + offset
        assert len(scheduler.check()) == sent, offset
    assert tried == [first, first + MINUTE, first + 6 * MINUTE]
    assert float(meta.values["reports.checked_until.r"]) == first + 7 * MINUTE


def test_a_restart_while_waiting_to_try_again_tries_at_once() -> None:
    meta, now = Meta(), [utc("2026-11-01T07:00:00Z")]
    scheduler, _ = flaky_scheduler(1, meta, now)
    now[0] = utc("2026-11-01T08:00:30Z")
    assert scheduler.check() == []
    assert float(meta.values["reports.checked_until.r"]) < utc("2026-11-01T08:00:00Z")  # still due
    restarted, tried = flaky_scheduler(0, meta, now)  # same checkpoints, SMTP back
    now[0] += 10
    assert [d.schedule for d in restarted.check()] == ["r"]
    assert tried == [now[0]]


def test_after_the_last_try_a_delivery_is_given_up(caplog: pytest.LogCaptureFixture) -> None:
    """Tries after 0, 1, 6, 21 minutes, 1 h 21, 4 h 21 and 10 h 21: seven in all, then no more."""
    meta, now = Meta(), [utc("2026-11-01T07:00:00Z")]
    scheduler, tried = flaky_scheduler(100, meta, now)
    start = utc("2026-11-01T08:00:30Z")
    now[0] = start
    while now[0] < start + 24 * 3600:
        scheduler.check()
        now[0] += 30
    expected = [0.0, 1, 6, 21, 81, 261, 621]
    assert [round((t - start) / MINUTE) for t in tried] == expected
    assert "given up" in caplog.text
    assert float(meta.values["reports.checked_until.r"]) > start + 621 * MINUTE


def test_a_bad_reports_config_stops_the_server_before_it_starts(world: World, tmp_path: Path) -> None:
    bad = write_text(
        tmp_path / "bad.yaml",
        """\
        smtp: {host: 127.0.0.1, from: bizmap@example.org}
        schedules:
          - name: weekly
            report: review
            every: week
            to: [ops@example.org]
        """,
    )
    result = run_cli("serve", world.model, "--db", world.db, "--reports", bad)
    assert result.exit_code == 1
    assert f"{bad}:5: error: schedules.0.every: Input should be 'month' or 'quarter'" in result.stderr

    unknown = write_text(
        tmp_path / "unknown.yaml",
        """\
        smtp: {host: 127.0.0.1, from: bizmap@example.org, password_env: BIZMAP_TEST_UNSET_PASSWORD}
        schedules:
          - {name: r, report: review, service: checkout, to: [ops@example.org]}
        """,
    )
    result = run_cli("serve", world.model, "--db", world.db, "--reports", unknown)
    assert result.exit_code == 1
    assert f"{unknown}:3: error: schedules.0.service: no business service 'checkout'" in result.stderr
    assert f"{unknown}:1: error: smtp.password_env: the environment variable" in result.stderr

    # The app itself refuses to start with the same message (for those who run create_app).
    app = create_app(Settings(model=str(world.model), db=world.db, reports=str(bad)))
    with pytest.raises(ScheduleConfigError) as refused, TestClient(app):
        pass
    assert f"{bad}:5: error: schedules.0.every" in refused.value.message


def test_the_config_file_can_come_from_the_environment(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "missing.yaml"
    monkeypatch.setenv("BIZMAP_REPORTS", str(missing))
    result = run_cli("serve", world.model, "--db", world.db)
    assert result.exit_code == 1 and f"{missing}: error: cannot read" in result.stderr


def test_schedule_names_must_be_unique(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "twice.yaml",
        """\
        smtp: {host: h, from: a@b}
        schedules:
          - {name: r, report: review, to: [a@b]}
          - {name: r, report: executive, to: [a@b]}
        """,
    )
    with pytest.raises(ScheduleConfigError) as caught:
        load_schedule_config(path)
    assert f"{path}:2: error: schedules: schedule names must be unique: r given twice" in caught.value.message
