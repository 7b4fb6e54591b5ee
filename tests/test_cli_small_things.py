"""Small things a daily user of the command line trips over (issue 20)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from bizmap.cli.replay import progress_columns
from helpers import run_cli

HOSPITAL = "examples/hospital"


def test_a_misspelt_node_gets_the_nearest_id() -> None:
    result = run_cli("whatif", HOSPITAL, "--down", "dns-cor")
    assert result.exit_code == 2
    assert "unknown node 'dns-cor': did you mean 'dns-core'?" in result.stderr
    result = run_cli("graph", HOSPITAL, "--service", "imagng")
    assert result.exit_code == 2
    assert "unknown node 'imagng': did you mean 'imaging'?" in result.stderr


def test_an_id_like_nothing_says_where_the_ids_are() -> None:
    result = run_cli("graph", HOSPITAL, "--service", "zzzzzz")
    assert result.exit_code == 2
    assert "unknown node 'zzzzzz': check the id with `bizmap graph`" in result.stderr


def test_maintenance_without_a_token_says_how_to_get_one() -> None:
    result = run_cli("maintenance", "list", "--token", "", "--url", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "no token" in result.stderr and "BIZMAP_TOKEN" in result.stderr
    assert "Illegal header" not in result.stderr


def test_the_replay_progress_counts_bytes_then_events() -> None:
    console = Console(record=True, width=120, force_terminal=False)
    progress = Progress(*progress_columns(), console=console, disable=False)
    reading = progress.add_task("reading events", total=300_000, unit="bytes")
    applying = progress.add_task("replaying", total=2_700)
    progress.advance(reading, 300_000)
    progress.advance(applying, 1_350)
    console.print(progress.make_tasks_table(progress.tasks))
    shown = console.export_text()
    reading_line, applying_line = (line for line in shown.splitlines() if line.strip())
    assert "300.0/300.0 kB" in reading_line
    assert "1,350/2,700 events" in applying_line and "kB" not in applying_line


def test_each_demo_shows_the_same_admin_token_while_it_works(tmp_path: Path) -> None:
    from bizmap.cli.main import _demo_token_file, demo_token
    from bizmap.storage.store import Store, migrate

    db = f"sqlite:///{tmp_path / 'bizmap-demo.db'}"
    migrate(db)
    kept = _demo_token_file(db)
    assert kept == tmp_path / "bizmap-demo.db.token"
    with Store(db) as store:
        first = demo_token(store, kept)
        assert demo_token(store, kept) == first  # the second `make demo`
        assert kept.read_text().strip() == first and kept.stat().st_mode & 0o777 == 0o600
        info = store.verify_token(first)
        assert info is not None and info.role == "admin"

        kept.unlink()  # lost: a new token, and the old one stops working
        second = demo_token(store, kept)
        assert second != first and store.verify_token(first) is None

        kept.write_text("bzm_not-a-token\n")  # edited by hand: replaced, never trusted
        third = demo_token(store, kept)
        assert third not in (second, "bzm_not-a-token") and store.verify_token(second) is None
