# The two commands the README gives are `make serve` and `make test`; everything else is a step of theirs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: serve build test tangle check lock clean bench-site bench

# The virtual environment is made from the lock file, and made again whenever the lock changes.
$(VENV)/.installed: requirements.lock
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

## serve: build the vault into a site and serve it at http://127.0.0.1:8000 with live reload
serve: $(VENV)/.installed
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

## build: build the site into site/ with warnings as errors
build: $(VENV)/.installed
	$(BIN)/mkdocs build --strict

## bench-site: time the site build against plain Material (500, 2,000 and 10,000 synthetic notes: CPU and peak memory); records the table in README.md (7 min here when the machine is quiet, up to 28 when busy)
bench-site: $(VENV)/.installed
	$(BIN)/python -m tools.site.bench

## test: run the whole test suite (note blocks, programs, vault, site)
test: $(VENV)/.installed
	$(BIN)/python -m pytest

## tangle: write code/ from the notes' titled code blocks
tangle: $(VENV)/.installed
	$(BIN)/python -m tools.tangle

## check: the vault by Obsidian's rules, and code/ against the notes (both also run in `make test`)
check: $(VENV)/.installed
	$(BIN)/python -m tools.vault_check
	$(BIN)/python -m tools.tangle --check

# The benchmark's C programs (tools/bench/*.c): the load generator and the reference server, built
# with the system C compiler (cc, as make calls it); written under another name, then renamed.
BENCH_C := tools/bench/build/loadgen tools/bench/build/c_echo_server
CFLAGS_BENCH := -O2 -std=gnu11 -Wall -Wextra -Werror
tools/bench/build/%: tools/bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BENCH) -o $@.tmp $< && mv $@.tmp $@

## bench: measure every server of code/ under both load generators (under 6 minutes); write results, plots, table note, notebook into vault/
# (`.venv/bin/python -m tools.bench --no-run` only redraws them from the stored JSON)
bench: $(VENV)/.installed $(BENCH_C)
	$(BIN)/python -m tools.bench

## lock: pin pyproject's dependencies with hashes (needs uv; only the package registry is used)
lock:
	UV_PYTHON_DOWNLOADS=never uv pip compile pyproject.toml --universal --python-version 3.11 \
		--generate-hashes --quiet -o requirements.lock

clean:
	rm -rf $(VENV) site .pytest_cache
