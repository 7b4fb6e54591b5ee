"""Write the table of ``bizmap.domain.holiday_regions`` from the installed ``holidays`` package.

    python tools/holiday_regions.py          # rewrite the table
    python tools/holiday_regions.py --check  # exit 1 when the table is not what this writes

With the table, validating a calendar's public holidays imports none of the package's 250
country modules while the installed version is the table's (issue 15). Run it after
upgrading holidays. Every country is listed under its ISO 3166-1 alpha-2 and alpha-3 codes,
with every subdivision code the package accepts for it without a warning: each pair is tried
with ``holidays.country_holidays``, so the table lists nothing the package would refuse.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import holidays
from holidays.registry import COUNTRIES

MODULE = Path(__file__).resolve().parents[1] / "src" / "bizmap" / "domain" / "holiday_regions.py"
START = "# -- written by tools/holiday_regions.py from the installed package: do not edit --\n"
END = "# -- end of the table --\n"
WIDTH = 100


def accepted(country: str, subdivision: str | None) -> bool:
    """Whether the package takes this country and subdivision, without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            holidays.country_holidays(country, subdiv=subdivision)
        except (NotImplementedError, Warning):
            return False
    return True


def country_lines() -> list[str]:
    lines = []
    for class_name, *names in COUNTRIES.values():
        codes = [n for n in names if n.isascii() and n.isalpha() and n.isupper() and len(n) in (2, 3)]
        codes = [code for code in codes if accepted(code, None)]
        if not codes:
            print(f"left to the package: {class_name} ({', '.join(names)})", file=sys.stderr)
            continue
        entity = holidays.country_holidays(codes[0])
        parent = entity.parent_entity.subdivisions if entity.parent_entity else ()
        candidates = dict.fromkeys([*entity.subdivisions, *parent])
        subdivisions = [s for s in candidates if all(accepted(code, s) for code in codes)]
        for subdivision in subdivisions:
            if not subdivision or subdivision != subdivision.strip() or any(c in subdivision for c in "|:\n"):
                raise SystemExit(f"{class_name}: subdivision {subdivision!r} cannot be written in the table")
        lines.append(wrapped(f"{' '.join(codes)}:", subdivisions))
    return sorted(lines)


def wrapped(head: str, subdivisions: list[str]) -> str:
    """One country; past WIDTH characters it carries on, indented, before a ``|``."""
    if not subdivisions:
        return head
    rows = [f"{head} {subdivisions[0]}"]
    for subdivision in subdivisions[1:]:
        if len(rows[-1]) + 1 + len(subdivision) > WIDTH:
            rows.append("    ")
        rows[-1] += f"|{subdivision}"
    return "\n".join(rows)


def table() -> str:
    lines = "\n".join(country_lines())
    return f'{START}HOLIDAYS_VERSION = "{version("holidays")}"\nREGIONS = """\n{lines}\n"""\n{END}'


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="Change nothing; exit 1 if the table differs.")
    args = parser.parse_args()
    text = MODULE.read_text(encoding="utf-8")
    before, start, rest = text.partition(START)
    _, end, after = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"{MODULE}: the table's markers are missing")
    written = before + table() + after
    if args.check:
        if written != text:
            print(f"{MODULE} is not the table of holidays {version('holidays')}: run {sys.argv[0]}")
            return 1
        print(f"{MODULE}: the table of holidays {version('holidays')}, up to date")
        return 0
    MODULE.write_text(written, encoding="utf-8")
    print(f"wrote the table of holidays {version('holidays')} into {MODULE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
