"""Jurisdiction profiles: every one cites its source; the EU switch flips at the lapse date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.retention.test_retention import report
from vigil.cli.main import app
from vigil.registry import load_registry
from vigil.retention.profiles import (
    LAW_COMPONENT,
    JurisdictionError,
    detectors_off_by_law,
    jurisdiction,
    load_jurisdictions,
)
from vigil.runs import run
from vigil.settings import Settings
from vigil.store.open import open_store

LAPSE = datetime(2026, 4, 3, tzinfo=UTC)


def test_every_packaged_profile_names_its_source() -> None:
    profiles = load_jurisdictions()
    assert set(profiles) == {"us", "eu", "uk", "au"}
    assert "2258A(h)" in profiles["us"].source and "REPORT Act" in profiles["us"].source
    assert "2021/1232" in profiles["eu"].source
    assert profiles["eu"].retention_days == {"records": 365, "signals": 365, "cases": 365}
    (switch,) = profiles["eu"].detectors_off
    assert switch.detector in load_registry().detectors
    assert switch.off_from == date(2026, 4, 3) and "2024/1307" in switch.legal_basis


def test_the_eu_switch_flips_at_the_expiry_date() -> None:
    eu = jurisdiction("eu")
    assert eu is not None
    assert eu.switched_off(LAPSE - timedelta(microseconds=1)) == []
    assert [s.detector for s in eu.switched_off(LAPSE)] == ["conversation.lexicon"]
    us = jurisdiction("us")
    assert us is not None and us.switched_off(LAPSE) == []
    settings = Settings(jurisdiction="eu")
    assert detectors_off_by_law(settings, LAPSE - timedelta(days=1)) == {}
    assert "lapsed" in detectors_off_by_law(settings, LAPSE)["conversation.lexicon"]
    assert detectors_off_by_law(Settings(), LAPSE) == {}


@pytest.mark.parametrize(("code", "now", "off"), [
    ("eu", LAPSE - timedelta(days=1), False), ("eu", LAPSE, True), ("us", LAPSE, False),
    (None, LAPSE, False)])
def test_a_run_skips_a_detector_off_by_law_and_every_case_says_so(
        code: str | None, now: datetime, off: bool) -> None:
    store = open_store("memory://")
    store.add_records([report("r1", "vidchat:w1", "vidchat:streamer", 0)])
    settings = Settings(database_url="memory://", jurisdiction=code)
    result = run(store, settings, load_registry(), now=now)
    assert result.cases, "the panic report stays on: it is not scanning"
    ran = store.audit_events()[-1].details["signals"]
    assert isinstance(ran, dict) and ("conversation.lexicon" in ran) is not off
    for case in store.cases():
        law = [r for r in case.reasons if r.component == LAW_COMPONENT]
        assert bool(law) is off
        assert all(r.contribution == 0 and "2021/1232" in r.text for r in law)


def test_bad_profiles_name_the_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "j.yaml"
    for text, problem in (
            ("profiles: [1]", "mapping codes"),
            ("profiles: {x: {name: X, source: s, retention_days: {records: 1}}}",
             "records, signals and cases"),
            ("profiles: {x: {name: X, source: s, retention_days: "
             "{records: 0, signals: null, cases: null}}}", "retention_days.records"),
            ("profiles: {x: {name: X, source: s, retention_days: {records: null, signals: null,"
             " cases: null}, detectors_off: [{detector: d, applies_to: a, legal_basis: b,"
             " off_from: soon}]}}", "'off_from' must be a date")):
        path.write_text(text)
        with pytest.raises(JurisdictionError, match=problem) as caught:
            load_jurisdictions(path)
        assert str(path) in str(caught.value)
    with pytest.raises(JurisdictionError, match="known: au, eu, uk, us"):
        jurisdiction("fr")


def test_plugins_and_retention_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("VIGIL_JURISDICTION", "eu")
    listed = runner.invoke(app, ["plugins"])
    assert listed.exit_code == 0 and "off by law" in listed.stdout
    assert "conversation.lexicon: detector conversation.lexicon is off" in listed.stdout
    dry = runner.invoke(app, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "eu: would delete 0 records, 0 signals, 0 cases" in dry.stdout
    assert runner.invoke(app, ["retention", "holds"]).exit_code == 0
    later = runner.invoke(app, ["retention", "extend", "case-x", "--until", "2030-01-01",
                                "--analyst", "B. Lead", "--reason", "police request"])
    assert later.exit_code == 0, later.output
    shorter = runner.invoke(app, ["retention", "extend", "case-x", "--until", "2029-01-01",
                                  "--analyst", "B. Lead", "--reason", "tidy"])
    assert shorter.exit_code == 1 and "never shortened" in shorter.stderr
    monkeypatch.setenv("VIGIL_JURISDICTION", "mars")
    assert runner.invoke(app, ["retention", "run"]).exit_code == 2
