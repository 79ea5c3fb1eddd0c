"""``vigil demo`` as a library call: generate, import, detect, link, triage, score, report.

The world goes through the same importers and store as real data, so the demo exercises the
whole pipeline, and its ground truth says how well the ranking recovered what was planted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vigil.demo.files import write_world
from vigil.demo.truth import Evaluation, evaluate
from vigil.demo.world import World, generate_world
from vigil.ingest import FileSummary, import_file
from vigil.media.banks.files import load_bank_csv
from vigil.model import Case
from vigil.pipeline import RunResult, StepCallback
from vigil.records import RecordKind
from vigil.registry import Registry
from vigil.report_html import write_report
from vigil.runs import run
from vigil.settings import Settings
from vigil.store.interfaces import Store
from vigil.store.open import open_store

DEMO_BANK = "demo-known"
IMPORT_ORDER = (("media", RecordKind.MEDIA), ("messages", RecordKind.MESSAGE),
                ("payments", RecordKind.PAYMENT), ("reports", RecordKind.REPORT))


@dataclass(frozen=True)
class DemoResult:
    """Everything a demo run produced, for the CLI and for tests."""

    world: World
    files: dict[str, Path]
    imports: list[FileSummary]
    run: RunResult
    evaluation: Evaluation
    report_path: Path

    @property
    def cases(self) -> list[Case]:
        return self.run.cases


def demo_database_url(out: Path, settings: Settings, database_url: str | None) -> str:
    """The explicit URL, else ``VIGIL_DATABASE_URL``, else a fresh SQLite file in ``out``."""
    if database_url or settings.database_url:
        return str(database_url or settings.database_url)
    database = out / "demo.db"
    for leftover in (database, out / "demo.db-wal", out / "demo.db-shm"):
        leftover.unlink(missing_ok=True)
    return f"sqlite:///{database}"


def load_world(store: Store, files: dict[str, Path], registry: Registry) -> list[FileSummary]:
    """Import the world's bank and files through the registered importers."""
    bank, entries = load_bank_csv(files["bank"], DEMO_BANK)
    store.add_bank(bank)
    store.add_bank_entries(entries)
    return [import_file(store, kind, files[key], registry.importers)
            for key, kind in IMPORT_ORDER]


def run_demo(seed: int, out: Path, settings: Settings, registry: Registry,
             database_url: str | None = None, on_step: StepCallback | None = None) -> DemoResult:
    """Run the whole demo into ``out`` (files, store unless one is given, ``report.html``)."""
    step = on_step or (lambda _name: None)
    out.mkdir(parents=True, exist_ok=True)
    step(f"generate world (seed {seed})")
    world = generate_world(seed)
    files = write_world(world, out)
    store = open_store(demo_database_url(out, settings, database_url))
    try:
        step("import")
        imports = load_world(store, files, registry)
        result = run(store, settings, registry, step, as_of=world.end)
        cases = result.cases  # read while the store is open
    finally:
        store.close()
    evaluation = evaluate([[str(e) for e in case.entities] for case in cases],
                          world.truth, [len(case.signal_kinds()) for case in cases])
    step("report")
    report = write_report(out / "report.html", cases, result.as_of, evaluation.line())
    return DemoResult(world, files, imports, result, evaluation, report)
