"""Build hook: compile the hot engine modules with mypyc when possible.

The propagation and timeline modules are plain, fully typed Python; mypyc turns them into
C extensions about twice as fast. Editable (development) installs never compile, so that
edits take effect at once and no stale extension shadows the source; BIZMAP_COMPILE=0
skips it for any install. Without a C compiler the pure-Python modules are used and
behave the same, only slower.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

COMPILED = ["src/bizmap/domain/propagate.py", "src/bizmap/domain/timeline.py"]

ext_modules = []
editable = any(command in sys.argv for command in ("editable_wheel", "develop"))
if os.environ.get("BIZMAP_COMPILE", "1") != "0" and not editable:
    try:
        from mypyc.build import mypycify

        ext_modules = mypycify(COMPILED, opt_level="3")
    except Exception as error:  # any failure means: ship the pure engine
        print(f"bizmap: building without the compiled engine ({error})")

setup(ext_modules=ext_modules)
