# The two commands a new machine needs: `make demo` and `make test`. Both set up .venv first.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench bench-hub bench-media bench-import bench-scale fuzz clean

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

# One beneficiary paid by 10k-100k senders: memory and time of R4, the detector and `vigil run`.
bench-hub: $(STAMP)
	$(BIN)/python benchmarks/bench_hub.py --normal 100000

# Import throughput and peak memory, streaming against whole-file (docs/benchmarks.md).
bench-import: $(STAMP)
	$(BIN)/python benchmarks/bench_import.py --rows 100000 300000

# Many more fuzz examples than `make test` runs; prints inputs tried and failures.
fuzz: $(STAMP)
	VIGIL_FUZZ_EXAMPLES=5000 $(BIN)/pytest -q -p no:cacheprovider tests/fuzz

# Columnar record store at scale: import and typologies, against today's path at 1M (docs/benchmarks.md).
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py --rows 10000000

# Media figures for docs/benchmarks.md; the robustness run needs the bench extra (AugLy).
bench-media: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/bench_hashing.py
	$(BIN)/python benchmarks/bench_index.py --sizes 1000000 10000000
	$(BIN)/python benchmarks/bench_live.py
	$(BIN)/python benchmarks/bench_robustness.py

clean:
	rm -rf $(VENV) .vigil demo-out .mypy_cache .ruff_cache .pytest_cache .coverage
