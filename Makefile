# The workbook's commands. `make lab` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.crmkit-installed
PYTEST_ARGS ?=

.PHONY: help lab test test-fast lint notebooks exercises guide data needs bench bench-models lock clean

help:
	@echo "make lab        set up .venv and open the workbook in JupyterLab"
	@echo "make test       set up .venv and run every test (unit, notebooks, exercises, grading, browser)"
	@echo "make test-fast  unit and property tests only"
	@echo "make notebooks  re-run the notebooks and solutions in place (keeps outputs)"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make data       regenerate datasets/ from the committed seed"
	@echo "make needs      measure what each lesson needs (datasets/lesson_needs.csv)"
	@echo "make bench      run the benchmarks and update benchmarks/README.md"
	@echo "make bench-models  the customer-base models against lifetimes (own environment)"
	@echo "make lock       regenerate requirements.lock from pyproject.toml"

# The environment: exact pins from requirements.lock, then crmkit itself (editable).
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV). On Debian/Ubuntu: sudo apt install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_start_here.ipynb

# Unit, property, exercise, grading and browser tests on two workers (the groups that must
# not be split or run side by side are in tests/conftest.py); then nbval (strict, one notebook
# per worker: --dist loadfile keeps its cells together) on the
# lessons and solutions; then the blank exercises, whose unanswered check cells
# are tagged raises-exception (tests/notebooks/test_exercises.py checks what they raise).
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)
	$(PY) -m pytest -n 2 --dist loadfile --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks solutions
	$(PY) -m pytest -n 2 --dist loadfile --nbval-lax exercises

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks tools notebooks solutions
	$(VENV)/bin/ruff format --check src tests benchmarks tools

notebooks: $(STAMP)
	$(PY) tools/run_notebooks.py notebooks solutions

exercises: $(STAMP)
	$(PY) tools/build_exercises.py

guide: $(STAMP)
	$(PY) tools/trainer_guide.py

data: $(STAMP)
	# --force: datasets/ also holds the data dictionary (README.md, datapackage.json), which
	# the generator does not write; its own CSVs are recognised by their checksums.
	$(VENV)/bin/crmkit data generate --out datasets --force
	$(PY) -c "from crmkit.datasets.dictionary import write_readme; from pathlib import Path; write_readme(Path('datasets/README.md'))"

# Runs every lesson on the sample with one column or table left out at a time (about five
# minutes) and writes datasets/lesson_needs.csv, the table "What each lesson needs".
needs: $(STAMP)
	$(PY) tools/lesson_needs.py
	$(PY) -c "from crmkit.datasets.dictionary import write_readme; from pathlib import Path; write_readme(Path('datasets/README.md'))"

# DuckDB is a benchmark-only baseline (the `bench` extra of pyproject.toml), not in the lock.
bench: $(STAMP)
	@$(PY) -c 'import duckdb' 2>/dev/null || $(PY) -m pip install --quiet --disable-pip-version-check 'duckdb>=1.1'
	$(PY) benchmarks/run.py

# lifetimes (archived, needs pandas below 3) is the models' reference: its own environment,
# .venv-lifetimes, never the workbook's. Needs ../shared/data/cdnow beside the checkout.
LIFETIMES_VENV := .venv-lifetimes
bench-models: $(STAMP)
	@test -x $(LIFETIMES_VENV)/bin/python || { $(PYTHON) -m venv $(LIFETIMES_VENV) && \
	  $(LIFETIMES_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  'lifetimes==0.11.3' 'pandas<2.3' 'numpy<2.1' 'scipy<1.15'; }
	$(PY) benchmarks/models.py

# Pins every dependency of pyproject.toml (runtime and dev) for Python 3.11 on Linux.
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu --no-header --quiet -o requirements.lock.tmp
	$(PY) tools/lockfile.py stamp requirements.lock.tmp requirements.lock
	rm -f requirements.lock.tmp

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-artifacts
