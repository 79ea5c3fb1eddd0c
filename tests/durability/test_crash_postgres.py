"""The crash test on PostgreSQL: every acknowledged report survives ``kill -9`` exactly once.

Each iteration's requests are sent at once, so that they share group commits (the pipelined
batch of :mod:`vigil.intake.pg_batch`): ``CRASH_PG_ITERATIONS`` (100) iterations. See
:mod:`tests.durability.crashloop` for what one iteration does.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL
from tests.durability.crashloop import REPORTS_PER_ITERATION, run_crash_loop

pytestmark = pytest.mark.heavy(seconds=50)  # 52 s wall with coverage, -n 0 (h-fixtures)

PG_ITERATIONS = int(os.environ.get("CRASH_PG_ITERATIONS", "100"))


@pytest.mark.postgres
def test_acknowledged_reports_survive_kill_9_on_postgresql_with_concurrent_sends(
        tmp_path: Path, postgres_admin: Engine) -> None:
    main_schema, tenant = f"vigil_t_{uuid.uuid4().hex}", f"crash{uuid.uuid4().hex[:8]}"
    with postgres_admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{main_schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={main_schema}"})
    try:
        outcome = run_crash_loop(tmp_path, PG_ITERATIONS, seed=20261201, tenant=tenant,
                                 main_url=url.render_as_string(hide_password=False),
                                 parallel=True)
    finally:
        with postgres_admin.begin() as conn:
            for schema in (main_schema, f"vigil_tenant_{tenant}"):
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    assert outcome.acknowledged == PG_ITERATIONS * REPORTS_PER_ITERATION
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome.line()
    assert not outcome.wrong_replays
    assert outcome.retried > 0, "no kill interrupted a send: the test proved nothing"
