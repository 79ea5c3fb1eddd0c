"""The registry: nine kinds of plug-in in plain dicts, names unique per kind, lookups by name."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from vigil.engines import DuckDBEngine
from vigil.model import Case
from vigil.plugin import Exporter, ScorerPlugin
from vigil.plugins import builtin_plugins
from vigil.registry import (
    KINDS,
    DuplicatePluginError,
    Registry,
    UnknownPluginError,
    load_registry,
)
from vigil.settings import Settings
from vigil.signal_types import PdqSignal


def _exporter(exporter_name: str) -> type[Exporter]:
    class _Named(Exporter):
        name = exporter_name
        media_type = "text/plain"

        def export(self, cases: Sequence[Case]) -> str:
            return ""

    return _Named


def test_every_kind_has_builtins_and_the_entry_point_loads_them() -> None:
    registry = load_registry()
    for kind in KINDS:
        assert getattr(registry, kind.attribute), f"no built-in {kind.label}"
    assert load_registry([builtin_plugins]).rows() == registry.rows()
    assert registry.signal_types["pdq"] is PdqSignal
    assert registry.engines["duckdb"] is DuckDBEngine


def test_a_name_is_unique_within_its_kind_only() -> None:
    registry = load_registry([builtin_plugins])
    with pytest.raises(DuplicatePluginError, match="exporter name 'json' is claimed by"):
        registry.register(_exporter("json"))
    registry.register(_exporter("pdq"))  # a signal type's name is free for an exporter
    registry.register(registry.exporters["json"])  # the same class again is no clash
    assert "pdq" in registry.exporters


def test_scorers_clash_by_name_too() -> None:
    registry = Registry()
    registry.register(ScorerPlugin("speed", len))
    with pytest.raises(DuplicatePluginError, match="scorer name 'speed'"):
        registry.register(ScorerPlugin("speed", max))


def test_something_of_no_kind_is_refused() -> None:
    with pytest.raises(TypeError, match="not a plug-in of any kind"):
        Registry().register(int)  # type: ignore[arg-type]


def test_detectors_are_selected_by_name_and_typos_are_errors() -> None:
    registry = load_registry()
    assert registry.enabled_detectors(None) == [registry.detectors[n]
                                                for n in sorted(registry.detectors)]
    chosen = registry.enabled_detectors(["reports.panic", "payments.typologies"])
    assert [cls.name for cls in chosen] == ["payments.typologies", "reports.panic"]
    with pytest.raises(UnknownPluginError, match="unknown detector 'media.hash'; known: "
                                                 "conversation.lexicon, conversation.model, "
                                                 "media.hash_match"):
        registry.enabled_detectors(["media.hash"])


def test_settings_switch_detectors_off() -> None:
    registry = load_registry()
    built = registry.detectors_for(Settings(detectors=" media.hash_match, reports.panic ,"))
    assert [d.name for d in built] == ["media.hash_match", "reports.panic"]
    assert len(registry.detectors_for(Settings())) == len(registry.detectors)


def test_engines_by_name() -> None:
    registry = load_registry()
    assert registry.engine("duckdb") is DuckDBEngine
    assert registry.engine("spark").name == "spark"
    with pytest.raises(UnknownPluginError, match="unknown engine 'flink'; known: duckdb, spark"):
        registry.engine("flink")


def test_an_unknown_engine_stops_a_run_before_it_starts() -> None:
    with pytest.raises(UnknownPluginError, match="unknown engine 'flink'"):
        load_registry().detectors_for(Settings(engine="flink"))
