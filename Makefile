# midcorridor: set up, run the main job, test. Needs only Python 3.11, pip, git, make
# (and apt-get for the browser the map tests drive).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
#: The demo needs only the package itself: the test tools and extras stay with `make test`.
DEMO_STAMP := $(VENV)/.installed-demo

.PHONY: demo test quick docs browser benchmark clean

# Main job: the answer first (days by class and departure month, who takes 50 days and
# why), then baseline against digitized customs (days, cost, CO2, the cargo each corridor
# wins), with a map, time- and cost-distance charts and a Markdown report.
# Bytecode: the demo's install leaves it out (most of the libraries' modules are never
# imported) and each command writes that of what it imports, once, even where the
# environment says otherwise (PYTHONDONTWRITEBYTECODE).
demo: export PYTHONDONTWRITEBYTECODE =
demo: $(DEMO_STAMP)
	@mkdir -p reports
	$(BIN)/midcorridor compare scenarios/baseline.yaml scenarios/digital_customs.yaml \
		--headline --choice --map maps/baseline_vs_digital.html \
		--chart maps/baseline_vs_digital.png --cost-chart maps/baseline_vs_digital_cost.png \
		--report reports/baseline_vs_digital

# Whole test suite: lint, format check, types, tests (browser tests included).
test: $(STAMP) browser
	$(BIN)/ruff check src tests benchmarks docs
	$(BIN)/ruff format --check src tests benchmarks docs
	$(BIN)/mypy
	$(BIN)/python -m pytest

# While working: lint, types and the tests not marked slow (no browser, no fuzzing), in
# well under half the time of the whole suite.
quick: $(STAMP)
	$(BIN)/ruff check src tests benchmarks docs
	$(BIN)/ruff format --check src tests benchmarks docs
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "not slow"

# The API reference (docs/api.md) from the docstrings; tests/test_docs.py checks it is current.
docs: $(DEMO_STAMP)
	$(BIN)/python docs/build_api.py

# The demo's install is the package alone, by uv (installed into the venv by its own pip):
# it fetches and unpacks in parallel, a few seconds where pip takes about twenty, and it
# is quiet but for errors.
$(DEMO_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing midcorridor and what it needs into $(VENV)"
	@$(BIN)/python -m pip install -qq --disable-pip-version-check uv
	@$(BIN)/uv pip install --quiet --python $(BIN)/python -e .
	@touch $(DEMO_STAMP)

# The tests start many processes: every library's bytecode is compiled once here, also
# what a demo installed without it.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null
	touch $(STAMP) $(DEMO_STAMP)

# Debian's chromium for the map tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_timing.py
	$(BIN)/python benchmarks/bench_queue_engine.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_memory.py
	$(BIN)/python benchmarks/bench_journeys.py
	$(BIN)/python benchmarks/bench_choice.py
	$(BIN)/python benchmarks/bench_grid.py
	$(BIN)/python benchmarks/bench_hostile_inputs.py
	$(BIN)/python benchmarks/bench_fit.py
	$(BIN)/python benchmarks/bench_demo.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
