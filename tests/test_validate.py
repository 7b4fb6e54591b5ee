"""`bizmap validate` (semantics §1 "Validation"): every error located, named, and all in one run.

Each case is a model written to disk with the offending lines marked ``# ERR``; the test
expects, for every marked line, one stderr line ``FILE:LINE: error: ...`` that names the
offending id or key, nothing else reported as an error, and exit code 1.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest

from helpers import SECTION_9_MODEL, model_from_yaml, nonempty_lines, run_cli, write_text

ERROR_LINE = re.compile(r"^(?P<file>.+?)(?::(?P<line>\d+))?: error: (?P<message>.+)$")


def marked_lines(text: str) -> list[int]:
    """1-based numbers of the lines carrying an ``# ERR`` marker, in the dedented text."""
    return [n for n, line in enumerate(textwrap.dedent(text).splitlines(), start=1) if "# ERR" in line]


def error_lines(stderr: str) -> list[str]:
    """The ``FILE[:LINE]: error: MESSAGE`` lines of stderr; every stderr line must be one."""
    lines = nonempty_lines(stderr)
    assert all(ERROR_LINE.match(line) for line in lines), lines
    return lines


def assert_reported(stderr: str, expected: Sequence[tuple[Path, int | None, Sequence[str]]]) -> None:
    """Exactly the expected errors: each at its FILE:LINE and naming every fragment given."""
    errors = error_lines(stderr)
    unused = list(errors)
    for path, line, fragments in expected:
        prefix = f"{path}:{line}: error: " if line is not None else f"{path}: error: "
        found = [e for e in unused if e.startswith(prefix) and all(f in e for f in fragments)]
        assert found, f"no error {prefix!r} naming {list(fragments)} in:\n" + "\n".join(errors)
        unused.remove(found[0])
    assert not unused, "unexpected errors:\n" + "\n".join(unused)


def validate_file(tmp_path: Path, text: str, fragments: Sequence[Sequence[str]]) -> None:
    """Validate one model file; its ``# ERR`` lines pair up, in order, with ``fragments``."""
    path = write_text(tmp_path / "model.yaml", text)
    lines = marked_lines(text)
    assert len(lines) == len(fragments), "test bug: one fragment list per # ERR marker"
    result = run_cli("validate", path)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stdout == ""
    assert_reported(result.stderr, [(path, n, f) for n, f in zip(lines, fragments, strict=True)])


# ---------------------------------------------------------------------------------------------
# YAML syntax


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            """\
            services:
              - id: web
                name: shop: online   # ERR
            """,
            id="mapping-value-in-plain-scalar",
        ),
        pytest.param(
            """\
            services:
              - id: web
            \tname: shop   # ERR
            """,
            id="tab-indentation",
        ),
        pytest.param(
            """\
            services:
              - id: web
               name: shop   # ERR
            """,
            id="bad-indentation",
        ),
    ],
)
def test_yaml_syntax_error_is_located_and_alone(tmp_path: Path, text: str) -> None:
    # only the syntax error: no follow-up such as "no model files found" for a file that exists
    validate_file(tmp_path, text, [["YAML"]])


def test_duplicate_yaml_key_is_an_error_naming_the_key(tmp_path: Path) -> None:
    # YAML keeps only the last of two equal keys: a silent loss, so an error
    validate_file(
        tmp_path,
        """\
        services:
          - id: web
            name: Shop
            name: Web shop   # ERR
        """,
        [["name"]],
    )


# ---------------------------------------------------------------------------------------------
# unknown keys


UNKNOWN_KEYS = {
    "top-level": (
        """\
        currency: EUR
        servces:   # ERR
          - id: web
        """,
        ["servces"],
    ),
    "service": (
        """\
        services:
          - id: web
            revenue_per_hour: 100   # ERR
        """,
        ["web", "revenue_per_hour"],
    ),
    "impact": (
        """\
        services:
          - id: web
            impact:
              revenue_per_hr: 100   # ERR
        """,
        ["web", "revenue_per_hr"],
    ),
    "workaround": (
        """\
        services:
          - id: web
            workaround:
              impact_factor: 0.5
              max_hour: 2   # ERR
        """,
        ["web", "max_hour"],
    ),
    "sla": (
        """\
        services:
          - id: web
            sla:
              target: 99
              periode: week   # ERR
        """,
        ["web", "periode"],
    ),
    "calendar": (
        """\
        calendars:
          office:
            timezon: Europe/Paris   # ERR
        services:
          - id: web
            calendar: office
        """,
        ["office", "timezon"],
    ),
    "holidays": (
        """\
        calendars:
          office:
            holidays:
              country: GB
              date: [2026-12-25]   # ERR
        """,
        ["office", "date"],
    ),
    "depends-on": (
        """\
        services:
          - id: web
            depends_on:
              rules: any   # ERR
              children: [db]
        components:
          - id: db
        """,
        ["web", "rules"],
    ),
    "child": (
        """\
        services:
          - id: web
            depends_on:
              - {id: db, wieght: 2}   # ERR
        components:
          - id: db
        """,
        ["web", "wieght"],
    ),
    "component": (
        """\
        components:
          - id: db
            typ: database   # ERR
        """,
        ["db", "typ"],
    ),
    "component-with-service-key": (
        """\
        components:
          - id: db
            impact: {users: 3}   # ERR
        """,
        ["db", "impact"],
    ),
    "maintenance": (
        """\
        components:
          - id: db
        maintenance:
          - id: mw-1
            nodes: [db]
            start: 2026-11-07T22:00:00Z
            end: 2026-11-08T02:00:00Z
            reasons: patching   # ERR
        """,
        ["mw-1", "reasons"],
    ),
}


@pytest.mark.parametrize(("text", "fragments"), UNKNOWN_KEYS.values(), ids=UNKNOWN_KEYS.keys())
def test_unknown_key_is_an_error_naming_the_key(tmp_path: Path, text: str, fragments: list[str]) -> None:
    validate_file(tmp_path, text, [fragments])


# ---------------------------------------------------------------------------------------------
# ids


MISSING_IDS = {
    "service": (
        """\
        services:
          - name: Web shop   # ERR
        """,
        ["id"],
    ),
    "component": (
        """\
        components:
          - id: db
          - type: host   # ERR
        """,
        ["id"],
    ),
    "maintenance": (
        """\
        components:
          - id: db
        maintenance:
          - nodes: [db]   # ERR
            start: 2026-11-07T22:00:00Z
            end: 2026-11-08T02:00:00Z
        """,
        ["id"],
    ),
}


@pytest.mark.parametrize(("text", "fragments"), MISSING_IDS.values(), ids=MISSING_IDS.keys())
def test_missing_id_is_an_error(tmp_path: Path, text: str, fragments: list[str]) -> None:
    validate_file(tmp_path, text, [fragments])


@pytest.mark.parametrize("bad_id", ["Web", "-web", "web shop", "wéb"])
def test_malformed_id_is_an_error_naming_it(tmp_path: Path, bad_id: str) -> None:
    # ids are [a-z0-9][a-z0-9._-]*
    validate_file(
        tmp_path,
        f"""\
        services:
          - id: "{bad_id}"   # ERR
        """,
        [[bad_id]],
    )


# Written as YAML double-quoted escapes: NUL, ESC (a terminal colour), DEL, a C1 control (NEL),
# and the tab and newline that would otherwise be stripped away silently.
CONTROL_CHARACTERS = {
    "nul": ("\\0", "\\x00"),
    "escape": ("\\e[31m", "\\x1b"),
    "delete": ("\\x7f", "\\x7f"),
    "next-line": ("\\N", "\\x85"),
    "tab": ("\\t", "\\t"),
    "newline": ("\\n", "\\n"),
}


@pytest.mark.parametrize(("written", "shown"), CONTROL_CHARACTERS.values(), ids=CONTROL_CHARACTERS.keys())
def test_an_id_holding_a_control_character_is_an_error_naming_it(
    tmp_path: Path, written: str, shown: str
) -> None:
    # shown escaped (as Python writes it), never raw: a NUL or an escape sequence in a terminal
    validate_file(
        tmp_path,
        f"""\
        services:
          - id: "web{written}"   # ERR
          - id: shop
        components:
          - id: "{written}db"   # ERR
        maintenance:
          - id: "patch{written}"   # ERR
            nodes: [shop]
            start: 2026-11-07T22:00:00Z
            end: 2026-11-08T02:00:00Z
        """,
        [
            ["service", "id", f"'web{shown}", "control character"],
            ["component", "id", f"'{shown}", "control character"],
            ["maintenance window", "id", f"'patch{shown}", "control character"],
        ],
    )


@pytest.mark.parametrize(("written", "shown"), CONTROL_CHARACTERS.values(), ids=CONTROL_CHARACTERS.keys())
def test_a_reference_holding_a_control_character_is_an_error_naming_it(
    tmp_path: Path, written: str, shown: str
) -> None:
    path = write_text(
        tmp_path / "model.yaml",
        f"""\
        services:
          - id: shop
            depends_on: ["db{written}"]
        components:
          - id: db
        maintenance:
          - id: patch
            nodes: ["db{written}"]
            start: 2026-11-07T22:00:00Z
            end: 2026-11-08T02:00:00Z
        """,
    )
    result = run_cli("validate", path)
    assert result.exit_code == 1
    assert_reported(
        result.stderr,
        [
            (path, 3, ["shop", "depends_on", f"'db{shown}", "control character"]),
            (path, 3, ["shop", "unknown node", f"'db{shown}"]),
            (path, 8, ["patch", "nodes", f"'db{shown}", "control character"]),
        ],
    )


@pytest.mark.parametrize(("written", "shown"), CONTROL_CHARACTERS.values(), ids=CONTROL_CHARACTERS.keys())
def test_a_calendar_or_population_name_holding_a_control_character_is_an_error(
    tmp_path: Path, written: str, shown: str
) -> None:
    validate_file(
        tmp_path,
        f"""\
        calendars:
          "office{written}":   # ERR
            timezone: Europe/Paris
        services:
          - id: shop
            calendar: "office{written}"   # ERR
            sla: {{target: 99, calendar: "office{written}"}}   # ERR
            impact: {{users: 1, population: "clerks{written}"}}   # ERR
        """,
        [
            ["calendar", f"'office{shown}", "control character"],
            ["shop", "calendar", f"'office{shown}", "control character"],
            ["shop", "sla", f"'office{shown}", "control character"],
            ["shop", "population", f"'clerks{shown}", "control character"],
        ],
    )


DUPLICATES_ACROSS_FILES = {
    # name: (a.yaml, its line of the first definition, b.yaml, its line of the second, name)
    "service-and-component": (
        """\
        services:
          - id: web
            depends_on: [db]
        """,
        2,
        """\
        components:
          - id: db
          - id: web
        """,
        3,
        "web",
    ),
    "calendar": (
        """\
        calendars:
          office:
            timezone: Europe/Paris
        """,
        2,
        """\
        calendars:
          other: {}
          office:
            timezone: Europe/London
        """,
        3,
        "office",
    ),
    "maintenance": (
        """\
        components:
          - id: db
        maintenance:
          - id: mw-1
            nodes: [db]
            start: 2026-11-07T22:00:00Z
            end: 2026-11-08T02:00:00Z
        """,
        4,
        """\
        maintenance:
          - id: mw-1
            nodes: [db]
            start: 2026-12-07T22:00:00Z
            end: 2026-12-08T02:00:00Z
        """,
        2,
        "mw-1",
    ),
}


@pytest.mark.parametrize(
    ("first", "first_line", "second", "second_line", "name"),
    DUPLICATES_ACROSS_FILES.values(),
    ids=DUPLICATES_ACROSS_FILES.keys(),
)
def test_duplicate_across_two_files_names_both_places(
    tmp_path: Path, first: str, first_line: int, second: str, second_line: int, name: str
) -> None:
    a = write_text(tmp_path / "model" / "a.yaml", first)
    b = write_text(tmp_path / "model" / "sub" / "b.yaml", second)  # directories are read recursively
    result = run_cli("validate", tmp_path / "model")
    assert result.exit_code == 1
    [error] = error_lines(result.stderr)
    places = (f"{a}:{first_line}", f"{b}:{second_line}")
    # reported at one place, naming the other
    assert any(
        error.startswith(f"{here}: error: ") and there in error for here, there in (places, places[::-1])
    )
    assert name in error


def test_duplicate_id_within_one_file(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "model.yaml",
        """\
        components:
          - id: db
          - id: web
          - id: db
        """,
    )
    result = run_cli("validate", path)
    assert result.exit_code == 1
    [error] = error_lines(result.stderr)
    places = (f"{path}:2", f"{path}:4")
    # reported at one place, naming the other
    assert any(
        error.startswith(f"{here}: error: ") and there in error for here, there in (places, places[::-1])
    )
    assert "db" in error


def test_builtin_calendar_name_cannot_be_redefined(tmp_path: Path) -> None:
    validate_file(
        tmp_path,
        """\
        calendars:
          24x7:   # ERR
            timezone: Europe/Paris
        """,
        [["24x7"]],
    )


# ---------------------------------------------------------------------------------------------
# references


REFERENCES = {
    "depends-on-list": (
        """\
        services:
          - id: web
            depends_on: [db, dbb]   # ERR
        components:
          - id: db
        """,
        ["web", "dbb"],
    ),
    "depends-on-children": (
        """\
        services:
          - id: web
            depends_on:
              rule: any
              children:
                - db
                - {id: ghost, effect: soft}   # ERR
        components:
          - id: db
        """,
        ["web", "ghost"],
    ),
    "service-calendar": (
        """\
        calendars:
          office: {}
        services:
          - id: web
            calendar: ofice   # ERR
        """,
        ["web", "ofice"],
    ),
    "sla-calendar": (
        """\
        services:
          - id: web
            sla:
              target: 99.5
              calendar: nowhere   # ERR
        """,
        ["web", "nowhere"],
    ),
    "maintenance-node": (
        """\
        components:
          - id: db
        maintenance:
          - id: mw-1
            nodes:
              - db
              - ghost   # ERR
            start: 2026-11-07T22:00:00Z
            end: 2026-11-08T02:00:00Z
        """,
        ["mw-1", "ghost"],
    ),
}


@pytest.mark.parametrize(("text", "fragments"), REFERENCES.values(), ids=REFERENCES.keys())
def test_unknown_reference_is_an_error_naming_it(tmp_path: Path, text: str, fragments: list[str]) -> None:
    validate_file(tmp_path, text, [fragments])


# ---------------------------------------------------------------------------------------------
# cycles (reported at the `depends_on` of the node the printed cycle starts from)


CYCLES = {
    "two-nodes": (
        """\
        components:
          - id: a
            depends_on: [b]   # ERR
          - id: b
            depends_on: [a]
        """,
        "a -> b -> a",
    ),
    "through-an-ignored-edge": (
        """\
        components:
          - id: a
            depends_on:   # ERR
              - {id: b, effect: ignore}
          - id: b
            depends_on: [a]
        """,
        "a -> b -> a",
    ),
    "three-nodes-below-a-service": (
        """\
        services:
          - id: web
            depends_on: [a]
        components:
          - id: a
            depends_on: [b]   # ERR
          - id: b
            depends_on:
              rule: any
              children: [c]
          - id: c
            depends_on:
              - {id: a, effect: soft}
        """,
        "a -> b -> c -> a",
    ),
    "self-loop": (
        """\
        components:
          - id: a
            depends_on: [a]   # ERR
        """,
        "a -> a",
    ),
}


@pytest.mark.parametrize(("text", "cycle"), CYCLES.values(), ids=CYCLES.keys())
def test_dependency_cycle_is_printed(tmp_path: Path, text: str, cycle: str) -> None:
    validate_file(tmp_path, text, [[f"cycle: {cycle}"]])


# ---------------------------------------------------------------------------------------------
# quorum sizes, rules, effects, periods


NEEDS = {
    # non-ignored weight 1 + 1 = 2 (w3 is ignored): a need of 3 can never be met
    "need-above-non-ignored-weight": ("3", "[w1, w2, {id: w3, effect: ignore}]"),
    # weights 2 + 1 = 3 < 4
    "need-above-weighted-total": ("4", "[{id: w1, weight: 2}, w2]"),
    "need-zero": ("0", "[w1, w2]"),
    "need-negative": ("-1", "[w1, w2]"),
    "need-share-zero": ('"0%"', "[w1, w2]"),
    "need-share-above-100": ('"101%"', "[w1, w2]"),
    "need-fraction-not-share": ("1.5", "[w1, w2]"),
    "need-text": ('"most"', "[w1, w2]"),
}


@pytest.mark.parametrize(("need", "children"), NEEDS.values(), ids=NEEDS.keys())
def test_bad_quorum_need_is_an_error_at_its_line(tmp_path: Path, need: str, children: str) -> None:
    validate_file(
        tmp_path,
        f"""\
        components:
          - id: pool
            depends_on:
              rule: quorum
              need: {need}   # ERR
              children: {children}
          - id: w1
          - id: w2
          - id: w3
        """,
        [["pool", "need"]],
    )


@pytest.mark.parametrize(
    ("need", "children"),
    [
        ("2", "[w1, w2, {id: w3, effect: ignore}]"),  # exactly the non-ignored weight
        ('"100%"', "[w1, w2]"),
        ('"0.5%"', "[w1, w2]"),  # q = 0.01: tiny but positive
        ("3", "[{id: w1, weight: 2}, w2]"),
    ],
)
def test_quorum_need_within_bounds_is_valid(tmp_path: Path, need: str, children: str) -> None:
    path = write_text(
        tmp_path / "model.yaml",
        f"""\
        components:
          - id: pool
            depends_on: {{rule: quorum, need: {need}, children: {children}}}
          - id: w1
          - id: w2
          - id: w3
        """,
    )
    result = run_cli("validate", path)
    assert result.exit_code == 0, result.stderr


def test_quorum_without_need_and_need_without_quorum(tmp_path: Path) -> None:
    # checks across two keys are reported at the line of the object holding both
    validate_file(
        tmp_path,
        """\
        components:
          - id: pool
            depends_on:   # ERR
              rule: quorum
              children: [w1, w2]
          - id: both
            depends_on:   # ERR
              rule: all
              need: 1
              children: [w1, w2]
          - id: w1
          - id: w2
        """,
        [["pool", "need"], ["both", "need"]],
    )


VOCABULARY = {
    "rule": ("depends_on: {rule: most, children: [db]}   # ERR", ["web", "most"]),
    "effect": ("depends_on: [{id: db, effect: sideways}]   # ERR", ["web", "sideways"]),
    "period": ("sla: {target: 99, period: year}   # ERR", ["web", "year"]),
    "degraded-counts-as": ("sla: {target: 99, degraded_counts_as: sometimes}   # ERR", ["web", "sometimes"]),
}


@pytest.mark.parametrize(("line", "fragments"), VOCABULARY.values(), ids=VOCABULARY.keys())
def test_unknown_rule_effect_or_period_is_an_error(tmp_path: Path, line: str, fragments: list[str]) -> None:
    validate_file(
        tmp_path,
        f"""\
        services:
          - id: web
            {line}
        components:
          - id: db
        """,
        [fragments],
    )


@pytest.mark.parametrize("weight", ["0", "-1", "1.5", '"two"'])
def test_child_weight_must_be_a_positive_integer(tmp_path: Path, weight: str) -> None:
    validate_file(
        tmp_path,
        f"""\
        services:
          - id: web
            depends_on:
              rule: any
              children:
                - {{id: db, weight: {weight}}}   # ERR
        components:
          - id: db
        """,
        [["web", "weight"]],
    )


# ---------------------------------------------------------------------------------------------
# times, time ranges, dates, timezones


HOURS = {
    # each entry stands on its own line, which is where the error is
    "range-backwards-over-midnight": ('mon-fri: "22:00-06:00"', "22:00-06:00"),
    "hours-out-of-range": ('mon: "25:00-26:00"', "25:00-26:00"),
    "minutes-out-of-range": ('mon: "09:00-17:60"', "17:60"),
    "empty-range": ('mon: "09:00-09:00"', "09:00-09:00"),
    "24-as-start": ('mon: "24:00-24:00"', "24:00-24:00"),
    "single-digit-hour": ('mon: "8:00-18:00"', "8:00-18:00"),
    "not-a-range": ('mon: "09:00"', "09:00"),
    "second-range-malformed": ('tue: "09:00-12:00,lunch"', "lunch"),
    "day-range-backwards": ('sat-mon: "09:00-17:00"', "sat-mon"),
    "unknown-day": ('mon-fry: "09:00-17:00"', "mon-fry"),
    "unquoted-time-read-as-number": ("wed: 9:00", "wed"),  # YAML 1.1 reads 9:00 as 540
}


@pytest.mark.parametrize(("entry", "fragment"), HOURS.values(), ids=HOURS.keys())
def test_malformed_hours_are_errors_at_the_entry(tmp_path: Path, entry: str, fragment: str) -> None:
    validate_file(
        tmp_path,
        f"""\
        calendars:
          office:
            timezone: Europe/Paris
            hours:
              thu: "09:00-17:00"
              {entry}   # ERR
        """,
        [["office", fragment]],
    )


def test_every_malformed_hours_entry_is_reported(tmp_path: Path) -> None:
    validate_file(
        tmp_path,
        """\
        calendars:
          office:
            hours:
              sat-mon: "09:00-17:00"   # ERR
              tue: "09:00-17:00"
              wed: "22:00-06:00"   # ERR
        """,
        [["office", "sat-mon"], ["office", "22:00-06:00"]],
    )


DATES = {
    "unquoted-impossible-month": ("holidays: [2026-13-01]   # ERR", ["office", "2026-13-01"]),
    "quoted-impossible-day": ('holidays: ["2026-02-30"]   # ERR', ["office", "2026-02-30"]),
    "not-a-date": ("holidays: [christmas]   # ERR", ["office", "christmas"]),
    "unknown-holiday-country": ("holidays: {country: XX}   # ERR", ["office", "XX"]),
}


@pytest.mark.parametrize(("line", "fragments"), DATES.values(), ids=DATES.keys())
def test_malformed_holiday_dates_are_errors(tmp_path: Path, line: str, fragments: list[str]) -> None:
    validate_file(
        tmp_path,
        f"""\
        calendars:
          office:
            {line}
        """,
        [fragments],
    )


MAINTENANCE_TIMES = {
    "unquoted-hour-25": (
        "start: 2026-11-07T25:00:00Z   # ERR",
        "end: 2026-11-08T02:00:00Z",
        ["mw-1", "start"],
    ),
    "no-utc-offset": ('start: "2026-11-07T22:00:00"   # ERR', "end: 2026-11-08T02:00:00Z", ["mw-1", "start"]),
    "not-a-time": ("start: 2026-11-07T22:00:00Z", "end: tomorrow   # ERR", ["mw-1", "end"]),
    "quoted-impossible-date": (
        "start: 2026-11-07T22:00:00Z",
        'end: "2026-11-31T02:00:00Z"   # ERR',
        ["mw-1", "end"],
    ),
}


@pytest.mark.parametrize(
    ("start", "end", "fragments"), MAINTENANCE_TIMES.values(), ids=MAINTENANCE_TIMES.keys()
)
def test_malformed_maintenance_times_are_errors(
    tmp_path: Path, start: str, end: str, fragments: list[str]
) -> None:
    validate_file(
        tmp_path,
        f"""\
        components:
          - id: db
        maintenance:
          - id: mw-1
            nodes: [db]
            {start}
            {end}
        """,
        [fragments],
    )


@pytest.mark.parametrize("end", ["2026-11-07T22:00:00Z", "2026-11-07T21:00:00Z"])
def test_maintenance_must_end_after_it_starts(tmp_path: Path, end: str) -> None:
    # a check across two keys is reported at the window's line
    validate_file(
        tmp_path,
        f"""\
        components:
          - id: db
        maintenance:
          - id: mw-1   # ERR
            nodes: [db]
            start: 2026-11-07T22:00:00Z
            end: {end}
        """,
        [["mw-1", "end"]],
    )


@pytest.mark.parametrize("timezone", ["Mars/Olympus_Mons", "Europe/Londn", "CEST"])
def test_unknown_timezone_is_an_error(tmp_path: Path, timezone: str) -> None:
    validate_file(
        tmp_path,
        f"""\
        calendars:
          office:
            timezone: {timezone}   # ERR
        """,
        [["office", timezone]],
    )


# ---------------------------------------------------------------------------------------------
# numbers out of range


NUMBERS = {
    # name: (section, a valid neighbour, the bad entry)
    "revenue-per-hour-negative": ("impact", "users: 1", "revenue_per_hour: -1"),
    "users-negative": ("impact", "revenue_per_hour: 1", "users: -3"),
    "users-fractional": ("impact", "revenue_per_hour: 1", "users: 2.5"),
    "cost-per-user-hour-negative": ("impact", "users: 1", "cost_per_user_hour: -0.5"),
    "degraded-factor-above-1": ("impact", "users: 1", "degraded_factor: 1.5"),
    "degraded-factor-negative": ("impact", "users: 1", "degraded_factor: -0.1"),
    "impact-factor-above-1": ("workaround", "description: paper", "impact_factor: 1.01"),
    "impact-factor-negative": ("workaround", "description: paper", "impact_factor: -0.5"),
    "max-hours-negative": ("workaround", "impact_factor: 0.5", "max_hours: -1"),
    "target-zero": ("sla", "period: month", "target: 0"),
    "target-100": ("sla", "period: month", "target: 100"),
    "target-above-100": ("sla", "period: month", "target: 100.5"),
    "target-negative": ("sla", "period: month", "target: -1"),
}


@pytest.mark.parametrize(("section", "neighbour", "entry"), NUMBERS.values(), ids=NUMBERS.keys())
def test_number_out_of_range_is_an_error_naming_the_key(
    tmp_path: Path, section: str, neighbour: str, entry: str
) -> None:
    validate_file(
        tmp_path,
        f"""\
        services:
          - id: web
            {section}:
              {neighbour}
              {entry}   # ERR
        """,
        [["web", entry.split(":")[0]]],
    )


@pytest.mark.parametrize(
    ("section", "neighbour", "missing"),
    [("workaround", "description: paper", "impact_factor"), ("sla", "period: week", "target")],
)
def test_required_key_missing_is_an_error(tmp_path: Path, section: str, neighbour: str, missing: str) -> None:
    validate_file(
        tmp_path,
        f"""\
        services:
          - id: web
            {section}:   # ERR
              {neighbour}
        """,
        [["web", missing]],
    )


NODE_NUMBERS = {
    "mtbf-negative": ("mtbf_hours: -1   # ERR", "mttr_hours: 2", "mtbf_hours"),
    "mtbf-zero": ("mtbf_hours: 0   # ERR", "mttr_hours: 2", "mtbf_hours"),
    "mttr-negative": ("mtbf_hours: 100", "mttr_hours: -2   # ERR", "mttr_hours"),
    "cost-per-month-negative": ("cost_per_month: -10   # ERR", "name: db", "cost_per_month"),
}


@pytest.mark.parametrize(("first", "second", "key"), NODE_NUMBERS.values(), ids=NODE_NUMBERS.keys())
def test_negative_hours_or_money_on_a_node_is_an_error(
    tmp_path: Path, first: str, second: str, key: str
) -> None:
    validate_file(
        tmp_path,
        f"""\
        components:
          - id: db
            {first}
            {second}
        """,
        [["db", key]],
    )


@pytest.mark.parametrize(
    ("given", "missing"), [("mttr_hours: 3", "mtbf_hours"), ("mtbf_hours: 4380", "mttr_hours")]
)
def test_mttr_and_mtbf_come_together(tmp_path: Path, given: str, missing: str) -> None:
    # a check across two keys is reported at the node's line
    validate_file(
        tmp_path,
        f"""\
        components:
          - id: db   # ERR
            type: database
            {given}
        """,
        [["db", given.split(":")[0], missing]],
    )


# ---------------------------------------------------------------------------------------------
# currency


def test_currency_disagreeing_across_files(tmp_path: Path) -> None:
    a = write_text(tmp_path / "model" / "a.yaml", "currency: EUR\nservices:\n  - id: web\n")
    b = write_text(tmp_path / "model" / "b.yaml", "components:\n  - id: db\ncurrency: GBP\n")
    result = run_cli("validate", tmp_path / "model")
    assert result.exit_code == 1
    assert_reported(result.stderr, [(b, 3, ["GBP", "EUR", f"{a}:1"])])


@pytest.mark.parametrize("code", ["euro", "EU", "eur"])
def test_currency_must_be_an_iso_code(tmp_path: Path, code: str) -> None:
    validate_file(tmp_path, f"currency: {code}   # ERR\n", [[code]])


def test_currency_agreeing_across_files_is_valid(tmp_path: Path) -> None:
    write_text(tmp_path / "model" / "a.yaml", "currency: GBP\nservices:\n  - id: web\n")
    write_text(tmp_path / "model" / "b.yaml", "currency: GBP\ncomponents:\n  - id: db\n")
    assert run_cli("validate", tmp_path / "model").exit_code == 0


# ---------------------------------------------------------------------------------------------
# every error in one run


def test_every_error_of_a_directory_is_reported_in_one_run(tmp_path: Path) -> None:
    a = write_text(
        tmp_path / "model" / "a.yaml",
        """\
        currency: EUR
        calendars:
          office:
            timezone: Europe/Pariss
            hours: {mon-fri: "09:00-17:00"}
        services:
          - id: web
            calendar: office
            impact: {revenue_per_hour: -5, users: 10}
            sla: {target: 99.5, period: fortnight}
            depends_on: [db, cache]
          - id: api
            owner: team
            ownr: team
        """,
    )
    b = write_text(
        tmp_path / "model" / "b.yaml",
        """\
        currency: USD
        components:
          - id: db
            depends_on: [disk]
          - id: disk
            depends_on: [db]
          - id: web
        """,
    )
    result = run_cli("validate", tmp_path / "model")
    assert result.exit_code == 1
    assert_reported(
        result.stderr,
        [
            (a, 4, ["office", "Europe/Pariss"]),
            (a, 9, ["web", "revenue_per_hour"]),
            (a, 10, ["web", "fortnight"]),
            (a, 11, ["web", "cache"]),
            (a, 14, ["api", "ownr"]),
            (b, 1, ["USD", "EUR"]),
            (b, 4, ["db -> disk -> db"]),
            (b, 7, ["web", f"{a}:7"]),
        ],
    )


def test_every_error_of_one_item_is_reported(tmp_path: Path) -> None:
    # several problems in one service, including checks across keys, must not hide each other
    validate_file(
        tmp_path,
        """\
        services:
          - id: web   # ERR
            impact:
              revenue_per_hour: -5   # ERR
              users: -1   # ERR
            sla:
              target: 100   # ERR
            mttr_hours: 3
            colour: blue   # ERR
        """,
        [
            ["web", "mtbf_hours"],
            ["web", "revenue_per_hour"],
            ["web", "users"],
            ["web", "target"],
            ["web", "colour"],
        ],
    )


def test_a_broken_node_still_has_its_quorum_checked(tmp_path: Path) -> None:
    validate_file(
        tmp_path,
        """\
        components:
          - id: pool
            cost_per_month: -1   # ERR
            depends_on:
              rule: quorum
              need: 3   # ERR
              children: [w1, w2]
          - id: w1
          - id: w2
        """,
        [["pool", "cost_per_month"], ["pool", "need"]],
    )


# ---------------------------------------------------------------------------------------------
# valid models


def test_the_section_9_model_is_valid_with_a_one_line_summary(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "a-rather-long-directory-name-for-the-summary" / "model.yaml", SECTION_9_MODEL
    )
    result = run_cli("validate", path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    [summary] = nonempty_lines(result.stdout)
    assert "valid" in summary


def test_a_model_using_every_feature_is_valid(tmp_path: Path) -> None:
    write_text(
        tmp_path / "model" / "calendars.yaml",
        """\
        currency: GBP
        calendars:
          office:
            timezone: Europe/London
            hours:
              mon-fri: "08:00-12:00,13:00-18:00"
              fri: "18:00-24:00"          # a day named twice gets the union
              sat: "09:00-12:00"
            holidays: [2026-12-25, "2026-12-26"]
          uk:
            timezone: Europe/London
            holidays: {country: GB, subdivision: ENG, dates: [2026-12-24]}
        """,
    )
    write_text(
        tmp_path / "model" / "services.yml",
        """\
        services:
          - id: check-in
            name: Passenger check-in
            owner: airport-ops
            description: Desks and kiosks
            calendar: office
            impact:
              revenue_per_hour: 12000
              users: 300
              cost_per_user_hour: 40
              degraded_factor: 0
              safety_critical: false
            workaround: {description: Paper, impact_factor: 1, max_hours: 0}
            sla: {target: 99.5, period: quarter, calendar: uk, degraded_counts_as: down}
            depends_on: [dcs-app]
            match:
              - {job: synthetic, instance: check-in}
            mtbf_hours: 1000
            mttr_hours: 0
            cost_per_month: 0
        """,
    )
    write_text(
        tmp_path / "model" / "nested" / "components.yaml",
        """\
        components:
          - id: dcs-app
            type: application
            depends_on:
              rule: quorum
              need: "60%"
              children:
                - web-1
                - {id: web-2, weight: 1}
                - {id: web-3, effect: soft}
                - {id: web-4, effect: escalate, weight: 2}
                - {id: reporting, effect: ignore}
            match:
              - {job: dcs, instance: "dcs-1:8080"}
              - {service: dcs, alertname: "~High.*"}
          - {id: web-1}
          - {id: web-2}
          - {id: web-3}
          - {id: web-4}
          - id: reporting
            depends_on: {rule: any, children: [web-1, web-2]}
        maintenance:
          - id: mw-2026-11-07
            nodes: [web-1]
            start: 2026-11-07T22:00:00Z
            end: "2026-11-08T03:00:00+01:00"
            reason: Patching
        """,
    )
    write_text(tmp_path / "model" / "README.txt", "not a model file: ignored")
    result = run_cli("validate", tmp_path / "model")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert len(nonempty_lines(result.stdout)) == 1


def test_an_empty_model_file_is_valid(tmp_path: Path) -> None:
    result = run_cli("validate", write_text(tmp_path / "model.yaml", "# nothing yet\n"))
    assert result.exit_code == 0, result.stderr


def test_missing_model_path_is_an_error_without_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = run_cli("validate", missing)
    assert result.exit_code == 1
    [error] = error_lines(result.stderr)
    assert error.startswith(f"{missing}: error: ")


def test_a_directory_without_model_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_cli("validate", tmp_path / "empty")
    assert result.exit_code == 1
    [error] = error_lines(result.stderr)
    assert str(tmp_path / "empty") in error


# ---------------------------------------------------------------------------------------------
# impact.population (semantics §1, §3)


def test_impact_population_is_a_name_shared_by_services(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "model.yaml",
        """\
        services:
          - id: epr
            impact: {users: 1800, population: clinicians}
          - id: epma
            impact: {users: 900, population: clinicians}
          - id: email
            impact: {users: 6500}
        """,
    )
    result = run_cli("validate", path)
    assert result.exit_code == 0, result.stderr
    model = model_from_yaml(path.read_text(encoding="utf-8"))
    assert [s.impact.population for s in model.services if s.impact] == ["clinicians", "clinicians", None]


@pytest.mark.parametrize(
    ("entry", "fragments"),
    [
        ("populaton: clinicians", ["web", "populaton"]),  # a typo is still an unknown key
        ("population: [clinicians]", ["web", "population"]),
        ('population: ""', ["web", "population"]),
    ],
)
def test_a_bad_population_is_an_error_naming_the_key(
    tmp_path: Path, entry: str, fragments: list[str]
) -> None:
    validate_file(
        tmp_path,
        f"""\
        services:
          - id: web
            impact:
              users: 1
              {entry}   # ERR
        """,
        [fragments],
    )


def test_a_key_valid_elsewhere_is_not_suggested_as_its_own_fix() -> None:
    """``match`` on a maintenance window is a key of nodes, not of windows: the message must not
    read "unknown key 'match'; did you mean 'match'?"."""
    from bizmap.domain.validate import ModelInvalid

    with pytest.raises(ModelInvalid) as refused:
        model_from_yaml(
            """\
services:
  - {id: web}
maintenance:
  - {id: mw, nodes: [web], start: 2026-01-01T00:00:00Z, end: 2026-01-01T01:00:00Z, match: x}
"""
        )
    (problem,) = [str(p) for p in refused.value.problems]
    assert "unknown key 'match'" in problem
    assert "did you mean 'match'" not in problem
    assert problem.endswith("remove it or fix its spelling")
