# Two commands do everything on a fresh machine:
#   make demo   - build the demo hospital on embedded SQLite and start the server
#   make test   - run every test (unit, PostgreSQL, browser, real-data checks where ../shared exists)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: install demo test test-fast browser lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --no-input -U pip setuptools wheel
	# the CPU build of torch, pinned, before anything that depends on it (an unpinned torch pulls CUDA)
	$(PY) -m pip install -q --no-input "torch==2.13.0"
	$(PY) -m pip install -q --no-input -e ".[ml,dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -q && apt-get install -y -q --no-install-recommends chromium) >/dev/null 2>&1 \
	  || sudo -n sh -c 'apt-get update -q && apt-get install -y -q --no-install-recommends chromium' >/dev/null 2>&1 \
	  || echo "WARNING: Debian chromium could not be installed: browser tests will be skipped"; }

demo: install
	$(VENV)/bin/medtrio demo

test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests benchmarks

bench: install
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) var artifacts .pytest_cache
