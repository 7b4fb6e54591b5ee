"""Live ingestion through `bizmap serve` (SQLite, propagation on), over a generated 10,000-node model.

Targets (issue 3): batched ingestion (100 events a request) >= 50,000 events/s durably; single-event
requests >= 5,000/s; p99 from receipt to the new service state being readable < 50 ms at 10,000
events/s. Baselines in the same run: the same rows inserted into SQLite with ``executemany``
(WAL + synchronous=FULL, one transaction per 100 rows and one big transaction), and a real
Prometheus Alertmanager ingesting the same alerts (``POST /api/v2/alerts``, batches of 100).

Throughput is driven by ``wrk`` (Debian's package; ``make bench`` installs it), a load generator
in C that leaves most of the two cores to the server; each request carries events with ids unique
over the run and no time (the receipt time), so every event is new and applied. Without ``wrk`` a
minimal asyncio HTTP/1.1 client in this process does it (it costs the server about half a core:
the figures are lower, and the output says which client ran). The latency phase paces batches
from asyncio either way. All traffic is to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson
import yaml

from bizmap.analytics.spof import single_points_of_failure
from bizmap.domain.calendar import format_time
from bizmap.domain.compile import compile_model
from bizmap.domain.validate import Document, validate_documents
from bizmap.ingest.native import decode_events
from bizmap.storage.migrate import migrate
from generate import events, model_data
from verdict import verdict

HOST = "127.0.0.1"
BATCH = 100
ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
WRK = shutil.which("wrk")
ID_SLOT = "@@"  # replaced in each request by a number unique over the run

# wrk script: cycle through the bodies, make the ids unique, count what the server accepted.
WRK_SCRIPT = """
local bodies = {%(bodies)s}
local n = 0
counter = 0
accepted = 0
bad = 0
first_bad = ""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(auth)s
request = function()
  n = n %% #bodies + 1
  counter = counter + 1
  local body = string.gsub(bodies[n], "%(slot)s", tostring(counter))
  return wrk.format(nil, "%(path)s", nil, body)
end
response = function(status, headers, body)
  if status == %(status)d then
    local got = string.match(body, '"accepted":(%%d+)')
    accepted = accepted + (got and tonumber(got) or %(size)d)
  else
    bad = bad + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(body, 1, 200) end
  end
end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local total, errors, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    total = total + thread:get("accepted")
    errors = errors + thread:get("bad")
    if first == "" then first = thread:get("first_bad") end
  end
  io.write(string.format("RESULT %%d %%d %%d %%f %%f %%s\\n", total, summary.requests, errors,
    summary.duration / 1e6, latency:percentile(99) / 1e3, first))
end
"""


def wrk_blast(
    port: int,
    token: str | None,
    path: str,
    bodies: Sequence[bytes],
    size: int,
    connections: int,
    seconds: float,
    ok_status: int,
    directory: str,
) -> tuple[int, int, float]:
    """Post ``bodies`` (cycled, ids made unique) with wrk for ``seconds``: (events, requests, s)."""
    assert WRK is not None
    script = Path(directory, f"wrk-{port}-{size}.lua")
    script.write_text(
        WRK_SCRIPT
        % {
            "bodies": ",".join("[==[" + body.decode() + "]==]" for body in bodies),
            "auth": f'wrk.headers["Authorization"] = "Bearer {token}"' if token else "",
            "slot": ID_SLOT,
            "path": path,
            "status": ok_status,
            "size": size,
        }
    )
    run = subprocess.run(
        [
            WRK,
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "-s",
            str(script),
            f"http://{HOST}:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))
    fields = line.split(" ", 6)
    events_, requests, errors, took = int(fields[1]), int(fields[2]), int(fields[3]), float(fields[4])
    if errors:
        raise RuntimeError(f"POST {path}: {errors} of {requests} requests failed, first: {fields[6]}")
    return events_, requests, took


# --- a small HTTP/1.1 client ------------------------------------------------------------------
class Connection:
    """One keep-alive connection; one request at a time."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port = port
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n{self.extra}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        payload = await self.reader.readexactly(length) if length else b""
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def blast(
    port: int,
    headers: dict[str, str],
    path: str,
    bodies: Sequence[bytes],
    sizes: Sequence[int],
    concurrency: int,
    seconds: float,
    accepted: Callable[[bytes], int] | None = None,
) -> tuple[int, int, float]:
    """Post ``bodies`` from ``concurrency`` connections for at most ``seconds``: (events, requests, s)."""
    position = 0
    done_events = done_requests = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal position, done_events, done_requests
        connection = Connection(port, headers)
        try:
            while position < len(bodies) and time.perf_counter() < deadline:
                index = position
                position += 1
                status, payload = await connection.request("POST", path, bodies[index])
                if status not in (200, 202):
                    raise RuntimeError(f"POST {path} answered {status}: {payload[:300]!r}")
                done_events += accepted(payload) if accepted else sizes[index]
                done_requests += 1
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done_events, done_requests, time.perf_counter() - started


def accepted_count(payload: bytes) -> int:
    counts = orjson.loads(payload)
    return int(counts["accepted"]) + int(counts["duplicates"])


# --- processes --------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_ready(port: int, path: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
                if s.recv(64).split()[1] == b"200":
                    return
        except (OSError, IndexError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"nothing ready on port {port} after {timeout} s")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


# --- the work ---------------------------------------------------------------------------------
def native_events(data: dict[str, Any], count: int, end: float, exclude: set[str]) -> list[dict[str, Any]]:
    """``count`` generator events, times spread evenly over the hour before ``end``."""
    out = [e for e in events(data, count + count // 5, 0.0) if e["labels"]["instance"] not in exclude][:count]
    step = 3600.0 / max(1, len(out))
    for index, event in enumerate(out):
        event["time"] = format_time(end - 3600.0 + index * step)
    return out


def batches(items: Sequence[dict[str, Any]], size: int) -> list[bytes]:
    return [orjson.dumps(list(items[i : i + size])) for i in range(0, len(items), size)]


def sqlite_baseline(rows: list[tuple[Any, ...]], per_transaction: int, directory: str) -> float:
    """Rows per second inserted with executemany into the bizmap schema, WAL + synchronous=FULL."""
    path = os.path.join(directory, f"baseline-{per_transaction}.db")
    migrate(f"sqlite:///{path}")
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    insert = (
        "INSERT INTO events (event_id, received_at, time, node, labels, state, key, summary, source, matched)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    started = time.perf_counter()
    for start in range(0, len(rows), per_transaction):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(insert, rows[start : start + per_transaction])
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return len(rows) / elapsed


def event_rows(bodies: Sequence[bytes], received_at: float) -> list[tuple[Any, ...]]:
    """The rows bizmap stores for these events (as ``Store._event_row`` builds them)."""
    rows = []
    for body in bodies:
        for e in decode_events(body, require_time=False):
            labels = (
                None if e.labels is None else orjson.dumps(e.labels, option=orjson.OPT_SORT_KEYS).decode()
            )
            time_ = received_at if e.time is None else e.time
            rows.append(
                (e.id, received_at, time_, e.node, labels, int(e.state), e.key, e.summary, e.source, 1)
            )
    return rows


def wrk_bodies(items: Sequence[dict[str, Any]], size: int, most: int = 2_000) -> list[bytes]:
    """Up to ``most`` request bodies for wrk: no time (the receipt time), ids unique per request."""
    bodies = []
    for start in range(0, min(len(items), most * size), size):
        chunk = [
            {**{k: v for k, v in e.items() if k not in ("time", "id")}, "id": f"{ID_SLOT}-{i}"}
            for i, e in enumerate(items[start : start + size])
        ]
        bodies.append(orjson.dumps(chunk if size > 1 else chunk[0]))
    return bodies


def alert_batches(items: Sequence[dict[str, Any]], size: int) -> list[bytes]:
    """The same events as Alertmanager alerts: firing, or resolved (endsAt) for ok."""
    out = []
    for i in range(0, len(items), size):
        alerts = []
        for e in items[i : i + size]:
            alert: dict[str, Any] = {
                "labels": {"alertname": "HostProblem", **e["labels"], "severity": e["state"]},
                "annotations": {"summary": f"{e['labels']['instance']} is {e['state']}"},
                "startsAt": e["time"],
            }
            if e["state"] == "ok":
                alert["labels"]["severity"] = "down"
                alert["endsAt"] = e["time"]
            alerts.append(alert)
        out.append(orjson.dumps(alerts))
    return out


async def paced_latency(
    port: int,
    headers: dict[str, str],
    bodies: Sequence[bytes],
    probes: list[tuple[str, str]],
    seconds: float,
    interval: float,
) -> dict[str, Any]:
    """Send one batch every ``interval`` s for ``seconds``; time each POST from its scheduled send.

    Meanwhile probe events (a host that is a single point of failure of a service, absent from the
    background stream) are slipped into batches; for each, the time from sending its batch until
    GET /api/v1/services/{id} shows the service no longer ok.
    """
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(32):
        pool.put_nowait(Connection(port, headers))
    pending_probe: list[tuple[dict[str, Any], asyncio.Future[float]]] = []
    round_trips: list[float] = []
    errors: list[str] = []

    async def send(body: bytes, scheduled: float, probe: asyncio.Future[float] | None) -> None:
        connection = await pool.get()
        try:
            status, payload = await connection.request("POST", "/api/v1/events", body)
            finished = time.perf_counter()
            if status != 202:
                errors.append(f"{status} {payload[:200]!r}")
            round_trips.append(finished - scheduled)
            if probe is not None and not probe.done():
                probe.set_result(scheduled)
        finally:
            pool.put_nowait(connection)

    async def pacer() -> int:
        loop_start = time.perf_counter()
        tasks = []
        sent = 0
        for index, body in enumerate(bodies):
            scheduled = loop_start + index * interval
            if scheduled - loop_start > seconds:
                break
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            probe = None
            if pending_probe:
                event, probe = pending_probe.pop()
                body = body[:-1] + b"," + orjson.dumps(event) + b"]"
            tasks.append(asyncio.ensure_future(send(body, scheduled, probe)))
            sent += body.count(b'"state"')
        await asyncio.gather(*tasks)
        return sent

    visible: list[float] = []
    skipped = 0

    async def prober(stop_at: float) -> None:
        nonlocal skipped
        reader = Connection(port, headers)
        try:
            for number in range(1000):
                if time.perf_counter() > stop_at:
                    break
                service, host = probes[number % len(probes)]
                status, payload = await reader.request("GET", f"/api/v1/services/{service}")
                if status != 200 or orjson.loads(payload)["state"] != "ok":
                    skipped += 1
                    await asyncio.sleep(0.05)
                    continue
                now = format_time(time.time())
                for state in ("down", "ok"):
                    event = {
                        "labels": {"instance": host},
                        "state": state,
                        "time": now,
                        "id": f"p{number}{state}",
                    }
                    sent: asyncio.Future[float] = asyncio.get_running_loop().create_future()
                    pending_probe.append((event, sent))
                    try:
                        scheduled = await asyncio.wait_for(sent, 1.0)
                    except TimeoutError:  # the pacer has finished
                        return
                    if state == "down":
                        for _ in range(200):  # bounded: state should already show after the 202
                            status, payload = await reader.request("GET", f"/api/v1/services/{service}")
                            if orjson.loads(payload)["state"] != "ok":
                                visible.append(time.perf_counter() - scheduled)
                                break
                await asyncio.sleep(0.1)
        finally:
            reader.close()

    started = time.perf_counter()
    sent, _ = await asyncio.gather(pacer(), prober(started + seconds - 0.5))
    elapsed = time.perf_counter() - started
    while not pool.empty():
        pool.get_nowait().close()
    return {
        "sent": sent,
        "elapsed": elapsed,
        "round_trips": sorted(round_trips),
        "visible": sorted(visible),
        "skipped": skipped,
        "errors": errors,
    }


def percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(fraction * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=600_000, help="most events for the batched phase")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="connections of the asyncio client (without wrk)"
    )
    parser.add_argument("--batch-connections", type=int, default=16, help="wrk connections, batched phase")
    parser.add_argument("--single-connections", type=int, default=64, help="wrk connections, single phase")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--rate", type=int, default=10_000, help="events/s of the latency phase")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    seconds = args.seconds

    data = model_data(args.nodes)
    graph = compile_model(validate_documents([Document("generated", data)]))
    # probes: hosts that alone take a business service down; kept out of the background stream
    probes = []
    for service in single_points_of_failure(graph):
        hosts = [
            p.node for p in service.single_points if p.node.startswith("c0-") and p.effect.label == "down"
        ]
        if hosts:
            probes.append((service.id, hosts[0]))
    probes = probes[:20]
    exclude = {host for _, host in probes}

    now = time.time()
    single_count = 6_000 * int(seconds) + 1
    paced_count = int(args.rate * seconds) + 10 * BATCH
    stream = native_events(data, args.events + single_count + paced_count, now, exclude)
    for index, event in enumerate(stream):
        event["id"] = f"b{index}"
    batched_events = stream[: args.events]
    single_events = stream[args.events : args.events + single_count]
    paced_events = stream[args.events + single_count :]
    batched_bodies = batches(batched_events, BATCH)
    single_bodies = [orjson.dumps(e) for e in single_events]
    paced_bodies = batches(paced_events, args.rate // 100)

    directory = tempfile.mkdtemp(prefix="bizmap-bench-ingest-")
    server: subprocess.Popen[bytes] | None = None
    manager: subprocess.Popen[bytes] | None = None
    bin_dir = Path(sys.executable).parent
    try:
        model = Path(directory, "model.yaml")
        model.write_text(yaml.safe_dump(data, sort_keys=False))
        db = f"sqlite:///{directory}/bizmap.db"
        token = subprocess.run(
            [str(bin_dir / "bizmap"), "token", "create", "--role", "admin", "--db", db],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        port = free_port()
        log = open(Path(directory, "server.log"), "wb")  # noqa: SIM115 (closed with the directory)
        server = subprocess.Popen(
            [str(bin_dir / "bizmap"), "serve", str(model), "--db", db, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_ready(port, "/healthz", server, 120)
        print(f"server pid {server.pid} on {HOST}:{port}; log {directory}/server.log", flush=True)
        headers = {"Authorization": f"Bearer {token}"}
        c = args.concurrency
        path = "/api/v1/events"

        if WRK:
            got, requests, took = wrk_blast(
                port,
                token,
                path,
                wrk_bodies(batched_events, BATCH),
                BATCH,
                args.batch_connections,
                seconds,
                202,
                directory,
            )
            got1, _, took1 = wrk_blast(
                port,
                token,
                path,
                wrk_bodies(single_events, 1),
                1,
                args.single_connections,
                seconds,
                202,
                directory,
            )
        else:
            got, requests, took = asyncio.run(
                blast(
                    port,
                    headers,
                    path,
                    batched_bodies,
                    [BATCH] * len(batched_bodies),
                    c,
                    seconds,
                    accepted_count,
                )
            )
            got1, _, took1 = asyncio.run(
                blast(
                    port, headers, path, single_bodies, [1] * len(single_bodies), c, seconds, accepted_count
                )
            )
        batched_rate = got / took
        batched_rows = batched_events[:got]
        single_rate = got1 / took1

        latency = asyncio.run(paced_latency(port, headers, paced_bodies, probes, seconds, BATCH / args.rate))
        stop(server)
        server = None
        server_errors = Path(directory, "server.log").read_text(errors="replace").count("Traceback")

        # baselines: the same rows straight into SQLite
        rows = event_rows(batches(batched_rows, BATCH), now)
        per_100 = sqlite_baseline(rows, BATCH, directory)
        one_big = sqlite_baseline(rows, len(rows), directory)
        single_rows = rows[:5_000]  # one fsync a row: keep it short
        per_1 = sqlite_baseline(single_rows, 1, directory)

        # baseline: a real Alertmanager ingesting the same alerts, same concurrency
        am_rate = am_single = float("nan")
        if shutil.which(ALERTMANAGER):
            config = Path(directory, "alertmanager.yml")
            config.write_text("route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n")
            am_port = free_port()
            manager = subprocess.Popen(
                [
                    ALERTMANAGER,
                    f"--config.file={config}",
                    f"--storage.path={directory}/am",
                    f"--web.listen-address={HOST}:{am_port}",
                    "--cluster.listen-address=",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_ready(am_port, "/-/ready", manager, 60)
            alerts = alert_batches(batched_events, BATCH)
            singles = alert_batches(single_events, 1)
            if WRK:
                am_got, _, am_took = wrk_blast(
                    am_port,
                    None,
                    "/api/v2/alerts",
                    alerts[:2_000],
                    BATCH,
                    args.batch_connections,
                    seconds,
                    200,
                    directory,
                )
                am1_got, _, am1_took = wrk_blast(
                    am_port,
                    None,
                    "/api/v2/alerts",
                    singles[:20_000],
                    1,
                    args.single_connections,
                    seconds,
                    200,
                    directory,
                )
            else:
                am_got, _, am_took = asyncio.run(
                    blast(am_port, {}, "/api/v2/alerts", alerts, [BATCH] * len(alerts), c, seconds)
                )
                am1_got, _, am1_took = asyncio.run(
                    blast(am_port, {}, "/api/v2/alerts", singles, [1] * len(singles), c, seconds)
                )
            am_rate = am_got / am_took
            am_single = am1_got / am1_took
    finally:
        stop(server)
        stop(manager)
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)

    trips, visible = latency["round_trips"], latency["visible"]
    rate_sent = latency["sent"] / latency["elapsed"]
    ms = 1000.0
    print(
        f"model: {len(graph):,} nodes; SQLite (WAL, synchronous=FULL), propagation on; load from "
        + (
            f"wrk ({args.batch_connections} connections batched, {args.single_connections} single)"
            if WRK
            else f"this process's asyncio client ({c} connections; install wrk for lighter load)"
        )
        + f"; {os.cpu_count()} cores shared by the server and the load generator"
    )
    print(
        f"batched (100/request): {batched_rate:,.0f} events/s durable "
        f"({got:,} events, {requests:,} requests in {took:.1f} s; target >= 50,000)"
    )
    print(
        f"  baseline: SQLite executemany, 100 rows a transaction {per_100:,.0f} rows/s; "
        f"ratio {batched_rate / per_100:.2f}x"
    )
    print(
        f"  baseline: SQLite executemany, one transaction {one_big:,.0f} rows/s; "
        f"ratio {batched_rate / one_big:.2f}x"
    )
    print(
        f"  baseline: Alertmanager POST /api/v2/alerts, 100 a request {am_rate:,.0f} alerts/s; "
        f"ratio {batched_rate / am_rate:.2f}x"
    )
    print(
        f"single-event requests: {single_rate:,.0f} events/s durable "
        f"({got1:,} in {took1:.1f} s; target >= 5,000)"
    )
    print(
        f"  baseline: SQLite executemany, 1 row a transaction {per_1:,.0f} rows/s; "
        f"ratio {single_rate / per_1:.2f}x"
    )
    print(
        f"  baseline: Alertmanager, 1 alert a request {am_single:,.0f} alerts/s; "
        f"ratio {single_rate / am_single:.2f}x"
    )
    worst = trips[-1] * ms if trips else float("nan")
    print(
        f"latency at {args.rate:,} events/s offered ({rate_sent:,.0f}/s acknowledged overall, "
        f"{len(trips):,} batches of "
        f"{args.rate // 100}): POST round-trip from scheduled send "
        f"p50 {percentile(trips, 0.5) * ms:.1f} ms, "
        f"p99 {percentile(trips, 0.99) * ms:.1f} ms, max {worst:.1f} ms (target p99 < 50 ms)"
    )
    print(
        f"  send -> GET /api/v1/services/ID shows the change: {len(visible)} probes "
        f"({latency['skipped']} skipped: service not ok before), "
        f"p50 {percentile(visible, 0.5) * ms:.1f} ms, p99 {percentile(visible, 0.99) * ms:.1f} ms"
    )
    verdict(
        "batched ingestion >= 1.5x Alertmanager's rate",
        batched_rate >= 1.5 * am_rate,
        f"{batched_rate / am_rate:.2f}x: {batched_rate:,.0f} against {am_rate:,.0f}/s",
    )
    verdict(
        "single-event requests >= 0.6x Alertmanager's rate",
        single_rate >= 0.6 * am_single,
        f"{single_rate / am_single:.2f}x: {single_rate:,.0f} against {am_single:,.0f}/s",
    )
    p99_trip = percentile(trips, 0.99) * ms  # the 202 comes after the state is applied: an upper bound
    verdict(
        f"receipt -> readable p99 <= 10 ms at {args.rate:,} events/s",
        p99_trip <= 10.0,
        f"POST round-trip p99 {p99_trip:.1f} ms",
    )
    if latency["errors"]:
        print(f"  {len(latency['errors'])} errors, first: {latency['errors'][0]}")
    print(
        "  the state is applied before the 202, so the round-trip bounds receipt->readable from above "
        "(it adds the client's send, the response and any client-side queueing)"
    )
    if server_errors:  # figures from a server that failed part of its work are not figures
        print(f"WARNING: the server logged {server_errors} tracebacks (rerun with --keep to read its log)")
        sys.exit(1)


if __name__ == "__main__":
    main()
