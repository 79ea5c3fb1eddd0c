"""The demo world end to end: quality on two seeds, same cases on every store backend."""

from pathlib import Path

import pytest

from vigil.demo.run import run_demo
from vigil.registry import load_registry
from vigil.settings import Settings

pytestmark = pytest.mark.heavy(seconds=150)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 3])
def test_demo_ranks_planted_rings_first(seed: int, tmp_path: Path) -> None:
    """vigil earns its figure: the ranking by number of signal kinds, over the same cases, fails
    on the look-alikes where vigil's does not."""
    result = run_demo(seed, tmp_path, Settings(), load_registry(), database_url="memory://")
    evaluation = result.evaluation
    assert evaluation.planted >= 5
    assert evaluation.precision_at_P >= 0.9
    assert evaluation.kinds_baseline is not None and evaluation.kinds_baseline <= 0.7
    assert f"kinds_baseline={evaluation.kinds_baseline:.2f}" in evaluation.line()
    assert evaluation.recovered_in_top_P >= 0.9 * evaluation.planted
    assert (tmp_path / "report.html").exists()
    every_signal = [s.id for case in result.cases for s in case.signals]
    detected = sum(result.run.signals_by_detector.values())
    assert len(every_signal) == len(set(every_signal)) == detected


CaseView = list[tuple[str, float, list[str], list[str]]]
DemoView = tuple[CaseView, list[str]]


def _case_view(cases: list) -> CaseView:  # type: ignore[type-arg]
    return [(c.id, c.priority, [str(e) for e in c.entities], [s.id for s in c.signals])
            for c in cases]


@pytest.fixture(scope="module")
def in_memory_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoView:
    """The seed-5 demo on the in-memory store: the reference for the backends that persist."""
    reference = run_demo(5, tmp_path_factory.mktemp("ref"), Settings(), load_registry(),
                         database_url="memory://")
    return _case_view(reference.cases), [r.text for c in reference.cases for r in c.reasons]


@pytest.mark.slow
def test_demo_gives_the_same_cases_on_every_backend(sql_store_url: str, tmp_path: Path,
                                                     in_memory_demo: DemoView) -> None:
    result = run_demo(5, tmp_path / "run", Settings(), load_registry(),
                      database_url=sql_store_url)
    assert _case_view(result.cases) == in_memory_demo[0]
    assert [r.text for c in result.cases for r in c.reasons] == in_memory_demo[1]


@pytest.mark.slow
def test_rerunning_the_demo_on_one_store_adds_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first = run_demo(2, tmp_path / "a", Settings(), load_registry(), database_url=url)
    again = run_demo(2, tmp_path / "b", Settings(), load_registry(), database_url=url)
    assert all(s.added > 0 for s in first.imports)
    assert all(s.added == 0 and s.duplicates == s.accepted for s in again.imports)
    assert again.run.signals_added == 0
    assert _case_view(again.cases) == _case_view(first.cases)


def test_switched_off_detectors_produce_no_signals(tmp_path: Path) -> None:
    settings = Settings(detectors="payments.typologies,reports.panic")
    result = run_demo(2, tmp_path, settings, load_registry(), database_url="memory://")
    assert set(result.run.signals_by_detector) <= {"payments.typologies", "reports.panic"}
    assert result.run.signals_by_detector.get("payments.typologies")
    sources = {s.source for case in result.cases for s in case.signals}
    assert sources <= {"payments.typologies", "reports.panic"}
