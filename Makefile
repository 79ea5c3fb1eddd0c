# The two commands a new machine needs: `make demo` and `make test`. Both set up .venv first.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench bench-media bench-api soak clean

$(STAMP): pyproject.toml scripts/bootstrap.sh
	bash scripts/bootstrap.sh

demo: $(STAMP)
	$(BIN)/vigil demo --out demo-out

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src

pytest: $(STAMP)
	$(BIN)/pytest -q --cov --cov-report=term -p no:cacheprovider

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py

# Media figures for docs/benchmarks.md; the robustness run needs the bench extra (AugLy).
bench-media: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/bench_hashing.py
	$(BIN)/python benchmarks/bench_index.py --sizes 1000000 10000000
	$(BIN)/python benchmarks/bench_live.py
	$(BIN)/python benchmarks/bench_robustness.py

# The HTTP API under load from a second process on loopback (SQLite and PostgreSQL).
bench-api: $(STAMP)
	$(BIN)/python benchmarks/bench_api.py

# The crash loop of tests/durability at length: SOAK_ITERATIONS=N sets the count (1,000).
soak: $(STAMP)
	PYTHONPATH=src:. SOAK_ITERATIONS=$${SOAK_ITERATIONS:-1000} $(BIN)/python -m tests.durability.crashloop

clean:
	rm -rf $(VENV) .vigil demo-out .mypy_cache .ruff_cache .pytest_cache .coverage
