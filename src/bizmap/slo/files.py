"""OpenSLO files on disk: reading multi-document YAML, the service mapping file, writing SLAs
into a model's YAML (comments and layout kept, with ruamel.yaml) and writing the export."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from bizmap.domain.model import SlaSpec
from bizmap.errors import BizmapError
from bizmap.model.loading import model_files
from bizmap.slo.openslo import Message, OpenSloObject


class SloFileError(BizmapError):
    """A file cannot be read or parsed; the message names it (and the line when known)."""


def read_openslo_files(paths: Sequence[Path]) -> tuple[list[OpenSloObject], list[Message]]:
    """Every YAML document of every file (a directory: its *.yaml/*.yml files), with its line."""
    objects: list[OpenSloObject] = []
    problems: list[Message] = []
    for path in paths:
        files = model_files(path) if path.is_dir() else [path]
        for file in files:
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                problems.append(Message(str(file), None, "error", f"cannot read: {error}"))
                continue
            loader = yaml.SafeLoader(text)
            try:
                while loader.check_node():
                    node = loader.get_node()
                    if node is None:
                        continue
                    line = node.start_mark.line + 1
                    objects.append(OpenSloObject(str(file), line, loader.construct_document(node)))
            except yaml.MarkedYAMLError as error:
                mark = error.problem_mark
                problems.append(
                    Message(
                        str(file),
                        mark.line + 1 if mark else None,
                        "error",
                        f"YAML syntax error: {error.problem}",
                    )
                )
            except yaml.YAMLError as error:
                problems.append(Message(str(file), None, "error", f"YAML error: {error}"))
            finally:
                loader.dispose()
    return objects, problems


def read_service_map(path: Path) -> dict[str, str]:
    """A mapping file: ``openslo-service-name: bizmap-service-id`` lines."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SloFileError(f"{path}: error: cannot read the mapping file: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise SloFileError(f"{path}: error: not valid YAML: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise SloFileError(
            f"{path}: error: a mapping file holds lines `openslo-service-name: bizmap-service-id`"
        )
    return {str(k): v for k, v in data.items()}


def sla_data(sla: SlaSpec) -> dict[str, Any]:
    """The ``sla:`` mapping as a person would write it: defaults left out."""
    data: dict[str, Any] = {"target": sla.target, "period": sla.period}
    if sla.calendar is not None:
        data["calendar"] = sla.calendar
    if sla.degraded_counts_as != "up":
        data["degraded_counts_as"] = sla.degraded_counts_as
    return data


def write_slas(model: Path, slas: Mapping[str, SlaSpec]) -> list[Path]:
    """Set the ``sla:`` of each service in the model file that defines it; return the files changed.

    Every other line, comment and key order stays as it was.
    """
    round_trip = YAML()
    round_trip.preserve_quotes = True
    round_trip.width = 4096  # never re-wrap people's long lines
    round_trip.indent(mapping=2, sequence=4, offset=2)
    pending = dict(slas)
    changed: list[Path] = []
    for file in model_files(model):
        if not pending:
            break
        text = file.read_text(encoding="utf-8")
        data = round_trip.load(text)
        services = data.get("services") if isinstance(data, dict) else None
        if not isinstance(services, list):
            continue
        touched = False
        for service in services:
            if isinstance(service, CommentedMap) and service.get("id") in pending:
                _set_sla(service, sla_data(pending.pop(service["id"])))
                touched = True
        if touched:
            buffer = io.StringIO()
            round_trip.dump(data, buffer)
            file.write_text(buffer.getvalue(), encoding="utf-8")
            changed.append(file)
    if pending:
        raise SloFileError(f"{model}: error: services not found in any file: {', '.join(sorted(pending))}")
    return changed


def _set_sla(service: CommentedMap, sla: dict[str, Any]) -> None:
    value = CommentedMap(sla)
    if "sla" in service:
        service["sla"] = value
        return
    keys = list(service.keys())
    # where a person would put it: after impact and workaround, before the dependencies
    position = keys.index("depends_on") if "depends_on" in keys else len(keys)
    service.insert(position, "sla", value)


def dump_documents(documents: Sequence[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True, explicit_start=True)
