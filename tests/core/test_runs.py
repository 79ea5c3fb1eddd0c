"""Runs: the detectors are built once, from the registry and the settings, in name order."""

from __future__ import annotations

from vigil import Settings, build_detectors, load_registry, open_store, run


def test_detectors_are_every_registered_one_in_name_order() -> None:
    registry = load_registry()
    detectors = build_detectors(Settings(), registry)
    assert [d.name for d in detectors] == sorted(registry.detectors)
    assert detectors, "the built-in detectors are registered"


def test_a_run_over_an_empty_store_runs_every_detector_and_is_audited() -> None:
    store = open_store("memory://")
    steps: list[str] = []
    result = run(store, Settings(), load_registry(), steps.append, actor="scheduler")
    assert result.cases == []
    assert result.signals_by_detector == dict.fromkeys(sorted(load_registry().detectors), 0)
    assert steps[-2:] == ["link", "triage"]
    events = store.audit_events()
    assert [(e.actor, e.action) for e in events] == [("scheduler", "run")]
