"""Notifications: a webhook (JSON) and e-mail (SMTP) when a business service changes state or an
incident's cost passes a threshold set per service.

After each batch of events the writer calls ``Notifier.after_batch``, which only compares and
queues: the service states with the last ones notified, and the cost of each open incident with
the thresholds of its services. A separate task takes the queue and delivers, retrying each
destination with exponential backoff; ingestion never waits for a delivery. The queue is
bounded: when it is full the oldest notification is dropped (and a warning logged).

The config is a YAML file (``bizmap serve --notify FILE``), described in docs/notifications.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import smtplib
import ssl
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bizmap.domain.calendar import format_time
from bizmap.domain.states import State
from bizmap.errors import BizmapError
from bizmap.text import money_code

if TYPE_CHECKING:
    from bizmap.live.runtime import Live

log = logging.getLogger("bizmap.notifications")

QUEUE_SIZE = 10_000
WEBHOOK_TIMEOUT_SECONDS = 10.0
SMTP_TIMEOUT_SECONDS = 10.0
COST_CHECK_SECONDS = 30.0  # costs grow with time too: check the thresholds between batches as well


# -- config -------------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class WebhookConfig(_Strict):
    url: str
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value


class SmtpServer(_Strict):
    """How to reach an SMTP server (notifications and scheduled reports use the same keys)."""

    host: str
    port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    username: str | None = None
    password_env: str | None = None  # the NAME of an environment variable holding the password
    sender: str = Field(alias="from")


class EmailConfig(SmtpServer):
    to: list[str] = Field(min_length=1)


class RetryConfig(_Strict):
    attempts: int = Field(default=5, ge=1)
    first_delay_seconds: float = Field(default=1.0, gt=0)
    max_delay_seconds: float = Field(default=60.0, gt=0)

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first)."""
        return float(min(self.first_delay_seconds * 2**retry, self.max_delay_seconds))


class NotifyConfig(_Strict):
    webhooks: list[WebhookConfig] = Field(default_factory=list)
    email: EmailConfig | None = None
    cost_thresholds: dict[str, float] = Field(default_factory=dict)
    retry: RetryConfig = Field(default_factory=RetryConfig)

    @field_validator("cost_thresholds")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for service, amount in value.items():
            if amount <= 0:
                raise ValueError(f"the threshold of {service!r} must be more than 0")
        return value


class NotifyConfigError(BizmapError):
    """The notifications config is unreadable or invalid; the message names the file and key."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _where(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def load_config(path: str | Path) -> NotifyConfig:
    """Read and validate the config file; unknown keys are refused."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise NotifyConfigError(f"{path}: cannot read the notifications config: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise NotifyConfigError(f"{path}: not valid YAML: {error}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise NotifyConfigError(f"{path}: (top level): must be a mapping of settings")
    try:
        return NotifyConfig.model_validate(data)
    except ValidationError as error:
        problems = [f"{path}: {_where(e['loc'])}: {e['msg']}" for e in error.errors()]
        raise NotifyConfigError("\n".join(problems)) from None


# -- messages -----------------------------------------------------------------------------
def email_text(payload: dict[str, Any]) -> tuple[str, str]:
    """(subject, plain-text body) of a notification, for people."""
    if "subject" in payload and "text" in payload:  # other areas (SLO burn rates) word their own
        return payload["subject"], payload["text"]
    currency = payload.get("currency", "")
    if payload["type"] == "service.state":
        name = payload["name"] or payload["service"]
        broken = payload["to"] != "ok"
        subject = f"[bizmap] {name} is {payload['to'].upper()}" if broken else f"[bizmap] {name} is ok again"
        lines = [
            f"The business service {name} ({payload['service']}) went from {payload['from']} to "
            f"{payload['to']} at {payload['at']}.",
            "",
        ]
        if broken:
            causes = ", ".join(payload["root_causes"]) or "not known"
            lines += [
                f"What broke: {causes}",
                f"Cost now: {money_code(payload['cost_per_hour'], currency)} per hour",
                f"People affected: {payload['users_affected']}",
            ]
            if payload["safety_critical"]:
                lines.append("This service is SAFETY CRITICAL.")
        else:
            lines.append("It costs nothing any more.")
        return subject, "\n".join(lines) + "\n"
    subject = (
        f"[bizmap] Incident {payload['incident']} has cost {money_code(payload['cost'], currency)} "
        f"(threshold {money_code(payload['threshold'], currency)})"
    )
    body = (
        f"Incident {payload['incident']} has cost {money_code(payload['cost'], currency)} so far "
        f"(at {payload['at']}), passing the threshold of {money_code(payload['threshold'], currency)}.\n\n"
        f"Business services in it: {', '.join(payload['services'])}\n"
    )
    return subject, body


# -- the notifier -------------------------------------------------------------------------
class Notifier:
    """Compares after each batch, queues, and delivers in its own task with retries."""

    def __init__(
        self,
        config: NotifyConfig,
        server: Live,
        *,
        queue_size: int = QUEUE_SIZE,
        cost_check_seconds: float = COST_CHECK_SECONDS,
    ) -> None:
        self.config = config
        self.server = server
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=queue_size)
        self.cost_check_seconds = cost_check_seconds
        # Counters (for /metrics): deliveries sent, given up after every attempt, retried;
        # notifications dropped because the queue was full.
        self.sent = 0
        self.failed = 0
        self.retried = 0
        self.dropped = 0
        self._states: dict[str, int] = {}  # service id -> state last notified (or seen at start)
        self._passed: dict[str, float] = {}  # incident id -> highest threshold notified
        self._password: str | None = None
        self._client: httpx.AsyncClient | None = None
        self._tasks: list[asyncio.Task[None]] = []

    # start and stop ----------------------------------------------------------------------
    def check_config(self, source: str) -> None:
        """Refuse thresholds of unknown services and a missing password variable."""
        graph = self.server.graph
        problems = []
        for service in self.config.cost_thresholds:
            index = graph.index.get(service)
            if index is None or not graph.is_service[index]:
                problems.append(f"{source}: cost_thresholds.{service}: no business service {service!r}")
        email = self.config.email
        if email is not None and email.password_env is not None:
            self._password = os.environ.get(email.password_env)
            if self._password is None:
                problems.append(
                    f"{source}: email.password_env: the environment variable {email.password_env} is not set"
                )
        if problems:
            raise NotifyConfigError("\n".join(problems))

    def start(self) -> None:
        """Take the present as the baseline (nothing is sent for it) and start delivering."""
        self._baseline()
        self._client = httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_SECONDS)
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._deliver_all(), name="bizmap-notify-sender")]
        if self.config.cost_thresholds:
            self._tasks.append(loop.create_task(self._tick(), name="bizmap-notify-costs"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _baseline(self) -> None:
        engine = self.server.engine
        for facts in self.server.graph.services:
            self._states[self.server.graph.ids[facts.index]] = engine.timeline.history[facts.index][-1].state
        now = self.server.clock()
        for incident in engine.incidents.open_incidents():
            passed = self._passed_threshold(incident.services, engine.incident_cost(incident, now))
            if passed is not None:
                self._passed[incident.id] = passed

    # comparing (runs in the writer, after each batch: no waiting here) -------------------
    async def after_batch(self) -> None:
        try:
            self.check()
        except Exception:  # the events are stored already: never fail their request for this
            log.exception("checking for notifications failed")

    def check(self) -> None:
        self._check_states()
        self._check_costs()

    def _check_states(self) -> None:
        server = self.server
        graph, engine = server.graph, server.engine
        now = server.clock()
        for facts in graph.services:
            service = graph.ids[facts.index]
            point = engine.timeline.history[facts.index][-1]
            before = self._states.get(service)
            self._states[service] = point.state
            if before is None or before == point.state:  # a service new to the model: its baseline
                continue
            # Just after the change: service_now at the very instant of a change still reports the
            # state before it (its segments end there, exclusive).
            current = engine.service_now(facts, max(now, point.time) + 0.001)
            self.enqueue(
                {
                    "type": "service.state",
                    "service": service,
                    "name": current.name,
                    "from": State(before).label,
                    "to": State(point.state).label,
                    "at": format_time(point.time),
                    "root_causes": list(current.root_causes),
                    "cost_per_hour": round(current.cost_per_hour, 2),
                    "users_affected": current.users_affected,
                    "safety_critical": current.safety_critical,
                    "currency": graph.currency,
                }
            )

    def _check_costs(self) -> None:
        if not self.config.cost_thresholds:
            return
        server = self.server
        engine = server.engine
        now = server.clock()
        for incident in engine.incidents.open_incidents():
            if not any(s in self.config.cost_thresholds for s in incident.services):
                continue
            cost = engine.incident_cost(incident, now)
            passed = self._passed_threshold(incident.services, cost)
            if passed is None or passed <= self._passed.get(incident.id, 0.0):
                continue
            self._passed[incident.id] = passed
            self.enqueue(
                {
                    "type": "incident.cost",
                    "incident": incident.id,
                    "services": list(incident.services),
                    "cost": round(cost, 2),
                    "threshold": passed,
                    "currency": server.graph.currency,
                    "at": format_time(max(now, engine.now)),
                }
            )

    def _passed_threshold(self, services: list[str], cost: float) -> float | None:
        """The highest threshold of ``services`` that ``cost`` has reached, if any."""
        thresholds = self.config.cost_thresholds
        passed = [thresholds[s] for s in services if s in thresholds and cost >= thresholds[s]]
        return max(passed) if passed else None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.cost_check_seconds)
            try:
                self._check_costs()
            except Exception:
                log.exception("checking incident costs failed")

    def enqueue(self, payload: dict[str, Any]) -> None:
        """Queue without waiting; when the queue is full, drop the oldest."""
        try:
            self.queue.put_nowait(payload)
        except asyncio.QueueFull:
            oldest = self.queue.get_nowait()
            self.dropped += 1
            log.warning(
                "notification queue full (%d): dropped the oldest, %s", self.queue.maxsize, oldest.get("type")
            )
            self.queue.put_nowait(payload)

    # delivering ----------------------------------------------------------------------------
    async def _deliver_all(self) -> None:
        while True:
            payload = await self.queue.get()
            sends: list[tuple[str, Callable[[], Awaitable[None]]]] = [
                (hook.url, functools.partial(self._post, hook, payload)) for hook in self.config.webhooks
            ]
            if self.config.email is not None:
                sends.append(("e-mail", functools.partial(self._mail, payload)))
            await asyncio.gather(*(self._with_retries(name, send, payload) for name, send in sends))

    async def _with_retries(
        self, destination: str, send: Callable[[], Awaitable[None]], payload: dict[str, Any]
    ) -> None:
        retry = self.config.retry
        for attempt in range(retry.attempts):
            try:
                await send()
            except Exception as error:
                if attempt + 1 >= retry.attempts:
                    self.failed += 1
                    log.error(
                        "notification %s to %s dropped after %d attempts: %s",
                        payload["type"],
                        destination,
                        retry.attempts,
                        error,
                    )
                    return
                self.retried += 1
                delay = retry.delay(attempt)
                log.warning("notification to %s failed (%s); retrying in %.1f s", destination, error, delay)
                await asyncio.sleep(delay)
            else:
                self.sent += 1
                return

    async def _post(self, hook: WebhookConfig, payload: dict[str, Any]) -> None:
        assert self._client is not None, "the notifier is not started"
        headers = {"content-type": "application/json", **hook.headers}
        response = await self._client.post(hook.url, content=orjson.dumps(payload), headers=headers)
        response.raise_for_status()

    async def _mail(self, payload: dict[str, Any]) -> None:
        email = self.config.email
        assert email is not None
        subject, body = email_text(payload)
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = email.sender
        message["To"] = ", ".join(email.to)
        message.set_content(body)
        await asyncio.to_thread(_send_mail, email, self._password, message)


def _send_mail(email: EmailConfig, password: str | None, message: EmailMessage) -> None:
    with smtplib.SMTP(email.host, email.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if email.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if email.username is not None:
            smtp.login(email.username, password or "")
        smtp.send_message(message)


async def start_notifier(server: Live) -> Notifier | None:
    """With ``--notify FILE``, a started notifier for ``server`` (``None`` without); the runtime
    runs its ``after_batch`` after the incidents are brought up to date."""
    if not server.settings.notify:
        return None
    config = await asyncio.to_thread(load_config, server.settings.notify)
    notifier = Notifier(config, server)
    notifier.check_config(server.settings.notify)
    notifier.start()
    return notifier
