"""Loading YAML: a day named twice in a calendar's hours gets the union of its ranges (§1)."""

from __future__ import annotations

from pathlib import Path

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
