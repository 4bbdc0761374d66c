# territory-sync: `make demo` runs the product against the bundled sandbox, `make test` runs every check.
# Both create the virtual environment from the locked dependencies first, so a fresh clone needs only
# Python 3.11 and make. Two locks, both with hashes: `requirements.lock` holds what the service needs
# to run (all `make demo` installs), `requirements-dev.lock` adds the test, type-check, lint and
# architecture tools (for `make test`) at the same versions for everything the two share.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
LOCK := $(PYTHON) -m uv pip compile pyproject.toml --python-version 3.11 --generate-hashes

.PHONY: demo test lint typecheck bench lock clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "territory-sync needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

# The service alone: the runtime lock, then the project itself (built by the backend that
# pyproject.toml's [build-system] names, as `pip install .` does).
$(RUNTIME_STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(PIP) --require-hashes -r requirements.lock
	$(PIP) --no-deps -e .
	touch $(RUNTIME_STAMP)

$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.lock
	$(PIP) --require-hashes -r requirements.lock -r requirements-dev.lock
	# The admin console's browser test drives Debian's Chromium (skipped with a message when absent).
	[ -x /usr/bin/chromium ] || { command -v apt-get >/dev/null && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || true; }
	touch $(DEV_STAMP)

demo: $(RUNTIME_STAMP)
	$(BIN)/python -m territory_sync.cli.demo

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# The suite runs on TEST_WORKERS processes, a test file each at a time (module fixtures stay shared).
TEST_WORKERS ?= 2

test: lint typecheck
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(RUNTIME_STAMP)
	$(BIN)/python -m bench

# Re-resolve both locks after changing pyproject.toml (needs the package index). Versions already
# pinned are kept unless a changed range rules them out (`uv pip compile --upgrade` to move them);
# the development lock is constrained by the runtime one, so the two never disagree.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev -c requirements.lock -o requirements-dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
