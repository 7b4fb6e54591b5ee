"""CMDB export (two CSV files) -> bizmap model.

``ITEMS.csv`` holds one configuration item a row; ``RELATIONS.csv`` one relation a row. The
column names are options whose defaults are ServiceNow's (``sys_id``, ``name``,
``sys_class_name``, ``owned_by``; ``parent``, ``child``, ``type``). An item becomes a business
service when one of the ``--service-when COLUMN=VALUE`` conditions holds (default
``sys_class_name=Business Service``), a component otherwise (its class becomes ``type``).

A relation's parent depends on its child: ServiceNow's "Depends on::Used by", "Runs on::Runs",
"Hosted on::Hosts" all read that way. Relations of types given with ``--ignore-type`` are left
out. A relation may name an item by id or, when no id matches, by its unique name (exports
with display values instead of sys_ids). Ids are slugs of the names, unique across the import.
Every problem names the file and the row's line number (the header is line 1).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bizmap.model.importers.catalog import ImportedNode, ImportFailed, SlugAllocator, find_cycles
from bizmap.model.importers.csv_columns import CsvColumns


def parse_condition(text: str) -> tuple[str, str]:
    """``"sys_class_name=Business Service"`` -> (column, value)."""
    column, equals, value = text.partition("=")
    if not equals or not column.strip():
        raise ValueError(
            f"--service-when {text!r} must read COLUMN=VALUE, e.g. sys_class_name=Business Service"
        )
    return column.strip(), value.strip()


@dataclass
class _Item:
    key: str
    line: int
    node: ImportedNode
    edges: dict[str, int] = field(default_factory=dict)  # child key -> line of the relation


def _rows(
    path: Path, required: Sequence[tuple[str, str]], problems: list[str]
) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of every data row; checks that the required columns exist."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        problems.append(f"{path}: error: cannot read: {error.strerror}")
        return []
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [(column, option) for column, option in required if column not in header]
        for column, option in missing:
            problems.append(
                f"{path}:1: error: no column {column!r} (columns: {', '.join(header) or 'none'}): "
                f"name the right one with {option}"
            )
        if missing:
            return []
        rows: list[tuple[int, dict[str, str]]] = []
        line = 1
        try:
            for row in reader:
                rows.append((line + 1, {k: (v or "").strip() for k, v in row.items() if k is not None}))
                line = reader.line_num
        except (csv.Error, UnicodeDecodeError) as error:
            problems.append(f"{path}:{line + 1}: error: not valid CSV: {error}")
        return rows


def import_cmdb_csv(items_path: Path, relations_path: Path, columns: CsvColumns) -> list[ImportedNode]:
    """Read the two CSV files into bizmap nodes; raise ``ImportFailed`` listing every problem."""
    problems: list[str] = []
    required = [(columns.id, "--id-column"), (columns.name, "--name-column")]
    item_rows = _rows(items_path, required, problems)
    relation_rows = _rows(
        relations_path, [(columns.parent, "--parent-column"), (columns.child, "--child-column")], problems
    )
    if problems:
        raise ImportFailed(problems)

    ids = SlugAllocator()
    items: dict[str, _Item] = {}
    by_name: dict[str, list[str]] = {}
    for line, row in item_rows:
        key = row.get(columns.id, "")
        if not key:
            problems.append(f"{items_path}:{line}: error: empty {columns.id!r}: every item needs an id")
            continue
        if key in items:
            problems.append(
                f"{items_path}:{line}: error: item {key!r} appears twice (first on line {items[key].line})"
            )
            continue
        name = row.get(columns.name) or key
        is_service = any(row.get(column) == value for column, value in columns.service_when)
        node = ImportedNode(
            id=ids.allocate([name], key),
            is_service=is_service,
            origin=f"{items_path.name} line {line} ({columns.id} {key})",
            name=name,
            owner=row.get(columns.owner) or None,
            type=None if is_service else (row.get(columns.type) or None),
        )
        items[key] = _Item(key, line, node)
        by_name.setdefault(name, []).append(key)

    def find(value: str, column: str, line: int) -> _Item | None:
        if value in items:
            return items[value]
        named = by_name.get(value, [])
        if len(named) == 1:
            return items[named[0]]
        why = f"{len(named)} items are named so" if named else "no item has this id or name"
        problems.append(
            f"{relations_path}:{line}: error: {column} {value!r} is not an item of {items_path.name} ({why})"
        )
        return None

    for line, row in relation_rows:
        if row.get(columns.relation_type, "") in columns.ignore_types:
            continue
        parent = find(row.get(columns.parent, ""), columns.parent, line)
        child = find(row.get(columns.child, ""), columns.child, line)
        if parent is None or child is None:
            continue
        if parent is child:
            problems.append(f"{relations_path}:{line}: error: item {parent.key!r} depends on itself")
            continue
        if child.key not in parent.edges:
            parent.edges[child.key] = line
            parent.node.depends_on.append(child.node.id)

    node_items = {item.node.id: item for item in items.values()}
    for cycle in find_cycles({i.node.id: i.node.depends_on for i in items.values()}):
        lines = [node_items[a].edges[node_items[b].key] for a, b in itertools.pairwise(cycle)]
        problems.append(
            f"{relations_path}:{lines[0]}: error: dependency cycle: {' -> '.join(cycle)} "
            f"(relations on lines {', '.join(map(str, lines))}): remove or turn one of them"
        )
    if problems:
        raise ImportFailed(problems)
    return [item.node for item in items.values()]
