"""Audit the installed Python packages for known vulnerabilities; exit 1 if any is found.

    python tools/audit_dependencies.py [--json]

Every distribution installed beside bizmap is looked up in PyPI's JSON API, which carries the
advisories of the Python Packaging Advisory Database and OSV for each release (the data
pip-audit's PyPI service reads):

- ``/pypi/NAME/VERSION/json`` gives the advisories of the installed release;
- where that address is not served (some mirrors and proxies serve only ``/pypi/NAME/json``),
  the project's page gives the advisories of its newest release, which are the installed
  release's when it is the newest; an older release is then listed as not audited.

Advisories withdrawn by their publisher are ignored. A package PyPI does not know (bizmap
itself, installed from this tree) is listed as not audited. With no answer from PyPI at all
the audit fails: it never passes without having looked.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

PYPI = "https://pypi.org/pypi"


@dataclass
class Finding:
    name: str
    version: str
    advisories: list[dict[str, object]] = field(default_factory=list)
    audited: bool = True
    why_not: str = ""


def installed() -> dict[str, str]:
    """Every distribution of this environment, by normalised name."""
    found = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[re.sub(r"[-_.]+", "-", name).lower()] = dist.version
    return found


def audit_one(client: httpx.Client, name: str, version: str) -> Finding:
    exact = client.get(f"{PYPI}/{name}/{version}/json")
    if exact.status_code == 200:
        return Finding(name, version, _current(exact.json()))
    project = client.get(f"{PYPI}/{name}/json")
    if project.status_code == 404:
        return Finding(name, version, audited=False, why_not="not on PyPI")
    project.raise_for_status()
    document = project.json()
    newest = document["info"]["version"]
    if newest != version:
        why = f"{version} is not the newest release ({newest}) and PyPI's page for {version} is not served"
        return Finding(name, version, audited=False, why_not=why)
    return Finding(name, version, _current(document))


def audit(packages: dict[str, str], client: httpx.Client | None = None) -> list[Finding]:
    """Findings for ``packages`` (name -> version), in name order."""
    own = client or httpx.Client(timeout=30, follow_redirects=True)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(lambda item: audit_one(own, *item), sorted(packages.items())))
    finally:
        if client is None:
            own.close()


def _current(document: dict[str, object]) -> list[dict[str, object]]:
    advisories = document.get("vulnerabilities") or []
    assert isinstance(advisories, list)
    return [a for a in advisories if isinstance(a, dict) and not a.get("withdrawn")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    arguments = parser.parse_args()
    packages = installed()
    try:
        findings = audit(packages)
    except httpx.HTTPError as error:
        print(f"audit: PyPI did not answer ({error}); nothing was audited", file=sys.stderr)
        return 2
    vulnerable = [f for f in findings if f.advisories]
    unaudited = [f for f in findings if not f.audited]
    if arguments.json:
        print(json.dumps([f.__dict__ for f in findings], indent=2))
    for finding in vulnerable:
        for advisory in finding.advisories:
            fixed = ", ".join(map(str, advisory.get("fixed_in") or [])) or "no fix yet"
            print(f"VULNERABLE {finding.name} {finding.version}: {advisory.get('id')} (fixed in {fixed})")
    for finding in unaudited:
        print(f"not audited: {finding.name} {finding.version}: {finding.why_not}")
    audited = len(findings) - len(unaudited)
    print(
        f"audit: {audited} of {len(findings)} packages audited, {len(vulnerable)} with known vulnerabilities"
    )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
