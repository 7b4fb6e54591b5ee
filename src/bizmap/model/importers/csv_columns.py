"""The columns a CMDB export is read by (``bizmap import csv``); the defaults are ServiceNow's.

On their own so that the command line can show the defaults without importing the importer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CsvColumns:
    id: str = "sys_id"
    name: str = "name"
    type: str = "sys_class_name"
    owner: str = "owned_by"
    parent: str = "parent"
    child: str = "child"
    relation_type: str = "type"
    service_when: tuple[tuple[str, str], ...] = (("sys_class_name", "Business Service"),)
    ignore_types: tuple[str, ...] = ()
