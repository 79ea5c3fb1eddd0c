# The two commands a new machine needs: `make demo` and `make test`. Both set up .venv first.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo screenshots test lint typecheck pytest bench bench-payments bench-hub bench-media bench-import bench-scale fuzz model-chats eval-chats bench-chats bench-api bench-intake soak clean

$(STAMP): pyproject.toml scripts/bootstrap.sh
	bash scripts/bootstrap.sh

demo: $(STAMP)
	$(BIN)/vigil demo --out demo-out
	@echo "Open the analyst workspace on the demo world: $(BIN)/vigil serve --demo (prints one-time logons for a demo admin and analyst, then http://127.0.0.1:8750/ui/login)"

# The README's workspace screenshots (docs/screenshots), taken by the browser tests.
screenshots: $(STAMP)
	VIGIL_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q -p no:cacheprovider tests/browser

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src

# Two worker processes (pytest-xdist), one per core of the 2-core CI machine; a module's tests
# stay on one worker (--dist loadfile), so module fixtures (a demo world, a Spark session) are
# built once; modules marked `heavy` are handed out first, longest first (tests/conftest.py).
# TEST_WORKERS=0 runs everything in this process.
TEST_WORKERS ?= 2
pytest: $(STAMP)
	$(BIN)/pytest -q --cov --cov-report=term -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py

# Typology pack quality on held-out generated payment worlds against a naive baseline
# (buyers' average precision, recall within a 1% alert budget, benign family share; docs/payments.md),
# then in the same run its speed: the inline scorer (payments/s, p50/p99) and the whole pack with
# its score over 10M generated payments on DuckDB and on Spark local (rows/s, CPU, peak RSS;
# about 20 minutes, most of it Spark's).
bench-payments: $(STAMP)
	nice -n 10 $(BIN)/python benchmarks/bench_payments.py --seeds 9001 9002 9003 --case-queue
	$(BIN)/python benchmarks/bench_payments_inline.py --rows 50000
	$(BIN)/python benchmarks/bench_scale.py --only pack-duckdb,pack-spark --rows 10000000 --baseline-rows 0

# One beneficiary paid by 10k-100k senders: memory and time of R4, the detector and `vigil run`.
bench-hub: $(STAMP)
	$(BIN)/python benchmarks/bench_hub.py --normal 100000

# Inline payment scoring (payments/s, p50/p99) against the batch path in the same run (docs/payments.md).
.PHONY: bench-payments-inline
bench-payments-inline: $(STAMP)
	$(BIN)/python benchmarks/bench_payments_inline.py --rows 50000

# Import throughput and peak memory, streaming against whole-file (docs/benchmarks.md).
bench-import: $(STAMP)
	$(BIN)/python benchmarks/bench_import.py --rows 100000 300000

# Many more fuzz examples than `make test` runs; prints inputs tried and failures.
fuzz: $(STAMP)
	VIGIL_FUZZ_EXAMPLES=5000 $(BIN)/pytest -q -p no:cacheprovider tests/fuzz

# Columnar record store at scale: import and typologies, against today's path at 1M (docs/benchmarks.md).
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py --rows 10000000
	$(BIN)/python benchmarks/bench_incremental.py --rows 10000000 --new 30000

# Media figures for docs/benchmarks.md; the robustness run needs the bench extra (AugLy).
bench-media: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/bench_hashing.py
	$(BIN)/python benchmarks/bench_index.py --sizes 1000000 10000000
	$(BIN)/python benchmarks/bench_live.py
	$(BIN)/python benchmarks/bench_robustness.py

# The chat model: fitted on the train side of the seeded split of $(CHATS_DATA) only, written to an
# ignored folder (it holds vocabulary from the corpus, so it is never committed).
CHATS_DATA ?= ../shared/data/chats
CHAT_MODEL ?= .vigil/models/chat-model.pkl

model-chats: $(STAMP)
	$(BIN)/vigil chats train $(CHATS_DATA) --out $(CHAT_MODEL)

eval-chats: $(STAMP)
	$(BIN)/vigil chats eval $(CHATS_DATA) --curve .vigil/chats-pr.png

# Messages/s per core of the chat detector (with the model when $(CHAT_MODEL) exists).
bench-chats: $(STAMP)
	$(BIN)/python benchmarks/bench_chats.py --model $(CHAT_MODEL) --data $(CHATS_DATA)

# The HTTP API under load from a second process on loopback (SQLite and PostgreSQL).
bench-api: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get install -y -qq wrk || echo "bench-api: no wrk; the Python client is the load"; }
	$(BIN)/python benchmarks/bench_api.py

# Intake's database side without HTTP: accept_async from asyncio producers, CPU per report.
bench-intake: $(STAMP)
	$(BIN)/python benchmarks/bench_intake_commit.py

# The crash loop of tests/durability at length: SOAK_ITERATIONS=N sets the count (1,000).
soak: $(STAMP)
	PYTHONPATH=src:. SOAK_ITERATIONS=$${SOAK_ITERATIONS:-1000} $(BIN)/python -m tests.durability.crashloop

clean:
	rm -rf $(VENV) .vigil demo-out .mypy_cache .ruff_cache .pytest_cache .coverage
