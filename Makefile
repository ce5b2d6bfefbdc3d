# The two Quickstart commands: `make demo` and `make test`. Each creates the
# virtual environment when it is missing, so either works first on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench solutions autograders clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

demo: $(BIN)/.installed
	$(BIN)/backprop-lab demo

test: $(BIN)/.installed
	.ci/system-packages
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q

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
	$(BIN)/python benchmarks/bench_backprop.py

clean:
	rm -rf dist autograder-zips .pytest_cache .hypothesis
