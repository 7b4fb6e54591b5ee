"""Which engine is under test: `make test` runs the engine tests on both builds.

BIZMAP_EXPECT_COMPILED=1: the mypyc-compiled modules must be the ones imported;
=0: the pure-Python ones (the development install). Unset: either is fine.
"""

from __future__ import annotations

import os

import bizmap.domain.propagate
import bizmap.domain.timeline


def test_the_engine_build_is_the_one_expected() -> None:
    expected = os.environ.get("BIZMAP_EXPECT_COMPILED")
    for module in (bizmap.domain.propagate, bizmap.domain.timeline):
        path = module.__file__ or ""
        if expected == "1":
            assert path.endswith(".so"), f"{module.__name__} is not compiled: {path}"
        elif expected == "0":
            assert path.endswith(".py"), f"{module.__name__} is compiled: {path}"
        assert module.__name__ in ("bizmap.domain.propagate", "bizmap.domain.timeline")
