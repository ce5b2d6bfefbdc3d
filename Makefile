# The two Quickstart commands: `make demo` and `make test`. Each creates the
# virtual environment when it is missing, so either works first on a fresh clone.
# `make demo` installs the runtime dependencies only (and, as root with apt-get,
# bubblewrap for the sandbox); `make test` adds the [test] and [dask] extras (and, as
# root with apt-get, bubblewrap and Chromium). Neither fails for a missing system package:
# the demo grades in the best sandbox available and says so, the tests that need it skip.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The fast tests (the engine, the judge, the public checks) also run on this Python, in a
# clean uv environment; skipped, with a message, when the machine does not have it.
FAST_PYTHON ?= 3.13
FAST_TESTS := tests/test_activations.py tests/test_tiers.py tests/test_hand_computed.py \
	tests/test_gradcheck.py tests/test_conventions.py tests/test_grading_core.py \
	tests/test_mutants.py

.PHONY: demo test test-fast system-packages lint bench solutions samples autograders clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,dask]'
	touch $@

demo: $(BIN)/.installed
	@.ci/system-packages demo
	$(BIN)/backprop-lab demo

# Debian packages the tests need (bubblewrap for the sandbox, Chromium for the pages):
# .ci/system-packages installs whatever is missing when run as root, and never fails.
system-packages:
	@.ci/system-packages test

test: system-packages $(BIN)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory test-fast

test-fast: $(BIN)/.installed-test
	$(BIN)/python tests/run_fast.py $(FAST_PYTHON) $(FAST_TESTS)

lint: $(BIN)/.installed-test
	$(BIN)/ruff check src tests benchmarks

solutions: $(BIN)/.installed
	$(BIN)/backprop-lab build --out dist --solutions solutions

samples: $(BIN)/.installed
	$(BIN)/python -c "from backprop_lab.samples import write_samples; from pathlib import Path; write_samples(Path('dist'), Path('samples'))"

# The four ready-to-upload Gradescope zips, beside autograder/ (generated, not committed),
# with their SHA-256 digests: the same sources give the same bytes.
# HIDDEN_VISIBILITY: when students see the hidden parts (visible, after_due_date,
# after_published, hidden).
HIDDEN_VISIBILITY ?= after_published
autograders: $(BIN)/.installed
	$(BIN)/backprop-lab build --out dist --hidden-visibility $(HIDDEN_VISIBILITY)
	rm -rf autograder-zips && mkdir autograder-zips
	cp dist/*/*-autograder.zip autograder-zips/
	cd autograder-zips && sha256sum *-autograder.zip > SHA256SUMS && cat SHA256SUMS

bench: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_backprop.py

clean:
	rm -rf dist autograder-zips .pytest_cache .hypothesis
