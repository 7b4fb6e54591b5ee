"""Backstage software catalog -> bizmap model.

Mapping (docs/import.md):

* ``System`` -> a business service. A system is what Backstage calls "a collection of entities
  that cooperate to perform some function": the level a business consumes (online shop,
  payroll). It depends on every Component and Resource whose ``spec.system`` names it.
* ``Component`` and ``Resource`` -> components (``spec.type`` becomes ``type``); their
  ``spec.dependsOn`` becomes ``depends_on`` (rule all: the catalog does not say which
  dependencies are redundant; make those ``any`` or ``quorum`` by hand).
* ``Domain`` -> no node. A domain is a business area that groups systems (payments, HR); it
  is not down when one of its systems is, so it does not make a service. Its name goes into
  its systems' descriptions, and its owner stands in for a system that has none.
* ``spec.owner`` -> ``owner``; ``metadata.title`` (else the name) -> ``name``;
  ``metadata.description`` -> ``description``.
* ``API`` -> no node. A Component that ``consumesApis`` depends on every Component that
  ``providesApis`` it (an API is only as up as what serves it). An API consumed but provided
  by nothing in the catalog (a partner's, say) gives a warning: add what serves it by hand.
* Other kinds (Group, User, Location, Template) are skipped and counted.

Entity references are ``[kind:][namespace/]name``; the namespace defaults to the referring
entity's, the kind to the one the field implies (system for ``spec.system``, domain for
``spec.domain``; for ``dependsOn``, a kindless name must be a unique component or resource).
A reference to an entity no file defines is an error naming the file, line and entity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bizmap.model.importers.catalog import ImportedNode, ImportFailed, SlugAllocator, find_cycles

NODE_KINDS = ("system", "component", "resource")
KNOWN_KINDS = (*NODE_KINDS, "domain", "api")


@dataclass
class Entity:
    kind: str  # lower case
    namespace: str
    name: str
    file: str
    line: int
    data: dict[str, Any]
    node: ImportedNode | None = None
    refs: list[tuple[str, str]] = field(default_factory=list)  # (field, reference) as written

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.data.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def metadata(self) -> dict[str, Any]:
        metadata = self.data.get("metadata")
        return metadata if isinstance(metadata, dict) else {}


@dataclass
class BackstageImport:
    nodes: list[ImportedNode]
    skipped: dict[str, int]  # kind -> number of entities not imported
    warnings: list[str] = field(default_factory=list)  # imported, but something to look at


def read_entities(paths: Sequence[Path]) -> tuple[list[Entity], dict[str, int], list[str]]:
    """Every entity of every YAML document; (entities, skipped kinds, problems)."""
    entities: list[Entity] = []
    skipped: dict[str, int] = {}
    problems: list[str] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"{path}: error: cannot read: {error}")
            continue
        loader = yaml.SafeLoader(text)
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                line = node.start_mark.line + 1
                data = loader.construct_document(node)
                if data is None:
                    continue
                if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
                    problems.append(f"{path}:{line}: error: not a Backstage entity (no kind)")
                    continue
                kind = data["kind"].lower()
                if kind not in KNOWN_KINDS:
                    skipped[data["kind"]] = skipped.get(data["kind"], 0) + 1
                    continue
                metadata = data.get("metadata")
                name = metadata.get("name") if isinstance(metadata, dict) else None
                if not isinstance(name, str) or not name:
                    problems.append(f"{path}:{line}: error: {data['kind']} without metadata.name")
                    continue
                assert isinstance(metadata, dict)
                namespace = str(metadata.get("namespace") or "default")
                entities.append(Entity(kind, namespace.lower(), name, str(path), line, data))
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            problems.append(
                f"{path}:{mark.line + 1 if mark else '?'}: error: YAML syntax error: {error.problem}"
            )
        except yaml.YAMLError as error:
            problems.append(f"{path}: error: YAML error: {error}")
        finally:
            loader.dispose()
    return entities, skipped, problems


def _parse_ref(text: str, default_kind: str | None, namespace: str) -> tuple[str | None, str, str]:
    kind: str | None = default_kind
    rest = text.strip()
    if ":" in rest:
        kind, rest = rest.split(":", 1)
        kind = kind.lower()
    if "/" in rest:
        namespace, rest = rest.split("/", 1)
    return kind, namespace.lower(), rest


class _Resolver:
    def __init__(self, entities: Sequence[Entity], problems: list[str]) -> None:
        self.by_key: dict[tuple[str, str, str], Entity] = {}
        self.problems = problems
        for entity in entities:
            key = (entity.kind, entity.namespace, entity.name.lower())
            first = self.by_key.get(key)
            if first is not None:
                problems.append(
                    f"{entity.where}: error: {entity.ref} is defined twice (first at {first.where}): keep one"
                )
                continue
            self.by_key[key] = entity

    def resolve(self, entity: Entity, field_name: str, text: Any, default_kind: str | None) -> Entity | None:
        label = f"{entity.kind} {entity.name!r}"
        if not isinstance(text, str) or not text.strip():
            self.problems.append(f"{entity.where}: error: {label}: {field_name} must be an entity reference")
            return None
        kind, namespace, name = _parse_ref(text, default_kind, entity.namespace)
        kinds = [kind] if kind is not None else ["component", "resource"]
        found = [
            self.by_key[(k, namespace, name.lower())]
            for k in kinds
            if (k, namespace, name.lower()) in self.by_key
        ]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            self.problems.append(
                f"{entity.where}: error: {label}: {field_name} {text!r} is ambiguous "
                f"({', '.join(f.ref for f in found)}): write the kind, e.g. component:{name}"
            )
            return None
        self.problems.append(
            f"{entity.where}: error: {label}: {field_name} {text!r} names no entity of the catalog "
            f"(looked for {' or '.join(f'{k}:{namespace}/{name}' for k in kinds)}): "
            "add its catalog-info.yaml or fix the reference"
        )
        return None


def import_backstage(paths: Sequence[Path]) -> BackstageImport:
    """Read Backstage catalog files into bizmap nodes; raise ``ImportFailed`` listing every problem."""
    entities, skipped, problems = read_entities(paths)
    resolver = _Resolver(entities, problems)
    ids = SlugAllocator()
    nodes: list[ImportedNode] = []
    # systems first, so that a system and a component of the same name leave the plain id to
    # the business service
    ordered = sorted(
        (e for e in resolver.by_key.values() if e.kind in NODE_KINDS),
        key=lambda e: (NODE_KINDS.index(e.kind), e.file, e.line),
    )
    for entity in ordered:
        metadata, spec = entity.metadata, entity.spec
        candidates = [entity.name, f"{entity.name}-{entity.kind}"]
        if entity.namespace != "default":
            candidates.insert(0, f"{entity.namespace}-{entity.name}")
        node = ImportedNode(
            id=ids.allocate(candidates, entity.kind),
            is_service=entity.kind == "system",
            origin=f"Backstage {entity.ref} ({entity.file})",
            name=str(metadata.get("title") or entity.name),
            owner=str(spec["owner"]) if spec.get("owner") else None,
            description=str(metadata["description"]).strip() if metadata.get("description") else None,
            type=str(spec["type"]) if spec.get("type") else None,
        )
        entity.node = node
        nodes.append(node)

    for entity in ordered:
        spec = entity.spec
        current = entity.node
        assert current is not None
        if entity.kind != "system" and spec.get("system") is not None:
            system = resolver.resolve(entity, "spec.system", spec["system"], "system")
            if system is not None and system.node is not None and current.id not in system.node.depends_on:
                system.node.depends_on.append(current.id)
        if entity.kind == "system" and spec.get("domain") is not None:
            domain = resolver.resolve(entity, "spec.domain", spec["domain"], "domain")
            if domain is not None:
                title = domain.metadata.get("title") or domain.name
                current.description = (
                    f"{current.description} " if current.description else ""
                ) + f"(domain: {title})"
                if current.owner is None and domain.spec.get("owner"):
                    current.owner = str(domain.spec["owner"])
        depends = spec.get("dependsOn") or []
        if not isinstance(depends, list):
            problems.append(f"{entity.where}: error: {entity.kind} {entity.name!r}: dependsOn must be a list")
            continue
        for ref in depends:
            target = resolver.resolve(entity, "dependsOn", ref, None)
            if target is None:
                continue
            if target.node is None:
                instead = (
                    "use consumesApis, which depends on what provides it"
                    if target.kind == "api"
                    else "depend on its systems or components"
                )
                what = "an API" if target.kind == "api" else f"a {target.kind}"
                problems.append(
                    f"{entity.where}: error: {entity.kind} {entity.name!r}: dependsOn {ref!r} is "
                    f"{what}, which makes no node: {instead}"
                )
                continue
            if target.node.id not in current.depends_on:
                current.depends_on.append(target.node.id)

    warnings = _wire_apis(ordered, resolver)

    by_id = {e.node.id: e for e in ordered if e.node is not None}
    for cycle in find_cycles({n.id: n.depends_on for n in nodes}):
        problems.append(
            f"{by_id[cycle[0]].where}: error: dependency cycle (through dependsOn and spec.system): "
            + " -> ".join(by_id[c].ref for c in cycle)
        )
    if problems:
        raise ImportFailed(problems)
    return BackstageImport(nodes, skipped, warnings)


def _api_refs(entity: Entity, field_name: str, resolver: _Resolver) -> list[Entity]:
    refs = entity.spec.get(field_name) or []
    if not isinstance(refs, list):
        resolver.problems.append(
            f"{entity.where}: error: {entity.kind} {entity.name!r}: {field_name} must be a list"
        )
        return []
    found = (resolver.resolve(entity, field_name, ref, "api") for ref in refs)
    return [api for api in found if api is not None]


def _wire_apis(ordered: Sequence[Entity], resolver: _Resolver) -> list[str]:
    """Consumers of an API depend on its providers; the warnings for APIs nothing provides."""
    providers: dict[str, list[ImportedNode]] = {}
    for entity in ordered:
        if entity.kind == "component" and entity.node is not None:
            for api in _api_refs(entity, "providesApis", resolver):
                providers.setdefault(api.ref, []).append(entity.node)
    warnings = []
    for entity in ordered:
        consumer = entity.node
        if entity.kind != "component" or consumer is None:
            continue
        for api in _api_refs(entity, "consumesApis", resolver):
            serving = [node for node in providers.get(api.ref, []) if node is not consumer]
            if not serving:
                warnings.append(
                    f"{entity.where}: warning: component {entity.name!r} consumes {api.ref}, which no "
                    "component of the catalog provides: add what serves it to the model by hand"
                )
            for node in serving:
                if node.id not in consumer.depends_on:
                    consumer.depends_on.append(node.id)
    return warnings
