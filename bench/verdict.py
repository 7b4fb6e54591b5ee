"""One line per target, the same shape in every benchmark, so that `make bench` can sum them up."""

from __future__ import annotations

PREFIX = "TARGET"


def verdict(target: str, met: bool, figure: str) -> None:
    """Print ``TARGET met: <target> (<figure>)``; run_all.py repeats these lines at the end."""
    print(f"{PREFIX} {'met' if met else 'NOT met'}: {target} ({figure})", flush=True)
