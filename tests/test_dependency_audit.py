"""The dependency audit (tools/audit_dependencies.py, run by `make test`) against the real PyPI."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from audit_dependencies import audit


def test_a_release_with_advisories_is_found_vulnerable() -> None:
    """pycrypto 2.6.1, its last release, carries PYSEC-2017-94 (CVE-2013-7459, a heap overflow)."""
    (finding,) = audit({"pycrypto": "2.6.1"})
    assert finding.audited
    assert "PYSEC-2017-94" in {advisory["id"] for advisory in finding.advisories}


def test_a_package_pypi_does_not_know_is_listed_as_not_audited() -> None:
    (finding,) = audit({"bizmap-no-such-package-for-the-audit-test": "1.0"})
    assert not finding.audited and finding.why_not == "not on PyPI"
    assert finding.advisories == []
