"""``bizmap replay``: an event log over a window, the business impact per service (semantics §5).

A window whose end is in the future ends now (semantics §10).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bizmap.cli.common import JsonOpt, ModelArg, app, err, out, print_table
from bizmap.cli.common import fail as _fail
from bizmap.cli.common import graph_or_exit as _graph
from bizmap.cli.common import print_json as _print_json
from bizmap.errors import EventLineError, UsageError
from bizmap.text import duration_text as _duration
from bizmap.text import money_text as _money

if TYPE_CHECKING:  # the command imports them when it runs
    from rich.progress import ProgressColumn, Task

    from bizmap.domain.compile import CompiledGraph
    from bizmap.engine.replay import ReplayResult


def _replay_window(
    start: str | None, end: str | None, times: list[float], clock: Callable[[], float] = time.time
) -> tuple[float, float]:
    from bizmap.domain.calendar import format_time, parse_time

    try:
        t0 = parse_time(start) if start else (min(times) if times else None)
        t1 = parse_time(end) if end else (max(times) if times else None)
    except ValueError as error:
        raise UsageError(f"{error}") from None
    if t0 is None or t1 is None:
        raise UsageError("the log has no events: give the window with --from and --to")
    if t1 <= t0:
        raise UsageError(f"--to ({format_time(t1)}) must be after --from ({format_time(t0)})")
    now = math.floor(clock())
    if t1 > now:  # a window still running ends now (semantics §10): nothing is priced in the future
        if t0 >= now:
            raise UsageError(f"--from ({format_time(t0)}) is in the future: there is nothing to replay yet")
        err.print(f"note: --to is in the future: the window ends now, {format_time(now)}", markup=False)
        t1 = now
    return t0, t1


def progress_columns() -> list[ProgressColumn]:
    """What, how far, how much (bytes while the file is read, events while they are replayed),
    and the time left."""
    from rich.progress import BarColumn, DownloadColumn, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class Amount(ProgressColumn):
        def render(self, task: Task) -> Text:
            if task.fields.get("unit") == "bytes":
                return DownloadColumn().render(task)
            total = "?" if task.total is None else f"{int(task.total):,}"
            return Text(f"{int(task.completed):,}/{total} events", style="progress.download")

    return [TextColumn("{task.description}"), BarColumn(), Amount(), TimeRemainingColumn()]


@app.command(name="replay")
def replay_command(
    model: ModelArg,
    events: Annotated[
        Path, typer.Argument(help="Event log: one native JSON event per line.", show_default=False)
    ],
    start: Annotated[
        str | None,
        typer.Option("--from", help="Window start (RFC 3339). Default: the first event."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="Window end, exclusive (RFC 3339). Default: the last event."),
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="Report malformed lines and go on instead of stopping."),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Replay an event log: cost, episodes and SLA per business service."""
    import orjson
    from rich.progress import Progress

    from bizmap.engine.replay import read_event_log, replay, to_json

    graph = _graph(model)
    try:
        size = events.stat().st_size
    except OSError as error:
        _fail(f"{events}: error: cannot read event log: {error.strerror}", 1)
    show_progress = size > 5_000_000 and err.is_terminal
    progress = Progress(
        *progress_columns(),
        console=err,
        transient=True,
        disable=not show_progress,
    )
    try:
        with progress:
            reading = progress.add_task("reading events", total=size, unit="bytes")
            log = read_event_log(events, skip_bad=skip_bad, progress=lambda n: progress.advance(reading, n))
            t0, t1 = _replay_window(start, end, [e.time for _, e in log.events if e.time is not None])
            applying = progress.add_task("replaying", total=len(log.events))
            result = replay(graph, log.events, t0, t1, on_progress=lambda n: progress.advance(applying, n))
    except EventLineError as error:
        _fail(str(error), 1)
    except UsageError as error:
        _fail(f"error: {error}", 2)
    for bad in log.bad:
        # FILE:LINE: one line however long the path: editors and scripts read it
        err.print(
            f"{events}:{bad.line}: skipped: {bad.message}", markup=False, highlight=False, soft_wrap=True
        )
    if result.unmatched:
        lines = {id(e): n for n, e in log.events}
        err.print(
            f"{len(result.unmatched)} event(s) matched no node (kept out of the computation, not lost):",
            markup=False,
        )
        for _, event in result.unmatched[:20]:
            label = event.node if event.node else orjson.dumps(event.labels).decode()
            err.print(
                f"  {events}:{lines.get(id(event), '?')}: unmatched: {label}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        if len(result.unmatched) > 20:
            err.print(f"  ... and {len(result.unmatched) - 20} more", markup=False)
    if json:
        _print_json(to_json(graph, result))
        return
    _print_replay_summary(graph, result)


def _print_replay_summary(graph: CompiledGraph, result: ReplayResult) -> None:
    from rich.table import Table

    from bizmap.domain.calendar import format_time
    from bizmap.domain.states import State

    currency = graph.currency
    table = Table(title=f"Business impact, {format_time(result.start)} to {format_time(result.end)}")
    table.add_column("business service", no_wrap=True)
    table.add_column("cost", justify="right", no_wrap=True)
    table.add_column("episodes", justify="right")
    table.add_column("counted", justify="right", no_wrap=True)
    table.add_column("worst", no_wrap=True)
    table.add_column("SLA", no_wrap=True)
    table.add_column("budget left", justify="right", no_wrap=True)
    missed_services = 0
    safety_seconds = 0.0
    not_down: list[str] = []  # counted time, yet none of it down for the SLA: say why
    for service in sorted(result.services, key=lambda s: (-s.cost, s.id)):
        facts = graph.service_of[graph.index[service.id]]
        counted = sum(e.counted_seconds for e in service.episodes)
        if facts.safety_critical:
            safety_seconds += counted
        worst = max((e.worst_state for e in service.episodes), default=0)
        sla_text = budget_text = "-"
        if service.sla:
            missed = [p for p in service.sla if not p.met]
            # the longest period speaks for the window; clipped stubs at its edges do not
            last = max(service.sla, key=lambda p: p.period_end - p.period_start)
            if missed:
                missed_services += 1
                sla_text = f"[red]missed {len(missed)} of {len(service.sla)}[/]"
            else:
                sla_text = f"met, {last.sli:.2f}%"
            remaining = last.budget_remaining_seconds
            budget_text = _duration(remaining) if remaining >= 0 else f"[red]-{_duration(-remaining)}[/]"
            if counted >= 60 and not any(p.down_seconds for p in service.sla):
                not_down.append(f"{service.id} ({_duration(counted)} counted)")
        table.add_row(
            service.id + (" [red](safety)[/]" if facts.safety_critical else ""),
            _money(service.cost, currency),
            str(len(service.episodes)),
            _duration(counted),
            State(worst).label if service.episodes else "ok",
            sla_text,
            budget_text,
        )
    print_table(table)
    episodes = sum(len(s.episodes) for s in result.services)
    out.print(
        f"Downtime cost the business [bold]{_money(result.total_cost, currency)}[/] over {episodes} "
        f"episodes; {missed_services} service(s) missed an SLA period"
        + (
            f"; safety-critical services were impaired for {_duration(safety_seconds)} of counted time."
            if safety_seconds
            else "."
        ),
        soft_wrap=True,
    )
    if not_down:
        out.print(
            f"SLA met with time counted: {', '.join(not_down)}: none of it was down in SLA time. Degraded "
            "time counts against an SLA only with degraded_counts_as: down, and down time outside the "
            "SLA's calendar does not count.",
            soft_wrap=True,
            markup=False,
        )
    out.print(
        f"{result.applied:,} events applied, {result.duplicates:,} duplicates ignored, "
        f"{len(result.unmatched):,} unmatched. Counted time is inside the service's calendar, unplanned "
        "and not unknown; the budget left is for the longest SLA period in the window.",
        style="dim",
        soft_wrap=True,
    )
