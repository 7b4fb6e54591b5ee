"""`bizmap user add|list|remove`: people for the web UI, kept in the server's database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

from bizmap.storage.store import Store
from bizmap.storage.users import UserStore


def user_cli(*args: str, input: str | None = None) -> Result:
    from bizmap.cli.main import app

    result = CliRunner().invoke(app, ["user", *args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_add_list_login_and_remove(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    added = user_cli(
        "add", "ada", "--role", "operate", "--password-stdin", "--db", db, input="correct horse\n"
    )
    assert added.exit_code == 0, added.stderr
    assert "'ada' with role operate" in added.stderr

    listed = user_cli("list", "--db", db, "--json")
    assert [(u["name"], u["role"]) for u in json.loads(listed.stdout)] == [("ada", "operate")]
    with Store(db) as store:
        assert UserStore(store.engine).check_password("ada", "correct horse") is not None

    assert user_cli("remove", "ada", "--db", db).exit_code == 0
    assert json.loads(user_cli("list", "--db", db, "--json").stdout) == []


def test_the_password_is_asked_twice_without_stdin(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    result = user_cli("add", "bob", "--db", db, input="long enough\nlong enough\n")
    assert result.exit_code == 0, result.stderr
    with Store(db) as store:
        user = UserStore(store.engine).check_password("bob", "long enough")
    assert user is not None
    assert user.role == "read"  # the default


def test_bad_requests_exit_with_a_message(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'bizmap.db'}"
    wrong_role = user_cli(
        "add", "ada", "--role", "ingest", "--password-stdin", "--db", db, input="long enough\n"
    )
    assert wrong_role.exit_code == 2
    assert "unknown role 'ingest'" in wrong_role.stderr

    short = user_cli("add", "ada", "--password-stdin", "--db", db, input="short\n")
    assert short.exit_code == 1
    assert "at least 8 characters" in short.stderr

    user_cli("add", "ada", "--password-stdin", "--db", db, input="long enough\n")
    twice = user_cli("add", "ada", "--password-stdin", "--db", db, input="long enough\n")
    assert twice.exit_code == 1
    assert "'ada' exists" in twice.stderr

    missing = user_cli("remove", "nobody", "--db", db)
    assert missing.exit_code == 1
    assert "no user named 'nobody'" in missing.stderr
