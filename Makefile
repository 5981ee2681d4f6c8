# Two commands: `make run` and `make test`. Each does the whole set-up from a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
PORT   ?= 8000

.PHONY: setup run test lint typecheck unit browser pg-test lock bench clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)
	$(BIN)/yingshang migrate --noinput --verbosity 0

run: setup
	$(BIN)/yingshang demo
	$(BIN)/yingshang runserver --noreload 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy yingshang bench

unit: $(STAMP)
	$(BIN)/pytest -m "not browser" -q

test: setup lint typecheck unit

# The suite again on PostgreSQL (DATABASE_URL must point at a server; .ci/run starts one).
pg-test: $(STAMP)
	$(BIN)/pytest -m "not browser" -q

# Pages in Debian's chromium driven by Playwright (.ci/run installs chromium).
browser: $(STAMP)
	$(BIN)/pytest -m browser -q

lock:
	$(BIN)/python -m pip freeze --exclude-editable | sort -f > requirements.lock

bench: setup
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/registry.py
	$(BIN)/python bench/licences.py
	$(BIN)/python bench/registration.py --part names
	$(BIN)/python bench/registration.py --part establish
	$(BIN)/python bench/registration.py --part crash

clean:
	rm -rf $(VENV) var/*.sqlite3*
