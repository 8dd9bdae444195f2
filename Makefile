# The two commands of the README: `make run` and `make test`. Each installs what is missing.
VENV    := .venv
PY      := $(VENV)/bin/python
GANGWAN := $(VENV)/bin/gangwan
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)

.PHONY: run test test-fast bench install assets browser loadgen lint demo worker

run: install assets
	$(GANGWAN) run

test: install assets browser
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: install assets
	$(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

bench: install assets loadgen
	@$(PY) bench/run.py $(BENCH_ARGS)

worker: install
	$(GANGWAN) worker

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -f node_modules/.installed-*
	touch $@

# Front-end packages from npm are copied into build/vendor (never committed), messages compiled.
assets: $(STAMP) $(NODE_STAMP)
	$(GANGWAN) assets

# Browser tests drive Debian's chromium; PDF tests read letters with poppler's pdftotext.
# Install them when they are missing and we may.
browser:
	@test -x /usr/bin/chromium -a -x /usr/bin/pdftotext || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk poppler-utils; \
	  else echo "Tests need chromium and poppler-utils: sudo apt-get install -y chromium poppler-utils" >&2; exit 1; fi; }

# The vote benchmark's load generator: Debian's wrk (bench/bench_vote.py falls back to a Python
# client without it). Installed when missing and we may.
loadgen:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk; \
	  else echo "bench: wrk not installed (sudo apt-get install -y wrk); using the Python load generator" >&2; fi; }
