"""``bizmap user``: the people who log in to the web UI (add, list, remove).

It opens the database the way ``bizmap token create`` does (migrating it first), and keeps
only a scrypt hash of each password (``bizmap.storage.users``).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from bizmap.cli.common import JsonOpt, app, err, fail, print_json, print_table
from bizmap.settings import HELP, Settings

user_app = typer.Typer(
    help="People who log in to the web UI; each has a role (read, operate, admin).", no_args_is_help=True
)
app.add_typer(user_app, name="user")
DbOpt = Annotated[str, typer.Option(help=HELP["db"])]


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The name to log in with.", show_default=False)],
    role: Annotated[str, typer.Option(help="read, operate or admin.")] = "read",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
    ] = False,
    db: DbOpt = Settings.db,
) -> None:
    """Add a user; the password is asked for (twice), or read from stdin with --password-stdin."""
    from bizmap.storage.store import Store, migrate
    from bizmap.storage.users import UserError, UserStore

    if role not in ("read", "operate", "admin"):
        fail(f"error: unknown role {role!r} for a person: use read, operate or admin", 2)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    migrate(db)
    with Store(db) as store:
        try:
            UserStore(store.engine).add_user(name, role, password)
        except UserError as error:
            fail(f"error: {error}", 1)
        store.audit("cli", "user.add", {"name": name, "role": role})
    err.print(f"user {name!r} with role {role} can log in at /login", markup=False)


@user_app.command("list")
def user_list(db: DbOpt = Settings.db, json: JsonOpt = False) -> None:
    """List the users and their roles."""
    from rich.table import Table

    from bizmap.domain.calendar import format_time
    from bizmap.storage.store import Store, migrate
    from bizmap.storage.users import UserStore

    migrate(db)
    with Store(db) as store:
        users = UserStore(store.engine).list_users()
    if json:
        print_json(
            [{"name": u.name, "role": u.role, "created_at": format_time(int(u.created_at))} for u in users]
        )
        return
    table = Table(title="Users of the web UI")
    for column in ("name", "role", "created"):
        table.add_column(column)
    for user in users:
        table.add_row(user.name, user.role, format_time(int(user.created_at)))
    print_table(table)


@user_app.command("remove")
def user_remove(
    name: Annotated[str, typer.Argument(help="The user's name.", show_default=False)],
    db: DbOpt = Settings.db,
) -> None:
    """Remove a user; their sessions end at once."""
    from bizmap.storage.store import Store, migrate
    from bizmap.storage.users import UserStore

    migrate(db)
    with Store(db) as store:
        if not UserStore(store.engine).remove_user(name):
            fail(f"error: no user named {name!r}: see `bizmap user list`", 1)
        store.audit("cli", "user.remove", {"name": name})
    err.print(f"removed user {name!r}", markup=False)
