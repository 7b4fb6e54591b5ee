"""Fuzzing the model loader: whatever is on disk, ``load_model`` gives a model or a located refusal.

Arbitrary text and bytes, text made of YAML's own punctuation (anchors, aliases, merge keys,
tags, flow and block collections), arbitrary YAML data, and a valid model with one value
replaced: the loader returns a ``Model`` or raises a ``BizmapError`` (``ModelInvalid`` with
problems in the file, within its lines), and never anything else.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bizmap.domain.model import Model
from bizmap.domain.validate import ModelInvalid
from bizmap.errors import BizmapError
from bizmap.model.loading import load_model

FUZZ_SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# YAML's punctuation and a few of the words of a model, to be strung together at random.
YAML_TOKENS = (
    ":", ": ", "-", "- ", "? ", ",", "[", "]", "{", "}", "'", '"', "\\", "#", "|", ">", "\t", "\n",
    "\n  ", "\n    ", "  ", "&a ", "&b ", "*a", "*b", "<<", "<<: ", "<<: *a", "<<: [*a, *b]",
    "!!str ", "!!int ", "!!float ", "!!bool ", "!!null ", "!!timestamp ", "!!binary ", "!!merge ",
    "!!set ", "!!omap ", "!!pairs ", "!!python/object:os.system ", "!local ", "%YAML 1.1\n",
    "---\n", "...\n", "services", "components", "calendars", "maintenance", "currency", "id",
    "depends_on", "children", "need", "hours", "mon-fri", "a", "x", "1", "-1", "0.5", "50%", "~",
    "true", "null", "2026-13-01", "2026-11-07T22:00:00Z", "09:00-17:00", "\x00", "\x85", "\u2028",
    "\ufeff", "é",
)  # fmt: skip
yaml_like_text = st.lists(st.sampled_from(YAML_TOKENS), max_size=60).map("".join)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.dates()
    | st.datetimes(timezones=st.just(UTC))
)
yaml_data = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12) | st.integers(), inner, max_size=4)
    ),
    max_leaves=24,
)

# A small model using every section, valid as it stands (checked below).
VALID_MODEL: dict[str, Any] = {
    "currency": "EUR",
    "calendars": {
        "office": {
            "timezone": "Europe/Paris",
            "hours": {"mon-fri": "09:00-17:00", "sat": "09:00-12:00"},
            "holidays": ["2026-12-25"],
        }
    },
    "services": [
        {
            "id": "shop",
            "name": "Shop",
            "calendar": "office",
            "impact": {"revenue_per_hour": 1000, "users": 10, "population": "clerks"},
            "workaround": {"impact_factor": 0.5, "max_hours": 2},
            "sla": {"target": 99.9, "period": "month", "calendar": "office"},
            "depends_on": {
                "rule": "quorum",
                "need": "50%",
                "children": [{"id": "a", "weight": 2}, "b", {"id": "c", "effect": "soft"}],
            },
            "match": [{"service": "shop"}],
        }
    ],
    "components": [
        {"id": "a", "mtbf_hours": 8760, "mttr_hours": 4, "cost_per_month": 100},
        {"id": "b", "depends_on": ["c"]},
        {"id": "c", "type": "database"},
    ],
    "maintenance": [
        {
            "id": "patch",
            "nodes": ["a"],
            "start": "2026-11-07T22:00:00Z",
            "end": "2026-11-08T02:00:00Z",
            "reason": "patching",
        }
    ],
}


def paths(data: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every path into ``data``: each mapping key and list index, at every depth."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield (*prefix, key)
        yield from paths(value, (*prefix, key))


MODEL_PATHS = list(paths(VALID_MODEL))


def replaced(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """A copy of the valid model with the value at ``path`` replaced."""
    model = copy.deepcopy(VALID_MODEL)
    parent: Any = model
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return model


def load_or_refuse(content: str | bytes) -> None:
    """Load ``content`` as a model file: a ``Model``, or a refusal located in that file."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "model.yaml"
        path.write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
        try:
            model = load_model(path)
        except ModelInvalid as invalid:
            assert invalid.problems
            lines = len(path.read_bytes().decode("utf-8", "replace").splitlines()) + 1
            for problem in invalid.problems:
                assert problem.file == str(path)
                assert problem.line is None or 1 <= problem.line <= lines, problem
                assert problem.message
        except BizmapError:
            pass
        else:
            assert isinstance(model, Model)


def test_the_valid_model_used_below_is_valid() -> None:
    load_or_refuse(yaml.safe_dump(VALID_MODEL))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "model.yaml"
        path.write_text(yaml.safe_dump(VALID_MODEL))
        assert [s.id for s in load_model(path).services] == ["shop"]


@FUZZ_SETTINGS
@given(st.text(max_size=200))
def test_any_text_loads_or_is_refused(text: str) -> None:
    load_or_refuse(text)


@FUZZ_SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_load_or_are_refused(content: bytes) -> None:
    load_or_refuse(content)


@FUZZ_SETTINGS
@given(yaml_like_text)
def test_any_string_of_yaml_punctuation_loads_or_is_refused(text: str) -> None:
    load_or_refuse(text)


@FUZZ_SETTINGS
@given(yaml_data, st.booleans())
def test_any_yaml_data_loads_or_is_refused(data: Any, flow: bool) -> None:
    load_or_refuse(yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True))


@FUZZ_SETTINGS
@given(st.sampled_from(MODEL_PATHS), yaml_data, st.booleans())
def test_a_valid_model_with_one_value_replaced_loads_or_is_refused(
    path: tuple[str | int, ...], value: Any, flow: bool
) -> None:
    load_or_refuse(yaml.safe_dump(replaced(path, value), default_flow_style=flow, allow_unicode=True))


@FUZZ_SETTINGS
@given(st.sampled_from(MODEL_PATHS), yaml_like_text)
def test_a_valid_model_with_one_value_written_as_yaml_punctuation_loads_or_is_refused(
    path: tuple[str | int, ...], text: str
) -> None:
    # the value is spliced into the text as written, so that it may break the file's structure
    marker = "REPLACED-VALUE-MARKER"
    dumped = yaml.safe_dump(replaced(path, marker), default_flow_style=False)
    load_or_refuse(dumped.replace(marker, text))
