"""Scheduled delivery: what is due when (a fake clock), and a real SMTP server receiving a report."""

from __future__ import annotations

import socket
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bizmap.reports.schedule import (
    Delivery,
    ReportScheduler,
    Schedule,
    ScheduleConfig,
    ScheduleConfigError,
    due,
    load_schedule_config,
    period_for,
    send_now,
)
from helpers import run_cli, utc, write_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MONTHLY = Schedule(
    name="monthly-review", report="review", every="month", day=1, at="08:00",
    timezone="Europe/London", to=["cio@example.org"],
)  # fmt: skip


def test_a_monthly_schedule_is_due_on_day_1_at_08_00_london_time() -> None:
    # 1 November 2026 08:00 in London is GMT (clocks went back on 25 October): 08:00Z.
    # 1 October 2026 08:00 is BST: 07:00Z.
    assert due([MONTHLY], utc("2026-11-01T07:59:00Z"), utc("2026-11-01T08:00:00Z")) == [
        (MONTHLY, utc("2026-11-01T08:00:00Z"))
    ]
    assert due([MONTHLY], utc("2026-11-01T08:00:00Z"), utc("2026-11-30T23:00:00Z")) == []  # once
    assert [at for _, at in due([MONTHLY], utc("2026-09-15T00:00:00Z"), utc("2026-11-15T00:00:00Z"))] == [
        utc("2026-10-01T07:00:00Z"),
        utc("2026-11-01T08:00:00Z"),
    ]
    # The review sent on 1 November covers October.
    assert period_for(MONTHLY, utc("2026-11-01T08:00:00Z")).code == "2026-10"


def test_a_quarterly_schedule_on_day_31_falls_on_the_last_day_of_a_short_month() -> None:
    quarterly = MONTHLY.model_copy(update={"every": "quarter", "day": 31, "timezone": "UTC"})
    # Quarters start in January, April, July, October; April has 30 days.
    found = [at for _, at in due([quarterly], utc("2027-01-01T00:00:00Z"), utc("2027-07-31T12:00:00Z"))]
    assert found == [utc("2027-01-31T08:00:00Z"), utc("2027-04-30T08:00:00Z"), utc("2027-07-31T08:00:00Z")]
    assert period_for(quarterly, utc("2027-04-30T08:00:00Z")).code == "2027-Q1"


def test_the_scheduler_sends_what_fell_due_between_checks() -> None:
    now = [utc("2026-11-01T07:59:30Z")]
    sent: list[list[tuple[str, float]]] = []

    def fake_deliver(config: ScheduleConfig, items: Any, at: float) -> list[Delivery]:
        sent.append([(s.name, occurrence) for s, occurrence in items])
        return [Delivery(s.name, period_for(s, o).code, s.to) for s, o in items]

    config = ScheduleConfig.model_validate(
        {"source": {"model": "m", "replay": "e"}, "smtp": {"host": "h", "from": "a@b"},
         "schedules": [MONTHLY.model_dump()]}
    )  # fmt: skip
    scheduler = ReportScheduler(config, clock=lambda: now[0], deliver_fn=fake_deliver)
    assert scheduler.check() == []
    now[0] = utc("2026-11-01T08:00:30Z")
    assert [d.period for d in scheduler.check()] == ["2026-10"]
    now[0] = utc("2026-11-01T08:01:00Z")
    assert scheduler.check() == []  # not twice
    assert sent == [[("monthly-review", utc("2026-11-01T08:00:00Z"))]]  # one call an occurrence


def test_a_bad_config_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "reports.yaml",
        """\
        source: {model: m, replay: e}
        smtp: {host: h, from: a@b}
        schedules:
          - {name: x, report: review, at: "8 o'clock", timezone: Mars/Base, to: [a@b]}
        """,
    )
    with pytest.raises(ScheduleConfigError) as caught:
        load_schedule_config(path)
    assert f"{path}:4: error: schedules.0.at: must be a time of day" in caught.value.message  # line 4
    assert "unknown timezone 'Mars/Base'" in caught.value.message
    result = run_cli("report", "send", "--config", path, "--now")
    assert result.exit_code == 1 and "schedules.0.at" in result.stderr


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_send_now_mails_the_executive_summary_to_a_real_smtp_server(tmp_path: Path) -> None:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = ScheduleConfig.model_validate(
            {
                "source": {
                    "model": str(EXAMPLES / "retailer"),
                    "replay": str(EXAMPLES / "retailer/events.jsonl"),
                },
                "smtp": {"host": "127.0.0.1", "port": port, "from": "bizmap@example.org"},
                "schedules": [
                    {"name": "ceo", "report": "executive", "to": ["ceo@example.org"], "format": "pdf"},
                    {"name": "ops", "report": "review", "to": ["ops@example.org"], "format": "html"},
                ],
            }
        )
        lines = send_now(config, utc("2026-11-03T09:00:00Z"), only="ceo")
    finally:
        controller.stop()
    assert lines == ["sent ceo (2026-10) to ceo@example.org"]
    [raw] = mailbox.messages
    message = message_from_bytes(raw)
    assert message["Subject"] == "[bizmap] Executive summary, October 2026"
    assert message["To"] == "ceo@example.org"
    parts = list(message.walk())
    body = next(p for p in parts if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert b"# Executive summary: October 2026" in body  # type: ignore[operator]
    attachment = next(p for p in parts if p.get_content_type() == "application/pdf")
    assert attachment.get_filename() == "executive-2026-10.pdf"
    assert attachment.get_payload(decode=True).startswith(b"%PDF")  # type: ignore[union-attr]
