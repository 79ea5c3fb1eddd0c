"""The crash test: every acknowledged report survives ``kill -9`` exactly once.

200 iterations (``CRASH_ITERATIONS`` sets another count); ``make soak`` runs 1,000. See
:mod:`tests.durability.crashloop` for what one iteration does. The PostgreSQL variant is
:mod:`tests.durability.test_crash_postgres` (a module of its own, so that the two long loops run on
different test workers).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.durability.crashloop import REPORTS_PER_ITERATION, run_crash_loop

pytestmark = pytest.mark.heavy(seconds=60)  # 61 s wall with coverage, -n 0 (h-fixtures)

ITERATIONS = int(os.environ.get("CRASH_ITERATIONS", "200"))


def test_acknowledged_reports_survive_kill_9_exactly_once(tmp_path: Path) -> None:
    outcome = run_crash_loop(tmp_path, ITERATIONS, seed=20261130)
    assert outcome.iterations == ITERATIONS
    assert outcome.acknowledged == ITERATIONS * REPORTS_PER_ITERATION  # all, after retries
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome.line()
    assert not outcome.wrong_replays
    assert outcome.retried > 0, "no kill interrupted a send: the test proved nothing"
