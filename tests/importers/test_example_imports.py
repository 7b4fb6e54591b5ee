"""The catalogs in examples/imports (shown in the README) import into valid models."""

from __future__ import annotations

from pathlib import Path

from helpers import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
IMPORTS = EXAMPLES / "imports"


def test_the_backstage_example(tmp_path: Path) -> None:
    files = sorted((IMPORTS / "backstage").glob("*.yaml"))
    assert run_cli("import", "backstage", *files, "--output", tmp_path / "m").exit_code == 0
    validated = run_cli("validate", tmp_path / "m")
    # online-shop <- storefront, checkout-api, orders-db (members); storefront -> checkout-api,
    # cdn; checkout-api -> orders-db: 3 + 2 + 1 = 6 dependencies
    assert "1 business service, 4 components, 6 dependencies" in validated.stdout


def test_the_cmdb_example(tmp_path: Path) -> None:
    cmdb = IMPORTS / "cmdb"
    result = run_cli("import", "csv", cmdb / "items.csv", cmdb / "relations.csv", "--output", tmp_path / "m")
    assert result.exit_code == 0, result.stderr
    assert "1 business service, 4 components, 5 dependencies" in run_cli("validate", tmp_path / "m").stdout


def test_the_openslo_example_on_the_retailer() -> None:
    result = run_cli("slo", "import", IMPORTS / "openslo", "--model", EXAMPLES / "retailer")
    assert result.exit_code == 0, result.stderr
    # 0.9995 -> 99.95 %; rolling 28 d -> month, with a warning; the indicatorRef is warned about
    assert "checkout: sla {target: 99.95, period: month}" in result.stdout
    assert "the rolling 28d window cannot be mapped" in result.stderr
    assert "indicatorRef 'checkout-good-requests' is not imported" in result.stderr
