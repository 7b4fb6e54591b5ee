"""The ``bizmap`` command line: thin shells over the domain and analytics functions.

Human output is Rich tables on stdout; ``--json`` prints the documents of semantics §5.
Problems in the model exit 1 with one ``FILE:LINE: error: MESSAGE`` per line on stderr;
wrong arguments exit 2.

Each command imports what it uses inside its function: a user waits for the imports of the
command they run, not of every command (``bizmap whatif`` loads neither scipy nor the web
server; tests/test_cli_imports.py checks it). The ``bizmap`` script starts in
``bizmap.cli.entry``, which answers ``--version`` alone without building this app.
"""

from __future__ import annotations

import copy
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.main import get_command_name

from bizmap import __version__
from bizmap.cli.common import JsonOpt, ModelArg, app, err, out, print_table
from bizmap.cli.common import fail as _fail
from bizmap.cli.common import graph_or_exit as _graph
from bizmap.cli.common import print_json as _print_json
from bizmap.errors import BizmapError, UsageError
from bizmap.settings import HELP, Settings, checked_zone, parse_trusted_proxies
from bizmap.text import money_text as _money

if TYPE_CHECKING:
    from rich.table import Table

    from bizmap.analytics.spof import RankedPoint, ServiceSinglePoints
    from bizmap.domain.compile import CompiledGraph
    from bizmap.domain.states import State
    from bizmap.storage.store import Store


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        out.print(f"bizmap {__version__}")
        raise typer.Exit(0)


@app.command()
def validate(model: ModelArg) -> None:
    """Check a model and report every error, one per line, as FILE:LINE: error: MESSAGE."""
    from bizmap.domain.summary import model_summary

    graph = _graph(model)
    out.print(
        f"{model}: valid: {model_summary(graph)}",
        markup=False,
        highlight=False,
        soft_wrap=True,  # one line however narrow the terminal: scripts read it
    )


def _suggestion(node_id: str, graph: CompiledGraph) -> str:
    """``: did you mean 'dns-core'?`` for a near spelling, else where to find the ids."""
    from bizmap.domain.near_miss import closest_node_ids

    close = closest_node_ids(node_id, graph.ids, limit=1)
    return f": did you mean {close[0]!r}?" if close else ": check the id with `bizmap graph`"


def _node_list(graph: CompiledGraph, text: str | None, state: State, chosen: dict[int, State]) -> None:
    if not text:
        return
    for raw in text.split(","):
        node_id = raw.strip()
        if not node_id:
            continue
        if node_id not in graph.index:
            raise UsageError(f"unknown node {node_id!r}{_suggestion(node_id, graph)}")
        index = graph.index[node_id]
        if index in chosen and chosen[index] != state:
            raise UsageError(f"node {node_id!r} is given two states ({chosen[index]} and {state})")
        chosen[index] = state


@app.command()
def whatif(
    model: ModelArg,
    down: Annotated[str | None, typer.Option(help="Comma-separated nodes that fail.")] = None,
    degraded: Annotated[str | None, typer.Option(help="Comma-separated nodes that degrade.")] = None,
    unknown: Annotated[str | None, typer.Option(help="Comma-separated nodes whose state is unknown.")] = None,
    json: JsonOpt = False,
) -> None:
    """What if these nodes fail? Business services hit, cost per hour, people affected."""
    from bizmap.analytics.whatif import what_if, whatif_document
    from bizmap.domain.states import State

    graph = _graph(model)
    chosen: dict[int, State] = {}
    try:
        _node_list(graph, down, State.DOWN, chosen)
        _node_list(graph, degraded, State.DEGRADED, chosen)
        _node_list(graph, unknown, State.UNKNOWN, chosen)
    except UsageError as error:
        _fail(f"error: {error}", 2)
    if not chosen:
        _fail("error: name at least one node with --down, --degraded or --unknown", 2)
    result = what_if(graph, chosen)
    if json:
        _print_json(whatif_document(result))
        return
    if not result.services:
        out.print("No business service is affected: the redundancy holds.")
        return
    from rich.table import Table

    table = Table(title="What if: business services affected")
    for column in ("service", "state", "cost per hour", "people", "safety", "root causes"):
        table.add_column(column, justify="right" if column in ("cost per hour", "people") else "left")
    for s in result.services:
        table.add_row(
            s.id,
            s.state.label,
            _money(s.cost_per_hour, graph.currency),
            f"{s.users:,}",
            "[bold red]AT RISK[/]" if s.safety_critical else "",
            ", ".join(s.root_causes),
        )
    print_table(table)
    out.print(
        f"Total: {_money(result.total_cost_per_hour, graph.currency)} per hour, "
        f"{result.users_affected:,} people cannot work normally."
    )


@app.command()
def spof(
    model: ModelArg,
    json: JsonOpt = False,
    by_service: Annotated[
        bool, typer.Option("--by-service", help="List the single points of each business service instead.")
    ] = False,
) -> None:
    """Single points of failure: the parts whose failure alone leaves a business service non-ok,
    costliest first (cost per hour and people if it fails alone, the services it stops)."""
    from bizmap.analytics.spof import ranked_single_points, single_points_of_failure, spof_document

    graph = _graph(model)
    if json:
        _print_json(spof_document(graph))
        return
    if by_service:
        print_table(_spof_by_service_table(single_points_of_failure(graph)))
        return
    ranked = ranked_single_points(graph)
    if not ranked:
        out.print("No single point of failure: no part alone can stop a business service.")
        return
    print_table(_spof_ranked_table(ranked, graph.currency))


def _spof_ranked_table(ranked: list[RankedPoint], currency: str) -> Table:
    from rich.table import Table

    costs = [_money(point.cost_per_hour, currency) for point in ranked]
    people = [f"{point.users_affected:,}" for point in ranked]
    table = Table(title="Single points of failure, costliest first (each failing alone)")
    table.add_column("node", overflow="fold")
    # money and counts are never cut or folded: their columns are as wide as their widest figure
    table.add_column("cost per hour", justify="right", no_wrap=True, min_width=max(map(len, costs)))
    table.add_column("people", justify="right", no_wrap=True, min_width=max(map(len, people)))
    table.add_column("services it stops or degrades")
    for point, cost, count in zip(ranked, costs, people, strict=True):
        table.add_row(point.node, cost, count, ", ".join(point.services))
    return table


def _spof_by_service_table(found: list[ServiceSinglePoints]) -> Table:
    from rich.table import Table

    from bizmap.domain.states import State

    table = Table(title="Single points of failure (each alone takes the service down or degrades it)")
    table.add_column("service")
    table.add_column("down if any of these fails")
    table.add_column("degraded if any of these fails")
    for s in found:
        downs = [p.node for p in s.single_points if p.effect == State.DOWN]
        degrades = [p.node for p in s.single_points if p.effect != State.DOWN]
        table.add_row(s.id, ", ".join(downs) or "-", ", ".join(degrades) or "-")
    return table


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="The model file to write.", show_default=True)] = Path(
        "model.yaml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Replace a file that exists.")] = False,
) -> None:
    """Write a starter model with comments: two business services, their components, a calendar."""
    from importlib.resources import files

    if path.exists() and not force:
        _fail(f"error: {path} exists; choose another name or give --force to replace it", 2)
    starter = files("bizmap.model").joinpath("templates/starter.yaml").read_text(encoding="utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(starter, encoding="utf-8")
    except OSError as error:
        _fail(f"error: cannot write {path}: {error.strerror}", 1)
    err.print(
        f"wrote {path}: a starter model to edit. Next:\n"
        f"  bizmap validate {path}\n"
        f"  bizmap whatif {path} --down db\n"
        f"  bizmap spof {path}\n"
        f"  bizmap serve {path}",
        markup=False,
        highlight=False,
        soft_wrap=True,  # commands to copy: never broken across lines
    )


@app.command()
def graph(
    model: ModelArg,
    format: Annotated[
        str, typer.Option("--format", "-f", help="Output format: dot (Graphviz) or mermaid.")
    ] = "dot",
    service: Annotated[str | None, typer.Option(help="Only this node and everything below it.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Export the dependency graph as Graphviz DOT or Mermaid."""
    from bizmap.model.export import to_dot, to_mermaid

    compiled = _graph(model)
    roots = None
    if service is not None:
        if service not in compiled.index:
            _fail(f"error: unknown node {service!r}{_suggestion(service, compiled)}", 2)
        roots = [compiled.index[service]]
    if format == "dot":
        text = to_dot(compiled, roots)
    elif format == "mermaid":
        text = to_mermaid(compiled, roots)
    else:
        _fail(f"error: unknown format {format!r}: use dot or mermaid", 2)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")


def main() -> None:
    try:
        app_for(sys.argv[1:])()
    except BizmapError as error:  # a last guard: user errors never end in a traceback
        err.print(f"error: {error}", markup=False, highlight=False)
        sys.exit(2 if isinstance(error, UsageError) else 1)


def app_for(arguments: Sequence[str]) -> typer.Typer:
    """``app`` holding only the command (or command group) that ``arguments`` name.

    Typer builds every command it holds at each run (signatures, help, parameter types), 40 to
    60 ms for all of bizmap's against 3 for one. Arguments that start with an option
    (``--help``) or name no command get the whole app: its help lists every command, and a
    mistyped name gets its suggestion.
    """
    if not arguments or arguments[0].startswith("-"):
        return app
    name = arguments[0]
    commands = [
        command
        for command in app.registered_commands
        if command.callback is not None
        and (command.name or get_command_name(command.callback.__name__)) == name
    ]
    groups = [group for group in app.registered_groups if group.name == name]
    if not commands and not groups:
        return app
    only = copy.copy(app)
    only.registered_commands = commands
    only.registered_groups = groups
    return only


@app.command()
def serve(
    model: ModelArg,
    db: Annotated[str, typer.Option(help=HELP["db"])] = Settings.db,
    host: Annotated[str, typer.Option(help=HELP["host"])] = Settings.host,
    port: Annotated[int, typer.Option(help=HELP["port"])] = Settings.port,
    max_body_bytes: Annotated[int, typer.Option(help=HELP["max_body_bytes"])] = Settings.max_body_bytes,
    max_batch_events: Annotated[int, typer.Option(help=HELP["max_batch_events"])] = Settings.max_batch_events,
    max_event_age_seconds: Annotated[
        float, typer.Option(help=HELP["max_event_age_seconds"])
    ] = Settings.max_event_age_seconds,
    max_event_lead_seconds: Annotated[
        float, typer.Option(help=HELP["max_event_lead_seconds"])
    ] = Settings.max_event_lead_seconds,
    notify: Annotated[str, typer.Option(help=HELP["notify"])] = Settings.notify,
    reports: Annotated[str, typer.Option(envvar="BIZMAP_REPORTS", help=HELP["reports"])] = Settings.reports,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(envvar="BIZMAP_TRUSTED_PROXY", metavar="ADDRESS", help=HELP["trusted_proxy"]),
    ] = None,
    checkpoint_seconds: Annotated[
        float, typer.Option(min=1.0, help=HELP["checkpoint_seconds"])
    ] = Settings.checkpoint_seconds,
    timezone: Annotated[
        str, typer.Option(envvar="BIZMAP_TIMEZONE", metavar="ZONE", help=HELP["timezone"])
    ] = Settings.timezone,
) -> None:
    """Run the live server: ingest events, keep the business view current, serve the API."""
    import uvicorn

    from bizmap.reports.schedule import ScheduleConfigError, check_for_server, load_schedule_config
    from bizmap.web.app import create_app

    try:
        proxies = parse_trusted_proxies(trusted_proxy or ())
        checked_zone(timezone)
    except UsageError as error:
        _fail(f"error: {error}", 2)
    compiled = _graph(model)  # refuse an invalid model before anything starts
    if reports:  # and a bad reports config, with its file, line and key (not a start-up traceback)
        try:
            check_for_server(load_schedule_config(reports), compiled)
        except ScheduleConfigError as error:
            _fail(error.message, 1)
    settings = Settings(
        model=str(model),
        db=db,
        host=host,
        port=port,
        max_body_bytes=max_body_bytes,
        max_batch_events=max_batch_events,
        max_event_age_seconds=max_event_age_seconds,
        max_event_lead_seconds=max_event_lead_seconds,
        notify=notify,
        reports=reports,
        trusted_proxy=",".join(proxies),
        checkpoint_seconds=checkpoint_seconds,
        timezone=timezone,
    )
    err.print(f"bizmap serving {model} on http://{host}:{port} (database {db})", markup=False)
    if reports:
        err.print(f"scheduled reports from {reports}", markup=False)
    if proxies:
        err.print(f"X-Forwarded-For and X-Forwarded-Proto believed from {', '.join(proxies)}", markup=False)
    uvicorn.run(
        create_app(settings, manage_heap=True),
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told: a local client could
        # then name any address it likes (and escape the login throttle)
        proxy_headers=bool(proxies),
        forwarded_allow_ips=list(proxies),
    )


token_app = typer.Typer(
    help="API tokens: each has a role (read, ingest, operate, admin).", no_args_is_help=True
)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="read, ingest, operate or admin.")],
    name: Annotated[str | None, typer.Option(help="A name to recognise it by (default: ROLE-N).")] = None,
    db: Annotated[str, typer.Option(help=HELP["db"])] = Settings.db,
) -> None:
    """Create a token and print it once; only its hash is stored."""
    from bizmap.storage.store import Store, migrate

    if role not in ("read", "ingest", "operate", "admin"):
        _fail(f"error: unknown role {role!r}: use read, ingest, operate or admin", 2)
    migrate(db)
    store = Store(db)
    try:
        chosen = name or f"{role}-{len(store.list_tokens()) + 1}"
        secret = store.create_token(chosen, role)
        store.audit("cli", "token.create", {"name": chosen, "role": role})
    finally:
        store.close()
    sys.stdout.write(secret + "\n")
    err.print(f"token {chosen!r} with role {role}: keep it safe, it is not shown again", markup=False)


maintenance_app = typer.Typer(
    help="Maintenance windows of a running server (planned work costs nothing and leaves SLAs alone).",
    no_args_is_help=True,
)
app.add_typer(maintenance_app, name="maintenance")
UrlOpt = Annotated[str, typer.Option(envvar="BIZMAP_URL", help="The server's address (env BIZMAP_URL).")]
TokenOpt = Annotated[
    str, typer.Option(envvar="BIZMAP_TOKEN", help="An operate or admin token (env BIZMAP_TOKEN).")
]


def _call(method: str, url: str, token: str, path: str, body: Any = None) -> Any:
    import httpx

    token = token.strip()  # pasted with a newline, or set to nothing
    if not token:
        _fail(
            "error: no token: give --token or set BIZMAP_TOKEN to an operate or admin token "
            "(`bizmap token create --role operate` makes one)",
            2,
        )

    try:
        response = httpx.request(
            method,
            url.rstrip("/") + path,
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
    except httpx.HTTPError as error:
        _fail(f"error: cannot reach {url}: {error}", 1)
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        _fail(f"error: {response.status_code}: {detail}", 1)
    return response.json()


@maintenance_app.command("add")
def maintenance_add(
    nodes: Annotated[str, typer.Option(help="Comma-separated nodes the work touches.")],
    start: Annotated[str, typer.Option(help="RFC 3339 start, e.g. 2026-11-07T22:00:00Z.")],
    end: Annotated[str, typer.Option(help="RFC 3339 end.")],
    reason: Annotated[str, typer.Option(help="What the work is, for the people who read the reports.")],
    id: Annotated[str | None, typer.Option(help="An id (default: generated).")] = None,
    url: UrlOpt = "http://127.0.0.1:8000",
    token: TokenOpt = "",
) -> None:
    """Add a maintenance window to a running server."""
    body = {
        "nodes": [n.strip() for n in nodes.split(",") if n.strip()],
        "start": start,
        "end": end,
        "reason": reason,
        "id": id,
    }
    window = _call("POST", url, token, "/api/v1/maintenance", body)
    out.print(
        f"added maintenance window {window['id']}: {', '.join(window['nodes'])} "
        f"from {window['start']} to {window['end']}",
        markup=False,
    )


@maintenance_app.command("list")
def maintenance_list(
    url: UrlOpt = "http://127.0.0.1:8000", token: TokenOpt = "", json: JsonOpt = False
) -> None:
    """List the maintenance windows (from the model and added through the API)."""
    windows = _call("GET", url, token, "/api/v1/maintenance")["windows"]
    if json:
        _print_json(windows)
        return
    from rich.table import Table

    table = Table(title="Maintenance windows")
    for column in ("id", "nodes", "start", "end", "reason", "from"):
        table.add_column(column)
    for w in windows:
        table.add_row(w["id"], ", ".join(w["nodes"]), w["start"], w["end"], w["reason"] or "", w["source"])
    print_table(table)


@maintenance_app.command("remove")
def maintenance_remove(
    window_id: Annotated[str, typer.Argument(help="The window's id.", show_default=False)],
    url: UrlOpt = "http://127.0.0.1:8000",
    token: TokenOpt = "",
) -> None:
    """End a maintenance window now (or cancel one that has not begun)."""
    _call("DELETE", url, token, f"/api/v1/maintenance/{window_id}")
    out.print(f"ended maintenance window {window_id}", markup=False)


def _demo_token_file(db: str) -> Path | None:
    """Beside a SQLite demo database: ``bizmap-demo.db.token`` (PostgreSQL: none)."""
    from bizmap.storage.engine import database_url

    parsed = database_url(db)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database + ".token")


def demo_token(store: Store, keep_in: Path | None) -> str:
    """The demo's admin token: the one kept beside the database while it still works, so that
    each ``make demo`` shows the same token; else a new one (the old demo tokens revoked)."""
    if keep_in is not None and keep_in.exists():
        kept = keep_in.read_text(encoding="utf-8").strip()
        info = store.verify_token(kept) if kept else None
        if info is not None and info.role == "admin" and info.name.startswith("demo-admin"):
            return kept
    previous = [t.name for t in store.list_tokens(include_revoked=True) if t.name.startswith("demo-admin")]
    for old in previous:
        store.revoke_token(old)
    name = f"demo-admin-{len(previous) + 1}"
    secret = store.create_token(name, "admin")
    store.audit("cli", "token.create", {"name": name, "role": "admin"})
    if keep_in is not None:
        keep_in.touch(mode=0o600)
        keep_in.chmod(0o600)
        keep_in.write_text(secret + "\n", encoding="utf-8")
    return secret


@app.command()
def demo(
    model: Annotated[Path, typer.Option(help="The model to serve.")] = Path("examples/hospital"),
    db: Annotated[str, typer.Option(help=HELP["db"])] = "sqlite:///bizmap-demo.db",
    port: Annotated[int, typer.Option(help=HELP["port"])] = Settings.port,
    seed: Annotated[int, typer.Option(help="Seed of the simulator: the same seed plays the same story.")] = 1,
) -> None:
    """Serve a model on 127.0.0.1 with a built-in simulator playing realistic incidents."""
    import uvicorn

    from bizmap.storage.store import Store, migrate
    from bizmap.web.app import create_app, with_simulator

    _graph(model)  # refuse an invalid model before anything starts
    migrate(db)
    token_file = _demo_token_file(db)
    with Store(db) as store:
        secret = demo_token(store, token_file)
    url = f"http://127.0.0.1:{port}"
    month = time.strftime("%Y-%m", time.gmtime())  # report periods are UTC months
    out.print(
        f"bizmap demo: {model} with a simulator playing incidents (database {db})\n\n"
        f"  URL:         {url}\n  admin token: {secret}"
        + (f" (kept in {token_file}: the next demo shows the same)" if token_file else "")
        + "\n\n"
        f"Open {url}/ in a browser and log in with the admin token: the live overview.\n\n"
        "Or the API:\n"
        f'  curl -H "Authorization: Bearer {secret}" {url}/api/v1/services\n'
        f'  curl -H "Authorization: Bearer {secret}" {url}/api/v1/incidents\n'
        f'  curl -H "Authorization: Bearer {secret}" "{url}/api/v1/events?source=simulator"\n\n'
        f"Reports on what it played (in another terminal, while it runs or after):\n"
        f"  bizmap report incidents --db {db} --model {model}\n"
        f"  bizmap report incident ID --db {db} --model {model}\n"
        f"  bizmap report review --period {month} --db {db} --model {model}\n"
        f"  bizmap report executive --period {month} --db {db} --model {model}\n\n"
        "Ctrl-C stops it.",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    settings = Settings(model=str(model), db=db, host="127.0.0.1", port=port)
    app_ = with_simulator(create_app(settings, manage_heap=True), seed)
    uvicorn.run(app_, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)


# Command groups in their own modules add themselves to ``app`` when imported.
from bizmap.cli import (  # noqa: E402
    availability,  # noqa: F401
    bia,  # noqa: F401
    case,  # noqa: F401
    database,  # noqa: F401
    imports,  # noqa: F401
    replay,  # noqa: F401
    report,  # noqa: F401
    slo,  # noqa: F401
    user,  # noqa: F401
)
