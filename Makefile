# bizmap: two commands. `make demo` and `make test` each set up their own environment.
#
#   .venv           development install (editable, pure Python: edits take effect at once)
#   .venv-compiled  regular install with the engine compiled by mypyc (what users get);
#                   the engine tests run against it too, and the benchmarks use it
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CVENV := .venv-compiled
CBIN := $(CVENV)/bin
CSTAMP := $(CVENV)/.installed
SOURCES := $(shell find src -name '*.py') setup.py pyproject.toml
ENGINE_TESTS := tests/domain tests/analytics tests/test_replay.py tests/test_cli.py tests/test_events.py

.PHONY: demo test lint audit unit test-compiled bench clean integration-deps bench-deps

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	BIZMAP_COMPILE=0 $(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(CSTAMP): $(SOURCES)
	$(PYTHON) -m venv $(CVENV)
	$(CBIN)/pip install --quiet --upgrade pip
	$(CBIN)/pip install --quiet '.[dev]'
	touch $(CSTAMP)

demo: $(STAMP)
	$(BIN)/bizmap validate examples/hospital
	$(BIN)/bizmap replay examples/hospital examples/hospital/events.jsonl --from 2026-10-01T00:00:00Z --to 2026-11-01T00:00:00Z
	$(BIN)/bizmap demo --model examples/hospital

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools setup.py
	$(BIN)/ruff format --check src tests bench tools setup.py
	$(BIN)/mypy
	$(BIN)/lint-imports

# Debian packages the tests drive for real: Alertmanager (webhooks), Chromium (browser tests),
# poppler (pdftotext/pdftoppm on rendered reports) and the libraries WeasyPrint renders PDF with
SYSTEM_PACKAGES := prometheus prometheus-alertmanager chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz-subset0 fonts-dejavu-core
integration-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

unit: $(STAMP) integration-deps
	BIZMAP_EXPECT_COMPILED=0 $(BIN)/pytest -n 2 --dist loadfile  # two workers; a file stays on one

test-compiled: $(CSTAMP)
	BIZMAP_EXPECT_COMPILED=1 $(CBIN)/python -m pytest -p no:cacheprovider $(ENGINE_TESTS) tests/test_compiled.py

# known vulnerabilities in the installed packages, from PyPI's advisories (tools/audit_dependencies.py)
audit: $(STAMP)
	$(BIN)/python tools/audit_dependencies.py

# the unit tests and the compiled build (then its tests) side by side: each mostly keeps one core
test: lint audit
	$(MAKE) -j2 --output-sync=target unit test-compiled

# wrk drives the ingestion benchmark (a load generator in C: it leaves the cores to the server)
bench-deps: integration-deps
	@dpkg -s wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)

bench: $(CSTAMP) bench-deps
	$(CBIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(CVENV) build .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
