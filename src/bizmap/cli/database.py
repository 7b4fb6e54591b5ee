"""``bizmap db``: what a database holds, and backing it up and restoring it.

``backup`` may run while ``bizmap serve`` writes to the database (SQLite's online backup);
``restore`` replaces a database no server has open. PostgreSQL: pg_dump and pg_restore, as
docs/operations.md describes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bizmap.cli.common import JsonOpt, app, err, fail, out, print_json
from bizmap.settings import HELP, Settings

if TYPE_CHECKING:
    from bizmap.storage.backup import DatabaseStats

db_app = typer.Typer(help="The database: what it holds, backup and restore.", no_args_is_help=True)
app.add_typer(db_app, name="db")
DbOpt = Annotated[str, typer.Option(help=HELP["db"])]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace a file that exists.")]


def _size(size: int | None) -> str:
    if size is None:
        return "-"
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size //= 1024
    return f"{size:,} GB"


@db_app.command("backup")
def db_backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write.", show_default=False)],
    db: DbOpt = Settings.db,
    force: ForceOpt = False,
) -> None:
    """Copy a SQLite database to FILE, also while the server runs (one consistent moment)."""
    from bizmap.errors import UsageError
    from bizmap.storage.backup import backup

    try:
        copy = backup(db, file, overwrite=force)
    except UsageError as error:
        fail(f"error: {error}", 2)
    err.print(f"backed up {copy.events:,} events to {copy.path} ({_size(copy.size_bytes)})", markup=False)


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="A file written by `bizmap db backup`.", show_default=False)],
    db: DbOpt = Settings.db,
    force: ForceOpt = False,
) -> None:
    """Write a backup in place of a SQLite database; stop the server that uses it first."""
    from bizmap.errors import UsageError
    from bizmap.storage.backup import restore

    try:
        copy = restore(file, db, overwrite=force)
    except UsageError as error:
        fail(f"error: {error}", 2)
    err.print(f"restored {copy.events:,} events to {copy.path}; start the server on it", markup=False)


@db_app.command("stats")
def db_stats(db: DbOpt = Settings.db, json: JsonOpt = False) -> None:
    """What the database holds: events (and their time span), incidents, windows, size."""
    from dataclasses import asdict

    from bizmap.domain.calendar import format_time
    from bizmap.storage.backup import database_stats
    from bizmap.storage.store import Store, migrate

    migrate(db)
    with Store(db) as store:
        stats = database_stats(store.engine, db)
    if json:
        document = asdict(stats)
        for key in ("oldest_event", "newest_event", "newest_checkpoint_at"):
            document[key] = (
                None if document[key] is None else format_time(int(document[key]))
            )  # to the second
        print_json(document)
        return

    def when(moment: float | None) -> str:
        return "-" if moment is None else format_time(moment)

    lines = [
        ("database", stats.url),
        ("size", _size(stats.size_bytes)),
        ("events", f"{stats.events:,} ({stats.unmatched_events:,} matched no node)"),
        ("received", f"{when(stats.oldest_event)} to {when(stats.newest_event)}"),
        ("incidents", f"{stats.incidents:,} ({stats.open_incidents:,} open)"),
        ("maintenance windows added", f"{stats.maintenance_windows:,}"),
        ("API tokens in force", f"{stats.tokens:,}"),
        ("web UI users", f"{stats.users:,}"),
        ("checkpoints", _checkpoints(stats)),
        ("schema revision", stats.schema_revision or "-"),
    ]
    width = max(len(name) for name, _ in lines)
    for name, value in lines:
        out.print(f"{name:<{width}}  {value}", markup=False, highlight=False, soft_wrap=True)


def _checkpoints(stats: DatabaseStats) -> str:
    from bizmap.domain.calendar import format_time

    if not stats.checkpoints:
        return "none (the next start replays every event)"
    return (
        f"{stats.checkpoints} kept; the newest at event {stats.newest_checkpoint_event:,}, "
        f"taken {format_time(int(stats.newest_checkpoint_at or 0))}, {_size(stats.newest_checkpoint_bytes)}"
    )
