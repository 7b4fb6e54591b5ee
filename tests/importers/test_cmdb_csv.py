"""bizmap import csv: a CMDB export (items + relations) becomes a model `bizmap validate` accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bizmap.model.importers.catalog import SlugAllocator, find_cycles, slugify
from bizmap.model.loading import load_graph
from helpers import run_cli, write_text

CMDB = Path(__file__).parent.parent / "fixtures" / "cmdb"
ITEMS, RELATIONS = CMDB / "items.csv", CMDB / "relations.csv"
IGNORE_BACKUPS = ("--ignore-type", "Backed up by::Backs up")


def test_a_servicenow_export_imports_with_the_defaults(tmp_path: Path) -> None:
    output = tmp_path / "model"
    result = run_cli("import", "csv", ITEMS, RELATIONS, "--output", output, *IGNORE_BACKUPS)
    assert result.exit_code == 0, result.stderr
    validated = run_cli("validate", output)
    assert validated.exit_code == 0, validated.stderr
    # 14 items, 3 of class "Business Service"; 17 relations, one repeated, one ignored -> 15
    assert "3 business services, 11 components, 15 dependencies" in validated.stdout
    graph = load_graph(output)

    def children(node: str) -> set[str]:
        return {graph.ids[c] for c, _, _ in graph.children[graph.index[node]]}

    # two items named "Shop Web": the second gets -2; "DB01" is matched by name on line 10
    assert children("shop-load-balancer") == {"shop-web", "shop-web-2"}
    assert children("payroll-app") == {"db01"}
    # "Netzwerk Köln" -> netzwerk-koln; "SAN, array 1" -> san-array-1; dots are kept
    assert children("web01.example.com") == {"netzwerk-koln"}
    assert children("db01") == {"san-array-1"}
    services = (output / "services.yaml").read_text()
    assert services.count("# TODO(bizmap): impact:") == 3


def test_cycles_name_the_file_and_rows(tmp_path: Path) -> None:
    # relations.csv line 16: DB01 -> SAN (and again on 17); line 18: SAN "Backed up by" DB01
    result = run_cli("import", "csv", ITEMS, RELATIONS, "--output", tmp_path / "m")
    assert result.exit_code == 1
    assert (
        f"{RELATIONS}:16: error: dependency cycle: db01 -> san-array-1 -> db01 (relations on lines 16, 18)"
    ) in result.stderr
    assert not (tmp_path / "m").exists()


def test_unknown_references_and_duplicates_name_the_row(tmp_path: Path) -> None:
    items = write_text(
        tmp_path / "items.csv",
        """\
        id,label,class
        1,Billing,service
        2,Billing DB,db
        2,Other,db
        ,Nameless,db
        """,
    )
    relations = write_text(
        tmp_path / "rels.csv",
        """\
        from,to
        1,2
        1,99
        3,2
        """,
    )
    result = run_cli(
        "import", "csv", items, relations, "--output", tmp_path / "m",
        "--id-column", "id", "--name-column", "label", "--type-column", "class",
        "--service-when", "class=service", "--parent-column", "from", "--child-column", "to",
    )  # fmt: skip
    assert result.exit_code == 1
    assert f"{items}:4: error: item '2' appears twice (first on line 3)" in result.stderr
    assert f"{items}:5: error: empty 'id': every item needs an id" in result.stderr
    assert f"{relations}:3: error: to '99' is not an item of items.csv" in result.stderr
    assert f"{relations}:4: error: from '3' is not an item of items.csv" in result.stderr


def test_a_missing_column_says_which_option_to_use(tmp_path: Path) -> None:
    items = write_text(tmp_path / "items.csv", "id,name\n1,x\n")
    result = run_cli("import", "csv", items, RELATIONS, "--output", tmp_path / "m")
    assert result.exit_code == 1
    assert (
        f"{items}:1: error: no column 'sys_id' (columns: id, name): name the right one with --id-column"
        in (result.stderr)
    )


def test_a_bad_condition_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("import", "csv", ITEMS, RELATIONS, "--output", tmp_path / "m", "--service-when", "oops")
    assert result.exit_code == 2
    assert "must read COLUMN=VALUE" in result.stderr


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Online Shop", "online-shop"),
        ("web01.example.com", "web01.example.com"),
        ("  --Spaces & Symbols!!  ", "spaces-symbols"),
        ("Netzwerk Köln", "netzwerk-koln"),
        ("_leading.dot.", "leading.dot"),
        ("???", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slug_collisions_take_the_next_free_number() -> None:
    ids = SlugAllocator()
    assert ids.allocate(["Shop Web"], "1") == "shop-web"
    assert ids.allocate(["shop web"], "2") == "shop-web-2"
    assert ids.allocate(["SHOP-WEB"], "3") == "shop-web-3"
    assert ids.allocate(["???"], "b7e2") == "b7e2"  # nothing left of the name: the id
    assert ids.allocate(["payroll", "payroll-component"], "x") == "payroll"
    assert ids.allocate(["payroll", "payroll-component"], "x") == "payroll-component"


def test_find_cycles() -> None:
    assert find_cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": ["b", "c"], "b": ["c"], "c": []}) == []  # a diamond is no cycle
