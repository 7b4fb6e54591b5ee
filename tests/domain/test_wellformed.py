"""The fast path of validation builds exactly what Pydantic builds, or declines.

``bizmap.domain.wellformed`` builds the specs of plainly well-formed nodes without Pydantic;
everything else goes the full way. Held here: for valid and invalid node data alike, a spec
from the fast path is the very spec ``model_validate`` makes (same class, same values of the
same types in the same order, same fields given), the fast path declines whatever Pydantic
would refuse or change, and a whole model validates to the same ``Model``, or the same
problems with the same lines, with the fast path and without it.
"""

from __future__ import annotations

import importlib.util
import math
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from bizmap.domain.model import CalendarSpec, ComponentSpec, MaintenanceSpec, Model, ServiceSpec
from bizmap.domain.validate import Document, ModelInvalid, validate_documents
from bizmap.domain.wellformed import SpecBuilder
from bizmap.model.loading import model_files, parse_yaml

ROOT = Path(__file__).resolve().parents[2]


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 == 1.0 and -0.0 == 0.0 are not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, BaseModel):
        return (
            list(a.__dict__) == list(b.__dict__)
            and all(same(a.__dict__[k], b.__dict__[k]) for k in a.__dict__)
            and a.model_fields_set == b.model_fields_set
            and a.__pydantic_extra__ == b.__pydantic_extra__
            and a.__pydantic_private__ == b.__pydantic_private__
        )
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return math.copysign(1, a) == math.copysign(1, b) and (a == b or (math.isnan(a) and math.isnan(b)))
    return bool(a == b)


def full_way(cls: type[BaseModel], raw: Any) -> BaseModel | None:
    try:
        return cls.model_validate(raw)
    except ValidationError:
        return None


def fast_way(cls: type[BaseModel], raw: Any) -> BaseModel | None:
    builder = SpecBuilder()
    return builder.service(raw) if cls is ServiceSpec else builder.component(raw)


def app(**fields: Any) -> dict[str, Any]:
    return {"id": "app", **fields}


def needs(rule: str, need: Any = None, children: Any = ("a", "b", "c")) -> dict[str, Any]:
    spec = {"rule": rule, "children": list(children) if isinstance(children, tuple) else children}
    return spec if need is None else {**spec, "need": need}


def service(**fields: Any) -> dict[str, Any]:
    return {"service": True, "id": "billing", **fields}


EFFECTS = ("hard", "soft", "escalate", "ignore")
# (what, data, taken by the fast path?): a component unless made by service()
CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("a host with one selector", {"id": "db-1", "type": "host", "match": [{"instance": "db-1:9100"}]}, True),
    ("depends_on as a list of ids", app(depends_on=["db-1", "db-2"]), True),
    ("depends_on as a rule", app(depends_on=needs("any")), True),
    ("quorum with an integer need", app(depends_on=needs("quorum", 2)), True),
    (
        "a child with effect and weight",
        app(depends_on=[{"id": "a", "effect": "soft", "weight": 3}, "b"]),
        True,
    ),
    ("every effect", app(depends_on=[{"id": effect, "effect": effect} for effect in EFFECTS]), True),
    ("no children", app(depends_on={"rule": "all"}), True),
    ("an empty list of children", app(depends_on=[]), True),
    ("depends_on given as null", app(depends_on=None), True),
    ("names and texts", app(name="App", owner="ops", description="x y", type="vm"), True),
    ("an empty name", app(name=""), True),
    ("numbers written as integers", app(mtbf_hours=4380, mttr_hours=0, cost_per_month=300), True),
    ("numbers written as floats", app(mtbf_hours=0.5, mttr_hours=1.5, cost_per_month=0.0), True),
    ("an infinite mtbf", app(mtbf_hours=math.inf, mttr_hours=1), True),
    ("a regex selector", app(match=[{"job": "node", "instance": "~db-[0-9]+"}]), True),
    ("two selectors", app(match=[{"a": "1"}, {"b": "2", "c": ""}]), True),
    ("an empty list of selectors", app(match=[]), True),
    (
        "a service in full",
        service(
            name="Billing",
            calendar="office",
            public_status=True,
            impact={"revenue_per_hour": 500, "users": 10, "cost_per_user_hour": 40},
            workaround={"impact_factor": 0.5, "max_hours": 2},
            sla={"target": 99.5, "calendar": " office "},  # the parts go through Pydantic
            depends_on=["db-1"],
        ),
        True,
    ),
    ("a bare service", service(), True),
    # whatever Pydantic would convert, strip or refuse goes the full way
    ("a name with a space around it", app(name=" App"), False),
    ("a name with a next-line character at its end", app(name="App\x85"), False),
    ("a number as a name", app(name=12), False),
    ("a number as a label value", app(match=[{"port": 9100}]), False),
    ("a label value with spaces around it", app(match=[{"a": " x"}]), False),
    ("an empty selector", app(match=[{}]), False),
    ("a bad regex selector", app(match=[{"a": "~("}]), False),
    ("selectors given as null", app(match=None), False),
    ("an uppercase id", {"id": "App"}, False),
    ("an id ending in a newline", {"id": "app\n"}, False),
    ("an id holding a tab", {"id": "a\tb"}, False),
    ("an id with a space around it", {"id": " app"}, False),
    ("no id", {"type": "vm"}, False),
    ("an unknown key", app(dependson=["a"]), False),
    ("a service's key on a component", app(calendar="office"), False),
    ("a child with an unknown key", app(depends_on=[{"id": "a", "efect": "soft"}]), False),
    ("a child with a bad id", app(depends_on=["A"]), False),
    ("a child weight of zero", app(depends_on=[{"id": "a", "weight": 0}]), False),
    ("a child weight of true", app(depends_on=[{"id": "a", "weight": True}]), False),
    ("a child weight as a float", app(depends_on=[{"id": "a", "weight": 2.0}]), False),
    ("an unknown effect", app(depends_on=[{"id": "a", "effect": "hardish"}]), False),
    ("an unknown rule", app(depends_on=needs("most")), False),
    ("quorum without need", app(depends_on=needs("quorum")), False),
    ("need without quorum", app(depends_on=needs("all", 1)), False),
    ("quorum with a share", app(depends_on=needs("quorum", "50%")), False),
    ("quorum with need true", app(depends_on=needs("quorum", True)), False),
    ("children given as null", app(depends_on=needs("all", children=None)), False),
    ("children given as a mapping", app(depends_on=needs("all", children={"a": 1})), False),
    ("mtbf without mttr", app(mtbf_hours=10), False),
    ("mttr without mtbf", app(mttr_hours=1), False),
    ("an mtbf of zero", app(mtbf_hours=0, mttr_hours=1), False),
    ("a negative cost", app(cost_per_month=-1), False),
    ("a cost of NaN", app(cost_per_month=math.nan), False),
    ("a cost written as text", app(cost_per_month="300"), False),
    ("a cost of true", app(cost_per_month=True), False),
    ("a cost too large for a float to hold exactly", app(cost_per_month=2**53 + 1), False),
    ("public_status as text", service(public_status="yes"), False),
    ("a bad impact", service(impact={"users": -1}), False),
    ("impact as a list", service(impact=[1]), False),
]


@pytest.mark.parametrize(("what", "data", "fast"), CASES, ids=[case[0] for case in CASES])
def test_the_fast_path_builds_what_pydantic_builds_or_declines(
    what: str, data: dict[str, Any], fast: bool
) -> None:
    raw = dict(data)
    cls: type[BaseModel] = ServiceSpec if raw.pop("service", False) else ComponentSpec
    quick = fast_way(cls, raw)
    assert (quick is not None) is fast
    if quick is not None:
        full = full_way(cls, raw)
        assert full is not None and same(quick, full)


def test_a_child_written_as_a_bare_id_is_one_spec_for_all_its_parents() -> None:
    builder = SpecBuilder()
    a = builder.component({"id": "a", "depends_on": ["db", {"id": "cache"}]})
    b = builder.component({"id": "b", "depends_on": {"rule": "any", "children": ["db", {"id": "cache"}]}})
    assert a is not None and a.depends_on is not None and b is not None and b.depends_on is not None
    assert a.depends_on.children[0] is b.depends_on.children[0]
    assert a.depends_on.children[1] is not b.depends_on.children[1]
    assert a.depends_on.children[1] == b.depends_on.children[1]


# Arbitrary node data: known keys and near misses, good and bad values of every kind.
IDS = st.sampled_from(["a", "db-1", "x.y_z", "A", "a b", " a", "a\n", "", "a\x00"])
TEXTS = st.sampled_from(["", "App", " App", "App ", "a\u2028", "x\x1c"]) | st.text(max_size=6)
NUMBERS = st.sampled_from(
    [0, 1, -1, 0.0, -0.0, 2.5, 2**53, 2**53 + 1, True, math.inf, -math.inf, math.nan, "3"]
)
CHILDREN = st.lists(
    IDS
    | st.fixed_dictionaries(
        {"id": IDS},
        optional={
            "weight": st.sampled_from([1, 2, 0, -1, True, 1.0, "2", None]),
            "effect": st.sampled_from(["hard", "soft", "escalate", "ignore", "Hard", None]),
            "eff": st.just("soft"),
        },
    ),
    max_size=4,
)
DEPENDS = (
    CHILDREN
    | st.none()
    | st.fixed_dictionaries(
        {},
        optional={
            "rule": st.sampled_from(["all", "any", "quorum", "most", None]),
            "need": st.sampled_from([1, 2, 5, 0, -1, True, 1.5, "50%", "x", None]),
            "children": CHILDREN | st.none(),
            "kids": CHILDREN,
        },
    )
)
SELECTORS = st.lists(
    st.dictionaries(
        st.sampled_from(["job", "instance", " job", ""]),
        st.sampled_from(["node", "~db-.*", "~(", " x", "", "a\x85"]) | st.integers(0, 99),
        max_size=2,
    ),
    max_size=2,
) | st.sampled_from([None, "x", {"job": "node"}])
PARTS = (
    st.none()
    | st.sampled_from([[], "x"])
    | st.fixed_dictionaries(
        {}, optional={"target": NUMBERS, "users": NUMBERS, "impact_factor": NUMBERS, "calendar": TEXTS}
    )
)
NODE = st.fixed_dictionaries(
    {},
    optional={
        "id": IDS,
        "name": TEXTS | st.none() | st.integers(),
        "owner": TEXTS,
        "description": TEXTS,
        "type": TEXTS | st.integers(),
        "depends_on": DEPENDS,
        "match": SELECTORS,
        "mtbf_hours": NUMBERS | st.none(),
        "mttr_hours": NUMBERS | st.none(),
        "cost_per_month": NUMBERS | st.none(),
        "calendar": TEXTS | st.none(),
        "public_status": st.sampled_from([True, False, None, 1, "true"]),
        "impact": PARTS,
        "workaround": PARTS,
        "sla": PARTS,
        "id_": IDS,
    },
)


@settings(max_examples=400, deadline=None)
@given(raw=NODE, service=st.booleans())
def test_on_any_node_data_the_fast_path_agrees_with_pydantic(raw: dict[str, Any], service: bool) -> None:
    cls: type[BaseModel] = ServiceSpec if service else ComponentSpec
    quick = fast_way(cls, raw)
    if quick is not None:
        full = full_way(cls, raw)
        assert full is not None, "the fast path took data that Pydantic refuses"
        assert same(quick, full)


# -- whole models -----------------------------------------------------------------------------


SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("services", ServiceSpec),
    ("components", ComponentSpec),
    ("maintenance", MaintenanceSpec),
)


def validated_one_by_one(documents: list[Document]) -> Model:
    """A valid model as Pydantic alone makes it: every item validated by its class, in order."""
    parts: dict[str, Any] = {"calendars": {}, "services": [], "components": [], "maintenance": []}
    for document in documents:
        data = document.data or {}
        parts["currency"] = data.get("currency", parts.get("currency", "EUR"))
        for name, raw in (data.get("calendars") or {}).items():
            parts["calendars"][name] = CalendarSpec.model_validate(raw)
        for section, cls in SECTIONS:
            parts[section] += [cls.model_validate(raw) for raw in data.get(section) or []]
    return Model(**parts)


def example_documents(name: str) -> list[Document]:
    documents = []
    for file in model_files(ROOT / "examples" / name):
        document, problems = parse_yaml(file.read_text(encoding="utf-8"), str(file))
        assert document is not None and not problems
        documents.append(document)
    return documents


@pytest.mark.parametrize("name", ["hospital", "retailer"])
def test_an_example_model_validates_to_what_pydantic_alone_makes(name: str) -> None:
    documents = example_documents(name)
    model = validate_documents(documents)
    assert same(model, validated_one_by_one(documents))
    assert len(model.components) > 10


def test_a_generated_model_validates_to_what_pydantic_alone_makes() -> None:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    documents = [Document("generated", generate.model_data(2_000))]
    model = validate_documents(documents)
    assert same(model, validated_one_by_one(documents))
    assert len(model.components) == 1_980


def documents_of(text: str) -> list[Document]:
    document, problems = parse_yaml(textwrap.dedent(text), "model.yaml")
    assert document is not None and not problems
    return [document]


MIXED = """\
    services:
      - id: billing
        depends_on: [app, ghost]
        calendar: offfice
      - id: billing
        depends_on: [app]
    components:
      - id: app
        name: " spaced "
        depends_on: {rule: quorum, need: 3, children: [db, {id: cache, weight: 1}]}
      - id: db
        depends_on: [loop]
        mtbf_hours: 10
      - id: loop
        depends_on: [db]
      - id: cache
        match: [{instance: "~("}]
      - {id: Bad, type: vm}
      - id: fine
        type: vm
        depends_on: [cache]
"""


def test_an_invalid_model_mixing_both_paths_has_every_problem_at_its_line() -> None:
    """Valid nodes (fast path) and invalid ones (Pydantic) side by side, with the checks across them."""
    with pytest.raises(ModelInvalid) as raised:
        validate_documents(documents_of(MIXED))
    assert [str(problem) for problem in raised.value.problems] == [
        "model.yaml:5: error: duplicate id 'billing': also defined at model.yaml:2",
        "model.yaml:11: error: component 'db': mtbf_hours is given without mttr_hours: give both or neither",
        "model.yaml:17: error: component 'cache': match: label 'instance': bad regex '(': "
        "missing ), unterminated subpattern at position 0",
        "model.yaml:18: error: component 'Bad': id: String should match pattern "
        "'^[a-z0-9][a-z0-9._-]*$' (got 'Bad')",
        "model.yaml:3: error: 'billing' depends on unknown node 'ghost'",
        "model.yaml:4: error: service 'billing' uses unknown calendar 'offfice'",
        "model.yaml:10: error: 'app': need 3 is larger than the total weight 2 of its non-ignored "
        "children, so it could never be ok",
        "model.yaml:12: error: dependency cycle: db -> loop -> db",
    ]
