"""Loading YAML: a day named twice in a calendar's hours gets the union of its ranges (§1); anchors,
aliases and merge keys work; hostile YAML (aliases expanding without end, an alias inside its own
anchor, nesting deeper than any model) is refused at its line, quickly and in little memory."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bizmap.model.loading import load_model


def test_a_day_named_twice_gets_the_union_of_its_ranges(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(
        "calendars:\n"
        "  office:\n"
        "    hours:\n"
        '      mon: "09:00-12:00"\n'
        '      mon: "13:00-17:00"\n'  # the same key twice: both ranges count
        '      mon-fri: "08:00-09:00"\n'  # and a range naming Monday again
        "services:\n"
        "  - {id: s, calendar: office}\n"
    )
    week = load_model(path).calendars["office"].weekly_minutes()
    assert week is not None
    # Monday: 08:00-09:00 joins 09:00-12:00 into 08:00-12:00 (480-720 min), then 13:00-17:00.
    assert week[0] == [(480, 720), (780, 1020)]
    assert week[1] == [(480, 540)]  # Tuesday: only the mon-fri range
    assert week[5] == []  # Saturday: closed


def test_a_duplicate_key_elsewhere_is_an_error(tmp_path: Path) -> None:
    from bizmap.domain.validate import ModelInvalid

    path = tmp_path / "model.yaml"
    path.write_text("services:\n  - id: s\n    name: One\n    name: Two\n")
    try:
        load_model(path)
    except ModelInvalid as invalid:
        assert [(p.line, "duplicate key 'name'" in p.message) for p in invalid.problems] == [(4, True)]
    else:
        raise AssertionError("a duplicate key must be reported")


def test_loading_a_model_keeps_none_of_its_yaml_parse_tree(tmp_path: Path) -> None:
    """A server loads its model at start and at every reload: the parse tree must not stay.

    (A shared YAML constructor once remembered every scalar node it had built, so each load
    kept the whole tree, about 60 objects per model node, for the life of the process.)
    """
    import gc

    import yaml

    path = tmp_path / "model.yaml"
    path.write_text("services:\n" + "".join(f"  - id: s{i}\n    name: Service {i}\n" for i in range(50)))
    for _ in range(2):
        assert len(load_model(path).services) == 50
    gc.collect()
    assert [o for o in gc.get_objects() if isinstance(o, yaml.Node)] == []


# --- hostile YAML: aliases that expand without end, nesting past any model's need ---------------


def laughs(levels: int) -> str:
    """A "billion laughs" text: each of ``levels`` lists holds ten aliases of the one before."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for before, name in itertools.pairwise("abcdefghijklmnopqrstuvwxyz"[:levels]):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{before}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def problems_of(path: Path) -> list[tuple[int | None, str]]:
    """(line, message) of every problem of the model at ``path``, which must be refused."""
    from bizmap.domain.validate import ModelInvalid

    try:
        load_model(path)
    except ModelInvalid as invalid:
        assert all(p.file == str(path) for p in invalid.problems)
        return [(p.line, p.message) for p in invalid.problems]
    raise AssertionError(f"{path} must be refused")


def test_aliases_expanding_a_small_file_to_a_billion_values_are_refused_at_the_alias(
    tmp_path: Path,
) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(laughs(9))  # 413 characters that would expand to over a billion values
    [(line, message)] = problems_of(path)
    # named at the largest alias, on the last line: *h, a list of 10 lists of ... of 10 values
    assert line == 9
    assert message.startswith("alias *h expands to 111,111,111 values")
    assert "write the values out or use fewer aliases" in message


@pytest.mark.parametrize(
    ("text", "line", "alias"),
    [
        pytest.param("a: &a [*a]\n", 1, "*a", id="a-list-holding-itself"),
        pytest.param("a: &a {b: *a}\n", 1, "*a", id="a-mapping-holding-itself"),
        pytest.param("x: 1\na: &a\n  b: [1, 2]\n  <<: *a\n", 4, "*a", id="a-mapping-merging-itself"),
        pytest.param("a: &a\n  - b: &b\n      - c: [1, *a]\n", 3, "*a", id="two-levels-down"),
    ],
)
def test_an_alias_inside_its_own_anchor_is_refused_at_the_alias(
    tmp_path: Path, text: str, line: int, alias: str
) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(text)
    assert [(n, alias in m and "inside" in m) for n, m in problems_of(path)] == [(line, True)]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # libyaml allows up to 1,000 levels; Python stops a recursion at 1,000 frames
        pytest.param("services: " + "[" * 999 + "]" * 999 + "\n", 1, id="flow-lists"),
        pytest.param("services: " + "{a: " * 999 + "1" + "}" * 999 + "\n", 1, id="flow-mappings"),
        pytest.param("services:\n" + "".join(" " * i + "-\n" for i in range(1, 999)), None, id="block-lists"),
        # neither line alone is deep, but the alias puts one inside the other: named at the alias
        pytest.param(
            "a: &a " + "[" * 60 + "1" + "]" * 60 + "\nb: " + "[" * 60 + "*a" + "]" * 60, 2, id="by-alias"
        ),
    ],
)
def test_nesting_deeper_than_any_model_needs_is_refused_at_its_line(
    tmp_path: Path, text: str, line: int | None
) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(text)
    [(at, message)] = problems_of(path)
    assert at is not None and at == (line or at)  # block lists: the line where the limit is passed
    assert "nested more than" in message and "levels deep" in message


def test_anchors_aliases_and_merge_keys_of_a_real_model_work(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(
        "components:\n"
        "  - &server {id: web1, owner: ops, mtbf_hours: 8760, mttr_hours: 4, type: server}\n"
        "  - <<: *server\n"
        "    id: web2\n"  # written keys win over merged ones
        "  - <<: [{id: db, owner: dba}, *server]\n"  # a list: the first mapping wins
        "services:\n"
        "  - id: shop\n"
        "    depends_on: &both [web1, web2]\n"
        "  - id: admin\n"
        "    depends_on: *both\n"
    )
    model = load_model(path)
    web1, web2, db = model.components
    assert (web1.id, web2.id, db.id) == ("web1", "web2", "db")
    assert (web2.owner, web2.mtbf_hours, web2.mttr_hours, web2.type) == ("ops", 8760, 4, "server")
    assert (db.owner, db.mtbf_hours, db.type) == ("dba", 8760, "server")
    shop, admin = model.services
    for service in (shop, admin):
        assert service.depends_on is not None
        assert [c.id for c in service.depends_on.children] == ["web1", "web2"]


def test_an_error_in_a_merged_value_names_the_node_and_the_line_of_the_value(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(
        "components:\n"
        "  - &server {id: web1, mtbf_hours: -1, mttr_hours: 4}\n"  # line 2: the bad value
        "  - <<: *server\n"
        "    id: web2\n"
    )
    problems = problems_of(path)
    assert [line for line, _ in problems] == [2, 2]
    assert all("mtbf_hours" in message for _, message in problems)
    assert "'web1'" in problems[0][1] and "'web2'" in problems[1][1]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("components:\n  - id: a\n    <<: 3\n", 3, id="a-number"),
        pytest.param("components:\n  - id: a\n    <<: [{owner: x}, [1]]\n", 3, id="a-list-in-the-list"),
    ],
)
def test_a_merge_key_of_no_mapping_is_an_error(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(text)
    [(at, message)] = problems_of(path)
    assert at == line and "<<" in message and "not a mapping" in message


def test_a_key_written_twice_beside_a_merge_is_still_a_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text("components:\n  - <<: {owner: x}\n    id: a\n    id: b\n")
    [(line, message)] = problems_of(path)
    assert line == 4 and "duplicate key 'id'" in message


def test_bizmap_validate_refuses_a_billion_laughs_quickly_in_little_memory(tmp_path: Path) -> None:
    """The whole command in a child process: its exit code, its words, its time and memory."""
    import os
    import resource
    import subprocess
    import sys
    import threading

    import bizmap

    (tmp_path / "model").mkdir()
    path = tmp_path / "model" / "laughs.yaml"
    path.write_text(laughs(9))

    def limit_memory() -> None:  # a safety net for this machine, far above what is asserted
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("w") as stdout, err.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", "from bizmap.cli.main import main; main()", "validate", str(path.parent)],
            stdout=stdout,
            stderr=stderr,
            preexec_fn=limit_memory,
            env={**os.environ, "PYTHONPATH": str(Path(bizmap.__file__).parents[1])},
        )
    deadline = threading.Timer(60, child.kill)
    deadline.start()
    try:  # wait4, not child.wait(): it gives the child's own peak memory
        _, status, usage = os.wait4(child.pid, 0)
    finally:
        deadline.cancel()
    child.returncode = os.waitstatus_to_exitcode(status)
    printed = out.read_text() + err.read_text()
    assert "Traceback" not in printed
    assert child.returncode == 1, printed
    assert err.read_text().startswith(f"{path}:9: error: alias *h"), printed
    assert usage.ru_utime + usage.ru_stime < 10  # seconds of CPU: starting Python takes most
    assert usage.ru_maxrss < 400 * 1024  # kilobytes


@pytest.mark.parametrize(
    ("value", "words"),
    [
        # an explicit tag on text that is no value of its type: the text is kept for validation
        ('!!bool ""', ["cost_per_month", "''"]),
        ('!!int ""', ["cost_per_month", "''"]),
        ("!!float ''", ["cost_per_month", "''"]),
        ("!!timestamp noon", ["cost_per_month", "'noon'"]),
        # a collection's tag on one value, or a tag no safe loader knows: refused at its line
        ("!!set x", ["tag", "set", "single value"]),
        ("!!seq x", ["tag", "seq", "single value"]),
        ("!!python/object:os.system x", ["tag", "python/object"]),
    ],
)
def test_an_explicit_tag_on_a_value_is_located_not_a_crash(
    tmp_path: Path, value: str, words: list[str]
) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(f"components:\n  - id: a\n    owner: x\n    cost_per_month: {value}\n")
    problems = problems_of(path)
    assert [line for line, _ in problems] == [4] and all(w in problems[0][1] for w in words), problems
