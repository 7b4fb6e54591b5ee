"""Burn-rate alerts on the live server: evaluates ``bizmap.slo.burn_rate`` for every
business service with an SLA, and tells the notifier when an alert starts or stops firing.

It runs after each applied batch of events (a hook of the writer, at most once a second)
and once a minute between batches, since a service that stays down keeps burning without
any new event. Like the notifier it takes the present as its baseline at start-up: alerts
already firing then are not sent again (a restart does not page anyone twice). Without
``--notify`` the alerts are still evaluated, for ``GET /api/v1/slo``.

Each change is one notification of type ``slo.burn_rate`` (docs/slo.md), with ``subject`` and
``text`` for the e-mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

from bizmap.domain.calendar import format_time
from bizmap.domain.compile import ServiceFacts
from bizmap.slo.burn_rate import AlertState, BurnReport, burn_report, earliest_window_start

if TYPE_CHECKING:
    from bizmap.live.runtime import Live

log = logging.getLogger("bizmap.burn_alerts")

TICK_SECONDS = 60.0
MIN_INTERVAL_SECONDS = 15.0  # under a flood of batches, evaluate at most this often (its work
# grows with the events of the longest window, 3 days: not after every batch; the shortest window is 5 min)


def service_burn(server: Live, facts: ServiceFacts, now: float) -> BurnReport | None:
    """The burn rates of one service's SLA at ``now``, from the live engine's timeline."""
    sla = facts.sla
    if sla is None:
        return None
    engine = server.engine
    now = max(now, engine.now, engine.start + 1e-6)  # reading never moves the clock
    calendar = engine.calendar(facts.sla_calendar)
    since = earliest_window_start(sla, calendar, now, engine.start)
    segments = engine.timeline.segments(facts.index, now, since=since)
    return burn_report(sla, calendar, segments, now, engine.start)


def all_burns(server: Live, now: float) -> list[tuple[ServiceFacts, BurnReport]]:
    found = []
    for facts in server.graph.services:
        report = service_burn(server, facts, now)
        if report is not None:
            found.append((facts, report))
    return found


def _window(alert: AlertState, long: bool) -> dict[str, Any]:
    window = alert.long if long else alert.short
    return {"name": window.name, "burn_rate": round(window.burn_rate, 4)}


def alert_payload(server: Live, facts: ServiceFacts, alert: AlertState, at: float) -> dict[str, Any]:
    service = server.graph.ids[facts.index]
    name = server.graph.names[facts.index] or service
    sla = facts.sla
    assert sla is not None
    firing = alert.firing
    policy = alert.policy
    verb = "is burning its error budget too fast" if firing else "burns its error budget slowly enough again"
    subject = (
        f"[bizmap] {policy.severity.upper()}: {name} {verb}"
        if firing
        else f"[bizmap] {name}: {policy.name} resolved"
    )
    text = (
        f"The business service {name} ({service}) {verb} ({policy.name}, {policy.severity}).\n\n"
        f"Burn rate over {alert.long.name}: {alert.long.burn_rate:.1f}; over {alert.short.name}: "
        f"{alert.short.burn_rate:.1f}; the alert fires at {policy.threshold:g} over both.\n"
        f"SLA: {sla.target:g} % per {sla.period} on calendar {facts.sla_calendar}. A burn rate of 1 spends "
        f"exactly the period's budget.\n"
    )
    return {
        "type": "slo.burn_rate",
        "service": service,
        "name": server.graph.names[facts.index],
        "alert": policy.name,
        "severity": policy.severity,
        "state": "firing" if firing else "resolved",
        "at": format_time(at),
        "threshold": policy.threshold,
        "long_window": _window(alert, True),
        "short_window": _window(alert, False),
        "target": sla.target,
        "period": sla.period,
        "subject": subject,
        "text": text,
    }


class BurnAlerts:
    """Keeps which alerts fire, and queues a notification when that changes."""

    def __init__(
        self,
        server: Live,
        *,
        tick_seconds: float = TICK_SECONDS,
        min_interval_seconds: float = MIN_INTERVAL_SECONDS,
    ) -> None:
        self.server = server
        self.tick_seconds = tick_seconds
        self.min_interval_seconds = min_interval_seconds
        self.firing: dict[str, set[str]] = {}  # service id -> alerts firing
        self._last_check = float("-inf")
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.check(notify=False)  # the present is the baseline
        self._task = asyncio.get_running_loop().create_task(self._tick(), name="bizmap-burn-alerts")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def after_batch(self) -> None:
        if time.monotonic() - self._last_check < self.min_interval_seconds:
            return  # the tick will look soon
        try:
            self.check()
        except Exception:  # the events are stored already: never fail their request for this
            log.exception("evaluating burn-rate alerts failed")

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            try:
                self.check()
            except Exception:
                log.exception("evaluating burn-rate alerts failed")

    def check(self, notify: bool = True) -> list[dict[str, Any]]:
        """Evaluate now; queue (and return) a notification for every alert that changed."""
        self._last_check = time.monotonic()
        server = self.server
        now = server.clock()
        notifier = server.notifier
        changes = []
        for facts, report in all_burns(server, now):
            service = server.graph.ids[facts.index]
            firing = {a.policy.name for a in report.firing}
            before = self.firing.get(service)
            self.firing[service] = firing
            if before is None or not notify:  # a service new to the model: its baseline
                continue
            for alert in report.alerts:
                if (alert.policy.name in firing) != (alert.policy.name in before):
                    changes.append(alert_payload(server, facts, alert, report.now))
        if notifier is not None:
            for payload in changes:
                notifier.enqueue(payload)
        return changes
