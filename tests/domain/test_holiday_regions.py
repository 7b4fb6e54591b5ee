"""Public holidays in a calendar are checked without importing the package's 250 countries.

``bizmap.domain.holiday_regions`` lists what one version of ``holidays`` accepts; the
calendar check asks the package itself for anything else. Whatever the table says, the
answer is the package's.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from pydantic import ValidationError

from bizmap.domain import holiday_regions
from bizmap.domain.model import HolidaySpec

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from holiday_regions import accepted  # noqa: E402

SAME_VERSION = version("holidays") == holiday_regions.HOLIDAYS_VERSION
needs_the_tables_version = pytest.mark.skipif(
    not SAME_VERSION,
    reason=f"holidays {version('holidays')} is installed, the table is of "
    f"{holiday_regions.HOLIDAYS_VERSION}: run tools/holiday_regions.py",
)


package_accepts = accepted  # the tool's own check: what the package takes without a warning


@needs_the_tables_version
def test_the_table_lists_nothing_the_package_refuses() -> None:
    regions = holiday_regions.parse_regions(holiday_regions.REGIONS)
    assert {"GB", "GBR", "US", "DE", "FR"} <= set(regions)
    assert {"ENG", "NIR", "SCT", "WLS"} <= regions["GB"]
    for country, subdivisions in regions.items():
        assert holiday_regions.listed(country, None)
        assert package_accepts(country, None), country
        for subdivision in subdivisions:
            assert holiday_regions.listed(country, subdivision)
            assert package_accepts(country, subdivision), (country, subdivision)


@needs_the_tables_version
def test_the_table_is_what_the_tool_writes_from_the_installed_package() -> None:
    done = subprocess.run(
        [sys.executable, "tools/holiday_regions.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_another_version_of_the_package_lists_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(holiday_regions, "HOLIDAYS_VERSION", "0.0-not-installed")
    holiday_regions._regions.cache_clear()
    try:
        assert not holiday_regions.listed("GB", "ENG")
        assert not holiday_regions.listed("GB", None)
        HolidaySpec(country="GB", subdivision="ENG")  # the package says yes
        with pytest.raises(ValidationError, match="unknown holiday country or subdivision"):
            HolidaySpec(country="GB", subdivision="XYZ")
    finally:
        holiday_regions._regions.cache_clear()


@pytest.mark.parametrize(
    ("country", "subdivision"),
    [("GB", "ENG"), ("GB", None), ("GBR", "SCT"), ("US", "CA"), ("GB", "England"), ("DE", "BY")],
)
def test_what_the_package_accepts_is_accepted(country: str, subdivision: str | None) -> None:
    assert package_accepts(country, subdivision)
    assert HolidaySpec(country=country, subdivision=subdivision).country == country


@pytest.mark.parametrize(
    ("country", "subdivision"), [("XX", None), ("GB", "XYZ"), ("gb", None), ("US", "ENG")]
)
def test_what_the_package_refuses_is_refused(country: str, subdivision: str | None) -> None:
    assert not package_accepts(country, subdivision)
    assert not holiday_regions.listed(country, subdivision)
    with pytest.raises(ValidationError, match="unknown holiday country or subdivision"):
        HolidaySpec(country=country, subdivision=subdivision)


@needs_the_tables_version
def test_checking_a_listed_region_imports_no_country_module() -> None:
    code = (
        "import sys\n"
        "from bizmap.domain.model import HolidaySpec\n"
        "HolidaySpec(country='GB', subdivision='ENG')\n"
        "print(sorted(m for m in sys.modules if m.startswith('holidays')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
