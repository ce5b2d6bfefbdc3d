# The two Quickstart commands: `make demo` and `make test`. Each creates the
# virtual environment when it is missing, so either works first on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench solutions clean

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

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench_backprop.py

clean:
	rm -rf dist .pytest_cache .hypothesis
