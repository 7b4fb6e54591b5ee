"""Specs of plainly well-formed nodes, built without Pydantic: the fast path of validation.

Pydantic checks a node in about 12 microseconds, most of it in the Python validators of
``bizmap.domain.model``; a model of a million nodes spent most of its loading time there. Nearly
every node of a real model is written in a few plain shapes: an id, a type, ``depends_on`` as a
list of ids or as a rule with children, ``match`` selectors of text, numbers in range. This module
recognises those shapes with plain type checks and builds the very spec Pydantic would build: the
same class, the same values of the same types, the same set of fields given.

Anything else (an unusual shape, a value Pydantic would convert or strip, any error) makes it
answer None, and the caller validates that node with Pydantic, whose messages are the contract.
So a mistake here can cost speed, never a message; ``tests/domain/test_wellformed.py`` holds the
two paths to the same specs.
"""

from __future__ import annotations

import re
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from bizmap.domain.model import (
    ChildSpec,
    ComponentSpec,
    DependsOnSpec,
    ImpactSpec,
    ServiceSpec,
    SlaSpec,
    WorkaroundSpec,
)

# ID_PATTERN of bizmap.domain.model, matched whole: no whitespace, no control character in it
_match_id = re.compile(r"[a-z0-9][a-z0-9._-]*").fullmatch

_DEPENDS_KEYS: Final = frozenset(DependsOnSpec.model_fields)
_CHILD_KEYS: Final = frozenset(ChildSpec.model_fields)
_RULES: Final = frozenset(("all", "any", "quorum"))
_EFFECTS: Final = frozenset(("hard", "soft", "escalate", "ignore"))
_EXACT_FLOAT: Final = 2**53  # integers up to this size become floats exactly
_WRONG: Final = object()

# What ``model_construct`` does, without its loop over the fields: BaseModel's slots are set
# through their descriptors (``object.__setattr__`` would look each one up in the class's MRO).
_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
M = TypeVar("M", bound=BaseModel)

# Specs are frozen, so specs given the same keys can share one set of the fields given (Pydantic
# makes one set a spec, 216 bytes, a third of a child's size; a copy of a spec copies its set).
_FIELD_SETS: dict[tuple[str, ...], set[str]] = {}
_MAX_FIELD_SETS: Final = 1024


def _fields_set(keys: tuple[str, ...]) -> set[str]:
    found = _FIELD_SETS.get(keys)
    if found is None:
        found = set(keys)
        if len(_FIELD_SETS) < _MAX_FIELD_SETS:
            _FIELD_SETS[keys] = found
    return found


_ID_ONLY: Final = _fields_set(("id",))
_RULE_AND_CHILDREN: Final = _fields_set(("rule", "children"))


def _make(cls: type[M], values: dict[str, Any], fields_set: set[str]) -> M:
    """An instance of ``cls`` as Pydantic leaves it after validation (no extra, no private)."""
    spec = _new(cls)
    _set_dict(spec, values)
    _set_fields_set(spec, fields_set)
    _set_extra(spec, None)
    _set_private(spec, None)
    return spec


def _number(value: Any, above_zero: bool) -> Any:
    """An optional float field's value (at least zero) as Pydantic gives it, else ``_WRONG``."""
    if value is None:
        return None
    if type(value) is int and -_EXACT_FLOAT <= value <= _EXACT_FLOAT:
        value = float(value)
    elif type(value) is not float:
        return _WRONG
    if value > 0 or (value == 0 and not above_zero):  # NaN is neither
        return value
    return _WRONG


def _child(item: Any) -> ChildSpec | None:
    """A child written as a mapping: ``{id: db, effect: soft}``."""
    if type(item) is not dict or not _CHILD_KEYS.issuperset(item):
        return None
    child_id = item.get("id")
    weight = item.get("weight", 1)
    effect = item.get("effect", "hard")
    if (
        type(child_id) is not str
        or _match_id(child_id) is None
        or type(weight) is not int
        or weight <= 0
        or type(effect) is not str
        or effect not in _EFFECTS
    ):
        return None
    values = {"id": child_id, "weight": weight, "effect": effect}
    return _make(ChildSpec, values, _fields_set(tuple(item)))


def _children(items: Any, plain: dict[str, ChildSpec]) -> tuple[ChildSpec, ...] | None:
    if type(items) is not list:
        return None
    children = []
    for item in items:
        if type(item) is str:  # a bare id: one spec for all its parents
            child = plain.get(item)
            if child is None:
                if _match_id(item) is None:
                    return None
                child = plain[item] = _make(ChildSpec, {"id": item, "weight": 1, "effect": "hard"}, _ID_ONLY)
        else:
            child = _child(item)
            if child is None:
                return None
        children.append(child)
    return tuple(children)


def _depends_on(value: Any, plain: dict[str, ChildSpec]) -> DependsOnSpec | None:
    if type(value) is list:  # a list of children means rule all
        children = _children(value, plain)
        if children is None:
            return None
        return _make(DependsOnSpec, {"rule": "all", "need": None, "children": children}, _RULE_AND_CHILDREN)
    if type(value) is not dict or not _DEPENDS_KEYS.issuperset(value):
        return None
    rule = value.get("rule", "all")
    need = value.get("need")
    if type(rule) is not str or rule not in _RULES:
        return None
    if rule == "quorum":
        if type(need) is not int or need <= 0:  # a share ("60%") goes the full way
            return None
    elif need is not None:
        return None
    children = _children(value.get("children", []), plain)
    if children is None:
        return None
    values = {"rule": rule, "need": need, "children": children}
    return _make(DependsOnSpec, values, _fields_set(tuple(value)))


def _selectors(value: Any) -> tuple[dict[str, str], ...] | None:
    if type(value) is not list:
        return None
    selectors = []
    for selector in value:
        if type(selector) is not dict or not selector:
            return None
        for label, pattern in selector.items():
            if type(label) is not str or type(pattern) is not str:
                return None
            if label != label.strip() or pattern != pattern.strip():
                return None
            if pattern.startswith("~"):
                try:
                    re.compile(pattern[1:])
                except re.error:
                    return None
        selectors.append(dict(selector))
    return tuple(selectors)


def _part(cls: type[BaseModel], value: Any) -> Any:
    """An optional part of a service, validated by Pydantic itself; ``_WRONG`` if it is not."""
    if value is None:
        return None
    if type(value) is not dict:
        return _WRONG
    try:
        return cls.model_validate(value)
    except ValidationError:
        return _WRONG


_TEXT: Final = frozenset(("name", "owner", "description", "type", "calendar"))
_NUMBERS: Final = frozenset(("mtbf_hours", "mttr_hours", "cost_per_month"))
_PARTS: Final[dict[str, type[BaseModel]]] = {
    "impact": ImpactSpec,
    "workaround": WorkaroundSpec,
    "sla": SlaSpec,
}
_KNOWN: Final = _TEXT | _NUMBERS | set(_PARTS) | {"id", "depends_on", "match", "public_status"}


def _spec(cls: type[M], raw: Any, plain: dict[str, ChildSpec]) -> M | None:
    """``cls.model_validate(raw)`` for a component or service when ``raw`` is plainly well-formed."""
    shape = _SHAPES.get(cls)
    if shape is None or type(raw) is not dict:
        return None
    keys, defaults = shape
    values = defaults.copy()  # every field with its default, in the order Pydantic gives them
    for key, value in raw.items():
        if key not in keys:
            return None
        if key == "id":
            if type(value) is not str or _match_id(value) is None:
                return None
        elif key in _TEXT:  # text that Pydantic keeps as it is (it strips whitespace)
            if value is not None and (type(value) is not str or value != value.strip()):
                return None
        elif key == "depends_on":
            if value is not None:
                value = _depends_on(value, plain)
                if value is None:
                    return None
        elif key == "match":
            value = _selectors(value)
            if value is None:
                return None
        elif key in _NUMBERS:
            value = _number(value, key == "mtbf_hours")
            if value is _WRONG:
                return None
        elif key == "public_status":
            if type(value) is not bool:
                return None
        else:
            value = _part(_PARTS[key], value)
            if value is _WRONG:
                return None
        values[key] = value
    if "id" not in raw or (values["mtbf_hours"] is None) != (values["mttr_hours"] is None):
        return None
    return _make(cls, values, _fields_set(tuple(raw)))


def _shape(cls: type[BaseModel]) -> tuple[frozenset[str], dict[str, Any]] | None:
    """The keys of ``cls`` and its defaults, if this module knows every one of its fields."""
    fields = cls.model_fields
    if not _KNOWN.issuperset(fields) or any(field.default_factory is not None for field in fields.values()):
        return None  # a field added since: every node of this class goes the full way
    return frozenset(fields), {name: field.default for name, field in fields.items()}


_SHAPES: Final[dict[type[BaseModel], tuple[frozenset[str], dict[str, Any]]]] = {
    cls: shape for cls in (ComponentSpec, ServiceSpec) if (shape := _shape(cls)) is not None
}


class SpecBuilder:
    """Builds the specs of one model's plainly well-formed nodes.

    A child written as a bare id is the same frozen ``ChildSpec`` wherever it appears in the
    model, so it is made once: a host that three applications depend on costs one spec.
    """

    def __init__(self) -> None:
        self._plain: dict[str, ChildSpec] = {}

    def component(self, raw: Any) -> ComponentSpec | None:
        """``ComponentSpec.model_validate(raw)`` when ``raw`` is plainly well-formed, else None."""
        return _spec(ComponentSpec, raw, self._plain)

    def service(self, raw: Any) -> ServiceSpec | None:
        """``ServiceSpec.model_validate(raw)`` when ``raw`` is plainly well-formed, else None."""
        return _spec(ServiceSpec, raw, self._plain)
