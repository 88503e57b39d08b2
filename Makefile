# Two commands do everything on a fresh machine:
#   make demo   - build the demo hospital on embedded SQLite and start the server
#   make test   - run every test (unit, PostgreSQL, browser, real-data checks where ../shared exists)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: install demo test test-fast system-deps lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --no-input -U pip setuptools wheel
	# the CPU build of torch, pinned, before anything that depends on it (an unpinned torch pulls CUDA)
	$(PY) -m pip install -q --no-input "torch==2.13.0"
	$(PY) -m pip install -q --no-input -e ".[ml,dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Debian packages the tests use: chromium (browser tests) and a CJK font (Chinese lab-report fixtures).
SYSTEM_PKGS := chromium fonts-wqy-zenhei
system-deps:
	@missing=$$(for p in $(SYSTEM_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  (apt-get update -q && apt-get install -y -q --no-install-recommends $$missing) >/dev/null 2>&1 \
	  || sudo -n sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $$missing" >/dev/null 2>&1 \
	  || echo "WARNING: could not install $$missing: browser tests / Chinese report fixtures will be skipped"; \
	fi

demo: install
	$(VENV)/bin/medtrio demo

test: install system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests benchmarks

bench: install
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) var artifacts .pytest_cache
