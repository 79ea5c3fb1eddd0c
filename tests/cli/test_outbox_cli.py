"""``vigil outbox``: send, run, list and retry, against a receiver on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.test_export_cli import case_ids  # noqa: F401 (a fixture)
from tests.outbox.fault_server import fault_server
from vigil.cli.main import app

runner = CliRunner()


def test_send_run_list_and_retry(case_ids: list[str], tmp_path: Path,  # noqa: F811
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    plan = iter(["refuse", "ok", "ok"])
    with fault_server(plan) as (url, receiver):
        destinations = tmp_path / "destinations.yaml"
        destinations.write_text(f"destinations:\n  - {{name: partner, kind: webhook, "
                                f"url: '{url}', format: csv, auth_secret: partner}}\n")
        secrets = tmp_path / "secrets.json"
        secrets.write_text('{"partner": "Bearer s3cret"}')
        monkeypatch.setenv("VIGIL_OUTBOX_DESTINATIONS", str(destinations))
        monkeypatch.setenv("VIGIL_OUTBOX_SECRETS", str(secrets))
        monkeypatch.setenv("VIGIL_OUTBOX_BACKOFF_S", "0.001")
        sent = runner.invoke(app, ["outbox", "send", case_ids[0], "--to", "partner",
                                   "--analyst", "A. Analyst"])
        assert sent.exit_code == 0, sent.output
        assert "queued" in sent.stderr
        first = runner.invoke(app, ["outbox", "run"])
        assert first.exit_code == 0, first.output
        assert "delivered=0 duplicated=0 dead_letter=1 pending=0" in first.stdout
        listed = runner.invoke(app, ["outbox"])
        assert "refused by the receiver: HTTP 400" in listed.stdout
        (key,) = receiver.requests
        retried = runner.invoke(app, ["outbox", "retry", key[:12], "--analyst", "A. Analyst"])
        assert retried.exit_code == 0, retried.output
        again = runner.invoke(app, ["outbox", "run", "--once"])
        assert "delivered=1 duplicated=0 dead_letter=0 pending=0" in again.stdout
    assert receiver.filings[key] == 1
    assert "s3cret" not in runner.invoke(app, ["audit", "list", "--limit", "50"]).stdout
    unknown = runner.invoke(app, ["outbox", "send", case_ids[0], "--to", "nobody",
                                  "--analyst", "A. Analyst"])
    assert unknown.exit_code == 2 and "no destination 'nobody'" in unknown.stderr
