#!/usr/bin/env python3
"""Write a month of monitoring events for the two example models.

    python examples/make_events.py

writes ``examples/hospital/events.jsonl`` and ``examples/retailer/events.jsonl``: one native
bizmap event per line (semantics §6), sorted by time, covering October 2026 (UTC).

Each file holds three kinds of event:

* **incidents**, written out by hand below with their times and a short story each;
* **noise**: short warnings on redundant or unimportant components (which must never
  reach a business service), sent with their own ``key`` so they never clear an incident;
* **heartbeats**: ``ok`` every few hours from every monitored component, skipped while that
  component has an incident open (an ``ok`` would clear the incident's signal).

Plus a few events whose labels match no node (they must be reported as unmatched) and a
couple of retries that repeat an earlier event's ``id``.

Standard library only; the output depends only on the seeds below, so it is reproducible.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
HERE = Path(__file__).resolve().parent

NAGIOS_CODES = {"ok": 0, "degraded": 1, "down": 2, "unknown": 3}
STATUSPAGE_WORDS = {"ok": "up", "degraded": "warning", "down": "critical", "unknown": "unknown"}


def at(text: str) -> datetime:
    """``"2026-10-02T09:12:41"`` (UTC) -> aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- how each monitored node is addressed -----------------------------------------------

@dataclass(frozen=True)
class Address:
    """How a monitoring tool names a node: by its labels, or by its id (Nagios-style)."""

    source: str
    labels: dict[str, str] | None = None  # None: the event carries ``node`` instead

    def state(self, state: str) -> str | int:
        if self.source == "nagios":
            return NAGIOS_CODES[state]
        if self.source in ("statuspage", "m365-health"):
            return STATUSPAGE_WORDS[state]
        return state


def prom(**labels: str) -> Address:
    return Address("prometheus", dict(labels))


def nagios() -> Address:
    return Address("nagios")


# --- one event stream -------------------------------------------------------------------

@dataclass
class Step:
    """One incident event. ``labels`` given: sent with those labels (and no ``node``)."""

    time: datetime
    node: str | None
    state: str
    key: str | None = None
    summary: str | None = None
    labels: dict[str, str] | None = None
    source: str | None = None
    via_node: bool = False  # send as ``node`` even when the node has labels
    duplicate: bool = False  # also send a retry with the same id


@dataclass
class Stream:
    name: str
    seed: int
    addresses: dict[str, Address]
    rng: random.Random = field(init=False)
    events: list[tuple[datetime, int, dict]] = field(default_factory=list)
    busy: dict[str, list[tuple[datetime, datetime]]] = field(default_factory=lambda: defaultdict(list))
    ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    # ids look like Alertmanager/collector UUIDs; Nagios sends none
    def new_id(self) -> str:
        while True:
            value = f"{self.rng.getrandbits(128):032x}"
            ident = f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
            if ident not in self.ids:
                self.ids.add(ident)
                return ident

    def add(self, time: datetime, event: dict) -> None:
        assert START <= time < END, (self.name, time, event)
        self.events.append((time, len(self.events), event))

    def emit(self, step: Step) -> None:
        event: dict = {"time": rfc3339(step.time)}
        if step.labels is not None:
            source = step.source or "prometheus"
            event["labels"] = dict(step.labels)
            state: str | int = Address(source).state(step.state)
        else:
            assert step.node is not None
            address = self.addresses.get(step.node, nagios())
            if step.via_node or address.labels is None:
                address = Address(step.source or "nagios")
                event["node"] = step.node
            else:
                event["labels"] = dict(address.labels)
            source = step.source or address.source
            state = address.state(step.state)
        event["state"] = state
        if step.key:
            event["key"] = step.key
        if step.summary:
            event["summary"] = step.summary
        event["source"] = source
        if source != "nagios":
            event["id"] = self.new_id()
        self.add(step.time, event)
        if step.duplicate:
            assert "id" in event, "a retry needs an id"
            self.add(step.time, dict(event))  # an at-least-once sender delivered it twice

    # --- incidents
    def incident(self, steps: list[Step]) -> None:
        for step in steps:
            self.emit(step)
        # a node is busy from its first non-ok signal until all its keys are ok again
        active: dict[str, dict[str, str]] = defaultdict(dict)
        opened: dict[str, datetime] = {}
        for step in sorted(steps, key=lambda s: s.time):
            if step.node is None:
                continue
            signals = active[step.node]
            key = step.key or "default"
            if step.state == "ok":
                signals.pop(key, None)
                if not signals and step.node in opened:
                    self.busy[step.node].append((opened.pop(step.node), step.time))
            else:
                signals[key] = step.state
                opened.setdefault(step.node, step.time)
        for node, since in opened.items():
            self.busy[node].append((since, END))

    def is_busy(self, nodes: list[str], start: datetime, end: datetime,
                margin: timedelta = timedelta(minutes=30)) -> bool:
        return any(
            s - margin < end and start < e + margin
            for node in nodes
            for s, e in self.busy.get(node, [])
        )

    # --- noise: short warnings on components that cannot hurt a business service
    def noise(self, node: str, key: str, mean_gap_hours: float, minutes: tuple[int, int],
              summary: str, blocked_by: list[str], state: str = "degraded",
              extra: dict[str, str] | None = None) -> None:
        address = self.addresses[node]
        t = START + timedelta(hours=self.rng.expovariate(1 / mean_gap_hours))
        while True:
            duration = timedelta(minutes=self.rng.randint(*minutes), seconds=self.rng.randint(0, 59))
            if t + duration >= END:
                break
            if not self.is_busy([node, *blocked_by], t, t + duration):
                labels = {**address.labels, **(extra or {})} if address.labels else None
                for moment, value in ((t, state), (t + duration, "ok")):
                    self.emit(Step(moment, node, value, key=key,
                                   summary=summary if value != "ok" else None,
                                   labels=labels, source=address.source))
            t += duration + timedelta(hours=self.rng.expovariate(1 / mean_gap_hours))

    # --- heartbeats: every monitored component says ok every few hours
    def heartbeats(self, every_hours: float) -> None:
        period = timedelta(hours=every_hours)
        for node, address in sorted(self.addresses.items()):
            t = START + timedelta(seconds=self.rng.uniform(0, period.total_seconds()))
            while t < END:
                jitter = timedelta(seconds=self.rng.randint(-600, 600))
                moment = min(max(t + jitter, START), END - timedelta(seconds=1))
                if not self.is_busy([node], moment, moment):
                    self.emit(Step(moment, node, "ok", labels=address.labels, source=address.source)
                              if address.labels else Step(moment, node, "ok"))
                t += period

    def write(self, path: Path) -> int:
        self.events.sort(key=lambda item: (item[0], item[1]))
        with path.open("w", encoding="utf-8", newline="\n") as out:
            for _, _, event in self.events:
                out.write(json.dumps(event, separators=(", ", ": ")) + "\n")
        return len(self.events)


def steps(*rows: tuple) -> list[Step]:
    """Rows of (time, node, state[, key[, summary]]) plus keyword dicts for the rest."""
    out = []
    for row in rows:
        options = row[-1] if isinstance(row[-1], dict) else {}
        values = row[:-1] if options else row
        time, node, state, *rest = values
        key = rest[0] if len(rest) > 0 else None
        summary = rest[1] if len(rest) > 1 else None
        out.append(Step(at(time), node, state, key, summary, **options))
    return out


# =========================================================================================
# Hospital trust (GBP, Europe/London)
# =========================================================================================

HOSPITAL_ADDRESSES = {
    "core-sw-1": prom(job="snmp", target="core-sw-1"),
    "core-sw-2": prom(job="snmp", target="core-sw-2"),
    "dist-sw-north": prom(job="snmp", target="dist-sw-north"),
    "dist-sw-south": prom(job="snmp", target="dist-sw-south"),
    "dist-sw-east": prom(job="snmp", target="dist-sw-east"),
    "wifi-controller": prom(job="snmp", target="wlc-1"),
    "gp-wan-link-a": prom(job="snmp", target="gp-wan-a"),
    "gp-wan-link-b": prom(job="snmp", target="gp-wan-b"),
    "hscn-link-1": prom(job="snmp", target="hscn-1"),
    "hscn-link-2": prom(job="snmp", target="hscn-2"),
    "fw-edge-1": prom(job="snmp", target="fw-edge-1"),
    "fw-edge-2": prom(job="snmp", target="fw-edge-2"),
    "dc-01": prom(job="node", instance="dc-01:9182"),
    "dc-02": prom(job="node", instance="dc-02:9182"),
    "dns-core": prom(job="blackbox", module="dns", instance="10.10.0.53"),
    "entra-connect": prom(job="node", instance="aadc-01:9182"),
    "m365-exchange": Address("m365-health", {"source_system": "m365-health", "workload": "Exchange"}),
    "esx-01": prom(job="vmware", host="esx-01"),
    "esx-02": prom(job="vmware", host="esx-02"),
    "esx-03": prom(job="vmware", host="esx-03"),
    "esx-04": prom(job="vmware", host="esx-04"),
    "san-a": prom(job="storage", array="san-a"),
    "san-b": prom(job="storage", array="san-b"),
    "epr-lb-1": prom(job="snmp", target="epr-lb-1"),
    "epr-lb-2": prom(job="snmp", target="epr-lb-2"),
    "epr-app-1": prom(job="node", instance="epr-app-1:9100"),
    "epr-app-2": prom(job="node", instance="epr-app-2:9100"),
    "epr-app-3": prom(job="node", instance="epr-app-3:9100"),
    "epr-db-1": prom(job="mssql", instance="epr-db-1:4000"),
    "epr-db-2": prom(job="mssql", instance="epr-db-2:4000"),
    "epr-reporting": prom(job="mssql", instance="epr-rpt-1:4000"),
    "epma-app-1": prom(job="node", instance="epma-app-1:9100"),
    "epma-app-2": prom(job="node", instance="epma-app-2:9100"),
    "epma-db": prom(job="mssql", instance="epma-sql:4000"),
    "integration-engine": prom(job="node", instance="tie-01:9100"),
    "drug-knowledge-base": prom(job="blackbox", instance="https://api.drugdb.example/v2/health"),
    "pacs-app-1": prom(job="node", instance="pacs-app-1:9100"),
    "pacs-app-2": prom(job="node", instance="pacs-app-2:9100"),
    "pacs-db": prom(job="postgres", instance="pacs-db:9187"),
    "pacs-archive": nagios(),  # the archive's vendor agent reports through Nagios
    "booking-web-1": prom(job="node", instance="book-web-1:9100"),
    "booking-web-2": prom(job="node", instance="book-web-2:9100"),
    "booking-web-3": prom(job="node", instance="book-web-3:9100"),
    "booking-api": prom(job="node", instance="book-api-1:9100"),
    "sms-gateway": prom(job="blackbox", instance="https://sms.example-gateway.co.uk/status"),
    "patient-records": prom(job="blackbox", instance="https://epr.trust.nhs.uk/login"),
    "outpatient-booking": prom(job="blackbox", instance="https://book.trust.nhs.uk/"),
}


def hospital() -> Stream:
    s = Stream("hospital", seed=20261001, addresses=HOSPITAL_ADDRESSES)

    # H1 Fri 2 Oct, 10:12 BST: one EPR application server hangs; two of three carry on.
    s.incident(steps(
        ("2026-10-02T09:12:41", "epr-app-2", "down", None,
         "epr-app-2 unreachable: VM hung after backup snapshot", {"via_node": True}),
        ("2026-10-02T10:05:13", "epr-app-2", "ok", None, "VM restarted", {"via_node": True}),
    ))
    # H2 Mon 5 Oct: a disk fails in the PACS archive; the rebuild makes image retrieval slow.
    s.incident(steps(
        ("2026-10-05T14:20:05", "pacs-archive", "degraded", "disk", "Disk 14 failed in shelf 2"),
        ("2026-10-05T14:25:30", "pacs-archive", "degraded", "raid",
         "RAID-6 group 3 rebuilding: image retrieval slow"),
        ("2026-10-05T16:10:00", "pacs-archive", "ok", "disk", "Disk 14 replaced"),
        ("2026-10-05T19:45:12", "pacs-archive", "ok", "raid", "Rebuild complete"),
    ))
    # H3 Wed 7 Oct, 03:10 BST: HSCN link 1 down at night; link 2 carries the traffic.
    s.incident(steps(
        ("2026-10-07T02:10:20", "hscn-link-1", "down", None, "HSCN link 1 down: carrier fault"),
        ("2026-10-07T04:40:02", "hscn-link-1", "ok"),
    ))
    # H4 Thu 8 Oct: EPR database server 1 fills its log disk; the AG fails over cleanly.
    s.incident(steps(
        ("2026-10-08T10:00:00", "epr-db-1", "degraded", "cpu", "CPU above 90% for 10 minutes",
         {"labels": {"job": "node", "instance": "epr-db-1:9100", "alertname": "HostHighCpu"}}),
        ("2026-10-08T10:20:00", "epr-db-1", "degraded", "disk", "Transaction log disk 90% full",
         {"labels": {"job": "mssql", "instance": "epr-db-1:4000", "alertname": "MSSQLLogDiskFilling"}}),
        ("2026-10-08T10:45:00", "epr-db-1", "down", "disk",
         "Log disk full: availability group failed over to epr-db-2",
         {"labels": {"job": "mssql", "instance": "epr-db-1:4000", "alertname": "MSSQLLogDiskFilling"}}),
        ("2026-10-08T11:00:00", "epr-db-1", "ok", "cpu", None,
         {"labels": {"job": "node", "instance": "epr-db-1:9100", "alertname": "HostHighCpu"}}),
        ("2026-10-08T12:30:00", "epr-db-1", "ok", "disk", "Log backup ran, disk extended",
         {"labels": {"job": "mssql", "instance": "epr-db-1:4000", "alertname": "MSSQLLogDiskFilling"}}),
    ))
    # H5 Sun 11 Oct, maintenance mw-2026-10-11-epr-db (00:00-04:00Z): patch, fail over, patch.
    s.incident(steps(
        ("2026-10-11T00:10:00", "epr-db-2", "down", "patching", "Secondary stopped for patching"),
        ("2026-10-11T00:55:00", "epr-db-2", "ok", "patching", "Secondary patched and synchronised"),
        ("2026-10-11T01:05:00", "epr-db-1", "down", "patching", "Primary stopped: manual failover"),
        ("2026-10-11T01:05:00", "epr-db-2", "down", "failover", "Failover: databases recovering"),
        ("2026-10-11T01:17:00", "epr-db-2", "ok", "failover", "epr-db-2 is primary"),
        ("2026-10-11T01:50:00", "epr-db-1", "ok", "patching", "epr-db-1 patched, now secondary"),
    ))
    # H6 Tue 13 Oct, 12:02 BST: the integration engine (no standby) backs up; ePMA goes blind.
    s.incident(steps(
        ("2026-10-13T11:02:10", "integration-engine", "degraded", "cpu", "CPU above 90%",
         {"labels": {"job": "node", "instance": "tie-01:9100", "alertname": "HostHighCpu"}}),
        ("2026-10-13T11:30:40", "integration-engine", "down", "queue",
         "HL7 outbound queue above 5,000 messages: ePMA receives no admissions or results",
         {"labels": {"alertname": "RhapsodyQueueBacklog", "instance": "tie-01", "severity": "critical"}}),
        ("2026-10-13T12:10:00", "integration-engine", "ok", "cpu", None,
         {"labels": {"job": "node", "instance": "tie-01:9100", "alertname": "HostHighCpu"}}),
        ("2026-10-13T12:55:20", "integration-engine", "ok", "queue", "Queue drained after restart",
         {"labels": {"alertname": "RhapsodyQueueBacklog", "instance": "tie-01", "severity": "critical"}}),
    ))
    # H7 Wed 14 Oct, 16:30 BST: two of three booking containers crash; booking is down.
    s.incident(steps(
        ("2026-10-14T15:30:05", "booking-web-1", "down", None, "Container OOM-killed, restart loop"),
        ("2026-10-14T15:42:30", "booking-web-3", "down", None, "Container OOM-killed, restart loop",
         {"duplicate": True}),
        ("2026-10-14T16:20:00", "booking-web-3", "ok", None, "Memory limit raised, container healthy"),
        ("2026-10-14T16:25:10", "booking-web-1", "ok"),
    ))
    # H8 Fri 16 Oct, 23:40 BST: the single core DNS appliance hangs; every service is down.
    s.incident(steps(
        ("2026-10-16T22:40:00", "dns-core", "down", None, "DNS queries to 10.10.0.53 time out",
         {"duplicate": True}),
        ("2026-10-16T22:41:10", "dns-core", "down", "appliance", "Appliance not answering SNMP",
         {"labels": {"job": "snmp", "target": "dns-core"}}),
        ("2026-10-16T23:20:00", "dns-core", "ok", "appliance", "Appliance power-cycled by on-call engineer",
         {"labels": {"job": "snmp", "target": "dns-core"}}),
        ("2026-10-16T23:25:30", "dns-core", "ok", None, "DNS answering again"),
    ))
    # H9 Mon 19 Oct, 09:05 BST: Microsoft 365 incident, mail delayed all morning.
    s.incident(steps(
        ("2026-10-19T08:05:00", "m365-exchange", "degraded", None,
         "EX1187342: users may experience delays sending and receiving mail"),
        ("2026-10-19T12:30:00", "m365-exchange", "ok", None, "EX1187342 resolved"),
    ))
    # H10 Wed 21 Oct, morning: both GP WAN carriers fail in turn; GPs lose the EPR.
    s.incident(steps(
        ("2026-10-21T07:50:12", "gp-wan-link-a", "down", None, "GP WAN link A down: BT fault ref 4471"),
        ("2026-10-21T08:10:45", "gp-wan-link-b", "down", None, "GP WAN link B down: fibre damaged"),
        ("2026-10-21T09:35:00", "gp-wan-link-b", "ok"),
        ("2026-10-21T11:00:30", "gp-wan-link-a", "ok"),
    ))
    # H11 Fri 23 Oct: a VMware host crashes; HA restarts its VMs on the other hosts.
    s.incident(steps(
        ("2026-10-23T09:00:00", "esx-03", "down", None, "Host esx-03 purple screen; HA restarted 31 VMs"),
        ("2026-10-23T09:40:00", "esx-04", "degraded", "memory", "Memory usage 94% after HA restarts"),
        ("2026-10-23T10:30:00", "esx-04", "ok", "memory"),
        ("2026-10-23T11:30:00", "esx-03", "ok", None, "DIMM replaced, host back in cluster"),
    ))
    # H12 Sun 25 Oct, maintenance mw-2026-10-25-pacs (00:00-03:00Z, across the clock change);
    #     the upgrade overruns: images are back only at 03:41Z, 41 minutes after the window.
    s.incident(steps(
        ("2026-10-25T00:20:00", "pacs-db", "down", "upgrade", "PACS database stopped for schema upgrade"),
        ("2026-10-25T00:25:00", "pacs-app-1", "down", "upgrade", "PACS application stopped"),
        ("2026-10-25T00:25:30", "pacs-app-2", "down", "upgrade", "PACS application stopped"),
        ("2026-10-25T02:10:00", "pacs-db", "ok", "upgrade", "Schema upgrade finished"),
        ("2026-10-25T03:02:00", "imaging", "down", "retrieval", "Study retrieval failing after upgrade",
         {"labels": {"alertname": "PACSStudyRetrievalFailing", "service": "pacs", "severity": "critical"}}),
        ("2026-10-25T03:40:00", "pacs-app-1", "ok", "upgrade", "Application back after config fix"),
        ("2026-10-25T03:41:00", "imaging", "ok", "retrieval", None,
         {"labels": {"alertname": "PACSStudyRetrievalFailing", "service": "pacs", "severity": "critical"}}),
        ("2026-10-25T03:55:00", "pacs-app-2", "ok", "upgrade"),
    ))
    # H13 Sun 25 Oct, the clock change itself (02:00 BST -> 01:00 GMT): two ward switches
    #     reboot on a firmware time bug; the ward network drops below 60% of the beds.
    s.incident(steps(
        ("2026-10-25T00:58:40", "dist-sw-north", "degraded", "stp", "Spanning-tree topology changes"),
        ("2026-10-25T01:00:30", "dist-sw-north", "down", None, "Switch rebooted (firmware clock bug)"),
        ("2026-10-25T01:00:50", "dist-sw-east", "down", None, "Switch rebooted (firmware clock bug)"),
        ("2026-10-25T01:24:00", "dist-sw-east", "ok"),
        ("2026-10-25T01:55:00", "dist-sw-north", "ok"),
        ("2026-10-25T01:56:10", "dist-sw-north", "ok", "stp"),
    ))
    # H14 Mon 26 Oct, 09:10 GMT: the synthetic login check on the EPR itself turns slow.
    s.incident(steps(
        ("2026-10-26T09:10:00", "patient-records", "degraded", None, "EPR login takes 14 s (threshold 5 s)"),
        ("2026-10-26T09:40:00", "patient-records", "ok", None, "Login back under 2 s"),
    ))
    # H15 Tue 27 Oct, 13:00 GMT: the drug knowledge base (SaaS) is down: no interaction checks.
    s.incident(steps(
        ("2026-10-27T13:00:00", "drug-knowledge-base", "down", None, "Supplier API returns HTTP 503"),
        ("2026-10-27T14:10:00", "drug-knowledge-base", "ok"),
    ))
    # H16 Thu 29 Oct, 02:15 GMT: one EPR load balancer reboots at night; its partner takes over.
    s.incident(steps(
        ("2026-10-29T02:15:00", "epr-lb-1", "down", None, "Load balancer rebooted unexpectedly"),
        ("2026-10-29T02:40:00", "epr-lb-1", "ok"),
    ))
    # H17 Fri 9 Oct, 17:45 BST: a firewall power supply dies; its partner struggles with the load.
    s.incident(steps(
        ("2026-10-09T16:45:00", "fw-edge-1", "down", None, "fw-edge-1 power supply failed; HA failover"),
        ("2026-10-09T16:50:00", "fw-edge-2", "degraded", "cpu", "CPU 95% after failover (IPS)"),
        ("2026-10-09T17:20:00", "fw-edge-2", "ok", "cpu", "IPS profile relaxed"),
        ("2026-10-10T09:30:00", "fw-edge-1", "ok", None, "Power supply replaced"),
    ))
    # H18 Fri 30 Oct, 03:05 GMT: two of the three EPR application servers lose their storage
    #     path during the backup window: the EPR is down at night.
    s.incident(steps(
        ("2026-10-30T03:05:00", "epr-app-1", "down", None, "Host down: storage path lost",
         {"labels": {"job": "node", "instance": "epr-app-1:9100", "alertname": "HostDown"}}),
        ("2026-10-30T03:06:30", "epr-app-3", "down", None, "Host down: storage path lost",
         {"labels": {"job": "node", "instance": "epr-app-3:9100", "alertname": "HostDown"}}),
        ("2026-10-30T03:20:00", "epr-app-tier", "down", "availability", "EPR service unavailable",
         {"labels": {"alertname": "EPRServiceUnavailable", "service": "epr", "severity": "critical"}}),
        ("2026-10-30T03:48:00", "epr-app-3", "ok", None, None,
         {"labels": {"job": "node", "instance": "epr-app-3:9100", "alertname": "HostDown"}}),
        ("2026-10-30T03:50:00", "epr-app-tier", "ok", "availability", None,
         {"labels": {"alertname": "EPRServiceUnavailable", "service": "epr", "severity": "critical"}}),
        ("2026-10-30T04:10:00", "epr-app-1", "ok", None, None,
         {"labels": {"job": "node", "instance": "epr-app-1:9100", "alertname": "HostDown"}}),
    ))
    # H19 Tue 20 Oct, 11:15 BST: the EPR's own response-time alert fires during the morning peak.
    s.incident(steps(
        ("2026-10-20T10:15:00", "epr-app-tier", "degraded", "latency", "EPR median response time 4.2 s",
         {"labels": {"alertname": "EPRResponseTimeHigh", "service": "epr", "severity": "warning"}}),
        ("2026-10-20T10:50:00", "epr-app-tier", "ok", "latency", None,
         {"labels": {"alertname": "EPRResponseTimeHigh", "service": "epr", "severity": "warning"}}),
    ))

    # Events that match no node: they must be reported as unmatched, never dropped.
    s.incident(steps(
        ("2026-10-04T06:12:00", None, "down", None, "Host down (decommissioned file server)",
         {"labels": {"job": "node", "instance": "old-fileserver-7:9100", "alertname": "HostDown"}}),
        ("2026-10-15T11:30:00", None, "degraded", None, "Toner low",
         {"labels": {"alertname": "PrinterTonerLow", "instance": "ward-printer-12", "ward": "ward-9"}}),
        ("2026-10-22T20:05:00", None, "down", None, "Pathology analyser gateway unreachable",
         {"labels": {"job": "snmp", "target": "lab-analyser-gw"}}),
    ))

    # Noise: warnings on redundant members (partner named in blocked_by) or the ignored replica.
    s.noise("epr-reporting", "replication_lag", 16, (10, 50), "Reporting replica more than 15 min behind",
            [], extra={"alertname": "MSSQLReplicaLag"})
    s.noise("hscn-link-2", "latency", 30, (3, 12), "HSCN link 2 latency above 40 ms", ["hscn-link-1"])
    s.noise("gp-wan-link-b", "packet_loss", 26, (2, 10), "Packet loss 2% on GP WAN link B", ["gp-wan-link-a"])
    s.noise("gp-wan-link-b", "flap", 90, (1, 3), "Interface flapped", ["gp-wan-link-a"], state="down")
    s.noise("dc-02", "replication", 50, (15, 45), "AD replication latency high", ["dc-01"])
    s.noise("esx-02", "memory", 44, (10, 40), "Host memory usage above 85%", ["esx-01", "esx-03", "esx-04"])
    s.noise("booking-web-2", "latency", 18, (2, 8), "p95 latency above 1 s",
            ["booking-web-1", "booking-web-3"])
    s.noise("san-b", "latency", 70, (5, 20), "Mirror write latency above 5 ms", ["san-a"])
    s.noise("epr-lb-2", "pool", 48, (1, 5), "One pool member marked down", ["epr-lb-1"])
    s.noise("epma-app-2", "jvm_heap", 36, (5, 25), "JVM heap above 85%", ["epma-app-1"])

    s.heartbeats(every_hours=16)
    return s


# =========================================================================================
# Online retailer (EUR, Europe/Berlin)
# =========================================================================================

RETAILER_ADDRESSES = {
    "cdn": prom(job="blackbox", instance="https://cdn.shop.example.de/ping"),
    "cloud-dns": prom(job="blackbox", module="dns", instance="shop.example.de"),
    "lb-1": prom(job="cloudwatch", load_balancer="shop-lb-a"),
    "lb-2": prom(job="cloudwatch", load_balancer="shop-lb-b"),
    "k8s-node-1": prom(job="node", instance="k8s-node-1:9100"),
    "k8s-node-2": prom(job="node", instance="k8s-node-2:9100"),
    "k8s-node-3": prom(job="node", instance="k8s-node-3:9100"),
    "k8s-node-4": prom(job="node", instance="k8s-node-4:9100"),
    "core-sw-1": prom(job="snmp", target="dc-core-1"),
    "core-sw-2": prom(job="snmp", target="dc-core-2"),
    "sso": prom(job="blackbox", instance="https://login.example-idp.com/health"),
    "payment-gateway": prom(job="blackbox", instance="https://checkout-live.psp.example/health"),
    "pg-primary": prom(job="postgres", instance="pg-orders-1:9187"),
    "pg-replica": prom(job="postgres", instance="pg-orders-2:9187"),
    "redis-1": prom(job="redis", instance="redis-1:9121"),
    "redis-2": prom(job="redis", instance="redis-2:9121"),
    "kafka-1": prom(job="kafka", instance="kafka-1:9308"),
    "kafka-2": prom(job="kafka", instance="kafka-2:9308"),
    "kafka-3": prom(job="kafka", instance="kafka-3:9308"),
    "erp-app-1": prom(job="sapcontrol", instance="erp-app-1:50013"),
    "erp-app-2": prom(job="sapcontrol", instance="erp-app-2:50013"),
    "erp-ascs": prom(job="sapcontrol", instance="erp-ascs:50113"),
    "hana-primary": prom(job="hana", instance="hana-1:9668"),
    "hana-secondary": prom(job="hana", instance="hana-2:9668"),
    "crm-saas": prom(job="blackbox", instance="https://retailer.crm.example.com/health"),
    "wms-app-1": prom(job="node", instance="wms-app-1:9100"),
    "wms-app-2": prom(job="node", instance="wms-app-2:9100"),
    "wms-db": nagios(),  # the warehouse's SQL Server is still watched by the old Nagios
    "wh-core-switch": prom(job="snmp", target="wh-core"),
    "wh-wan-fibre": prom(job="snmp", target="wh-wan-fibre"),
    "wh-wan-lte": prom(job="snmp", target="wh-wan-lte"),
    "rf-ap-hall-a": prom(job="snmp", target="rf-ap-hall-a"),
    "rf-ap-hall-b": prom(job="snmp", target="rf-ap-hall-b"),
    "rf-ap-yard": prom(job="snmp", target="rf-ap-yard"),
    "checkout": prom(job="blackbox", instance="https://shop.example.de/checkout/health"),
}

STATUSPAGE = {"source": "statuspage"}


def retailer() -> Stream:
    s = Stream("retailer", seed=20261002, addresses=RETAILER_ADDRESSES)

    def status(component: str) -> dict:
        return {"labels": {"source_system": "statuspage", "component": component}, **STATUSPAGE}

    pay = status("payments")

    def kube(node: str, alert: str = "KubeNodeNotReady") -> dict:
        return {"labels": {"alertname": alert, "node": node, "severity": "critical"}}

    # R1 Fri 2 Oct, 13:00 CEST: one ERP dialog instance stops; the other carries on.
    s.incident(steps(
        ("2026-10-02T11:00:00", "erp-app-1", "down", None, "Dialog instance stopped: work process crash"),
        ("2026-10-02T11:45:00", "erp-app-1", "ok", None, "Instance restarted"),
    ))
    # R2 Sat 3 Oct (German Unity Day, a Berlin holiday), 09:10 CEST: the WMS database stops.
    s.incident(steps(
        ("2026-10-03T07:10:00", "wms-db", "down", None, "CRITICAL: transaction log full, database read-only"),
        ("2026-10-03T08:00:00", "wms-db", "ok", None, "OK: log backup completed"),
    ))
    # R3 Tue 6 Oct, maintenance mw-2026-10-06-k8s: one worker drained at a time.
    rolling = []
    for i, (start, end) in enumerate([("01:05", "01:25"), ("01:30", "01:50"),
                                      ("01:55", "02:15"), ("02:20", "02:40")], start=1):
        node = f"k8s-node-{i}"
        rolling += [
            (f"2026-10-06T{start}:00", node, "down", "drain", f"{node} cordoned and drained", kube(node)),
            (f"2026-10-06T{end}:00", node, "ok", "drain", f"{node} upgraded and ready", kube(node)),
        ]
    s.incident(steps(*rolling))
    # R4 Thu 8 Oct, 14:05 CEST: the payment provider has elevated error rates.
    s.incident(steps(
        ("2026-10-08T12:05:00", "payment-gateway", "degraded", "status",
         "Elevated error rates for card payments", pay),
        ("2026-10-08T12:50:00", "payment-gateway", "ok", "status", "Resolved", pay),
    ))
    # R5 Fri 9 Oct, 02:30 CEST: one Kafka broker down at night; two of three remain in sync.
    s.incident(steps(
        ("2026-10-09T00:30:00", "kafka-2", "down", None, "Broker kafka-2 down: JVM crash"),
        ("2026-10-09T02:10:00", "kafka-2", "ok", None, "Broker rejoined, partitions in sync"),
    ))
    # R6 Mon 12 Oct: roadworks cut the warehouse fibre; the LTE backup is slow for a while.
    s.incident(steps(
        ("2026-10-12T05:15:00", "wh-wan-fibre", "down", None, "Fibre link down: cable cut by roadworks"),
        ("2026-10-12T07:30:00", "wh-wan-lte", "degraded", "latency",
         "LTE latency 450 ms: scanners timing out"),
        ("2026-10-12T09:00:00", "wh-wan-lte", "ok", "latency", "Traffic shaping applied"),
        ("2026-10-13T13:00:00", "wh-wan-fibre", "ok", None, "Fibre spliced"),
    ))
    wal = {"labels": {"job": "postgres", "instance": "pg-orders-1:9187",
                      "alertname": "PostgresWalDiskFilling"}}
    # R7 Wed 14 Oct, 15:20 CEST: the orders database primary fills its WAL disk; Patroni
    #    promotes the replica, which takes four minutes without order taking.
    s.incident(steps(
        ("2026-10-14T12:50:00", "pg-primary", "degraded", "cpu", "CPU above 90%",
         {"labels": {"job": "node", "instance": "pg-orders-1:9100", "alertname": "HostHighCpu"}}),
        ("2026-10-14T13:05:00", "pg-primary", "degraded", "disk", "WAL volume 90% full",
         wal),
        ("2026-10-14T13:20:00", "pg-primary", "down", "disk", "WAL volume full: primary stopped",
         wal),
        ("2026-10-14T13:20:05", "orders-db", "degraded", "leader", "Leader lost: promoting pg-orders-2",
         {"labels": {"alertname": "PatroniLeaderChange", "cluster": "orders", "severity": "warning"}}),
        ("2026-10-14T13:24:10", "orders-db", "ok", "leader", "pg-orders-2 is leader",
         {"labels": {"alertname": "PatroniLeaderChange", "cluster": "orders", "severity": "warning"}}),
        ("2026-10-14T13:30:00", "pg-primary", "ok", "cpu", None,
         {"labels": {"job": "node", "instance": "pg-orders-1:9100", "alertname": "HostHighCpu"}}),
        ("2026-10-14T15:40:00", "pg-primary", "ok", "disk", "Old primary rebuilt as replica",
         wal),
    ))
    # R8 Thu 15 Oct, 10:00 CEST: the identity provider is slow; everyone's logins crawl.
    s.incident(steps(
        ("2026-10-15T08:00:00", "sso", "degraded", "status", "Increased sign-in latency in EU",
         status("sso")),
        ("2026-10-15T08:45:00", "sso", "ok", "status", "Resolved", status("sso")),
    ))
    # R9 Sat 17 Oct, maintenance mw-2026-10-17-erp (18:00-22:00Z): SAP kernel upgrade.
    s.incident(steps(
        ("2026-10-17T18:10:00", "erp-ascs", "down", "upgrade",
         "Central services stopped for kernel upgrade"),
        ("2026-10-17T18:15:00", "hana-primary", "down", "upgrade",
         "HANA revision update; takeover to hana-2"),
        ("2026-10-17T19:00:00", "hana-primary", "ok", "upgrade"),
        ("2026-10-17T19:05:00", "hana-secondary", "down", "upgrade", "HANA revision update on hana-2"),
        ("2026-10-17T19:28:00", "erp-app-1", "down", "upgrade", "Dialog instance restart on new kernel"),
        ("2026-10-17T19:28:00", "erp-app-2", "down", "upgrade", "Dialog instance restart on new kernel"),
        ("2026-10-17T19:30:00", "erp-ascs", "ok", "upgrade"),
        ("2026-10-17T19:40:00", "hana-secondary", "ok", "upgrade"),
        ("2026-10-17T19:45:00", "erp-app-1", "ok", "upgrade"),
        ("2026-10-17T19:45:30", "erp-app-2", "ok", "upgrade"),
    ))
    # R10 Tue 20 Oct, 06:50 CEST, early shift: the warehouse's only core switch crashes.
    s.incident(steps(
        ("2026-10-20T04:50:00", "wh-core-switch", "down", None, "Warehouse core switch unreachable"),
        ("2026-10-20T05:35:00", "wh-core-switch", "ok", None, "Cold spare installed"),
    ))
    # R11 Thu 22 Oct, 19:30 CEST, evening peak: the payment provider is down for 45 minutes.
    s.incident(steps(
        ("2026-10-22T17:30:00", "payment-gateway", "down", None, "PSP health check: HTTP 502",
         {"duplicate": True}),
        ("2026-10-22T17:38:00", "payment-gateway", "down", "status", "Payments unavailable", pay),
        ("2026-10-22T18:10:00", "payment-gateway", "ok", "status", "Resolved", pay),
        ("2026-10-22T18:15:00", "payment-gateway", "ok", None, "PSP health check passing"),
    ))
    # R12 Sun 25 Oct, across the clock change (03:00 CEST -> 02:00 CET): Redis runs out of
    #     memory; sessions are evicted and checkout is slow.
    s.incident(steps(
        ("2026-10-25T00:45:00", "redis-1", "down", None, "redis-1 OOM: process killed"),
        ("2026-10-25T00:55:00", "redis-2", "degraded", "memory", "Memory 92%: evicting sessions"),
        ("2026-10-25T02:05:00", "redis-2", "ok", "memory", "maxmemory raised"),
        ("2026-10-25T02:30:00", "redis-1", "ok", None, "redis-1 rejoined as replica"),
    ))
    # R13 Tue 27 Oct, 00:10 CET: ERP central services crash at night, outside business hours.
    s.incident(steps(
        ("2026-10-26T23:10:00", "erp-ascs", "down", None, "Enqueue server crashed"),
        ("2026-10-27T00:20:00", "erp-ascs", "ok", None, "Central services restarted"),
    ))
    # R14 Wed 28 Oct, 16:00 CET: CDN provider incident, pages load slowly.
    s.incident(steps(
        ("2026-10-28T15:00:00", "cdn", "degraded", None, "Latency 2.5 s from Frankfurt PoP"),
        ("2026-10-28T15:40:00", "cdn", "ok"),
    ))
    # R15 Thu 29 Oct, 09:00 CET: hall A access points drop (absorbed), then the yard's (not).
    s.incident(steps(
        ("2026-10-29T08:00:00", "rf-ap-hall-a", "down", None, "Hall A access points down: PoE switch reboot"),
        ("2026-10-29T08:20:00", "rf-ap-yard", "down", None, "Yard access points down", {"duplicate": True}),
        ("2026-10-29T08:55:00", "rf-ap-yard", "ok"),
        ("2026-10-29T09:30:00", "rf-ap-hall-a", "ok"),
    ))
    # R16 Fri 30 Oct, 14:00 CET: the CRM provider has an outage in its EU region.
    s.incident(steps(
        ("2026-10-30T13:00:00", "crm-saas", "down", "status", "Service unavailable in EU region",
         status("crm")),
        ("2026-10-30T13:01:30", "crm-saas", "down", None, "CRM health check: HTTP 503"),
        ("2026-10-30T14:05:00", "crm-saas", "ok", "status", "Resolved", status("crm")),
        ("2026-10-30T14:10:00", "crm-saas", "ok", None, "CRM health check passing"),
    ))
    # R17 Sat 31 Oct, 19:40 CET: label printers go offline one after the other; still open
    #     when the month ends (the episode is cut at 2026-11-01T00:00:00Z).
    s.incident(steps(
        ("2026-10-31T18:40:00", "label-printers", "degraded", "zebra-07", "Printer zebra-07 offline",
         {"labels": {"alertname": "PrinterOffline", "site": "warehouse-berlin", "printer": "zebra-07"}}),
        ("2026-10-31T20:10:00", "label-printers", "degraded", "zebra-03", "Printer zebra-03 offline",
         {"labels": {"alertname": "PrinterOffline", "site": "warehouse-berlin", "printer": "zebra-03"}}),
    ))
    # R18 Mon 19 Oct, 11:30 CEST: a Kubernetes worker fails and another is under disk
    #     pressure; two of four is enough.
    s.incident(steps(
        ("2026-10-19T09:30:00", "k8s-node-2", "down", None, "Node not ready", kube("k8s-node-2")),
        ("2026-10-19T09:35:00", "k8s-node-3", "degraded", "disk_pressure", "Node under disk pressure",
         kube("k8s-node-3", "KubeNodeDiskPressure")),
        ("2026-10-19T10:10:00", "k8s-node-3", "ok", "disk_pressure", None,
         kube("k8s-node-3", "KubeNodeDiskPressure")),
        ("2026-10-19T10:20:00", "k8s-node-2", "ok", None, "Node replaced", kube("k8s-node-2")),
    ))
    # R19 Tue 27 Oct, 11:00 CET: Nagios loses contact with both WMS servers (NRPE timeouts):
    #     the warehouse is "unknown", which is neither counted nor charged.
    s.incident(steps(
        ("2026-10-27T10:00:00", "wms-app-1", "unknown", None, "UNKNOWN: NRPE socket timeout",
         {"via_node": True, "source": "nagios"}),
        ("2026-10-27T10:00:05", "wms-app-2", "unknown", None, "UNKNOWN: NRPE socket timeout",
         {"via_node": True, "source": "nagios"}),
        ("2026-10-27T10:30:00", "wms-app-1", "ok", None, "OK: load average 0.8",
         {"via_node": True, "source": "nagios"}),
        ("2026-10-27T10:30:00", "wms-app-2", "ok", None, "OK: load average 1.1",
         {"via_node": True, "source": "nagios"}),
    ))

    # Events that match no node: they must be reported as unmatched, never dropped.
    s.incident(steps(
        ("2026-10-05T03:00:00", None, "down", None, "Host down (staging database)",
         {"labels": {"job": "node", "instance": "staging-db-1:9100", "alertname": "HostDown"}}),
        ("2026-10-16T14:22:00", None, "degraded", None, "Pod crash looping",
         {"labels": {"alertname": "KubePodCrashLooping", "namespace": "marketing-preview",
                     "pod": "teaser-5f7c9d-x2k4q"}}),
        ("2026-10-24T11:11:00", None, "down", None, "Store POS gateway unreachable",
         {"labels": {"job": "snmp", "target": "store-pos-17"}}),
    ))

    # Noise on redundant members (partners in blocked_by) and the LTE backup.
    s.noise("k8s-node-3", "memory_pressure", 20, (5, 30), "Node memory above 85%",
            ["k8s-node-1", "k8s-node-2", "k8s-node-4"])
    s.noise("kafka-1", "under_replicated", 28, (2, 15), "Under-replicated partitions on broker",
            ["kafka-2", "kafka-3", "kafka"])
    s.noise("pg-replica", "replication_lag", 22, (1, 6), "Replication lag above 30 s",
            ["pg-primary", "orders-db"])
    s.noise("lb-2", "5xx", 40, (2, 10), "Backend 5xx rate above 1%", ["lb-1"])
    s.noise("redis-2", "memory", 60, (5, 30), "Memory above 80%", ["redis-1"])
    s.noise("wh-wan-lte", "latency", 14, (5, 30), "LTE backup latency above 150 ms", ["wh-wan-fibre"])
    s.noise("erp-app-2", "dialog_queue", 34, (5, 20), "Dialog queue length above 50", ["erp-app-1"])
    s.noise("hana-secondary", "replication", 70, (5, 25), "System replication delayed", ["hana-primary"])
    s.noise("wms-app-2", "cpu", 40, (5, 20), "CPU above 85%", ["wms-app-1"])
    s.noise("core-sw-2", "flap", 120, (1, 3), "Uplink flapped", ["core-sw-1"], state="down")

    s.heartbeats(every_hours=14)
    return s


def main() -> None:
    for make, folder in ((hospital, "hospital"), (retailer, "retailer")):
        stream = make()
        path = HERE / folder / "events.jsonl"
        count = stream.write(path)
        print(f"{path.relative_to(HERE.parent)}: {count} events, {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
