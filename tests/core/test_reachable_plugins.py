"""Plug-ins a third party registers are used, not only listed: formats, indexes and scorers.

Each test registers a fake through :func:`load_registry` (as the entry point would) and drives
the code path that chooses one by name with the registry's table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import yaml

from tests.core.factories import T0
from tests.core.test_triage_kinds import _replay, _signals
from vigil.linking import LinkedGroup
from vigil.media.banks.csv_format import CsvBankFormat
from vigil.media.banks.files import BankImport, BankSpec
from vigil.media.banks.formats import load_bank
from vigil.media.banks.records import BankEntry
from vigil.media.index.base import HashIndex
from vigil.media.index.brute import BruteForcePdqIndex
from vigil.model import SignalKind
from vigil.pipeline import PipelineConfig, run_pipeline
from vigil.plugin import DetectionContext, IndexPlugin, ScorerPlugin
from vigil.plugins import builtin_plugins
from vigil.registry import PluginClass, load_registry
from vigil.settings import Settings
from vigil.store.open import open_store
from vigil.triage import Component, TriageConfig

PDQ = "f" * 64


class HashListFormat(CsvBankFormat):
    """A bank format a third party might ship: ``#hashlist`` then the CSV vigil reads."""

    name = "hashlist"  # type: ignore[misc]
    extensions = (".hl",)

    def sniff(self, head: str) -> bool:
        return head.startswith("#hashlist\n")

    def read(self, text: str, spec: BankSpec) -> BankImport:
        return super().read(text.removeprefix("#hashlist\n"), spec)


built: list[int] = []


def _build_counting(entries: Sequence[BankEntry]) -> HashIndex:
    built.append(len(entries))
    return BruteForcePdqIndex.build(entries)


def _shouting(group: LinkedGroup, config: TriageConfig, as_of: datetime) -> Component:
    return Component(1.0, f"{len(group.signals)} signal(s), all loud")


def _third_party() -> list[PluginClass]:
    return [HashListFormat(),
            IndexPlugin("counting", "brute force, counted", build=_build_counting),
            ScorerPlugin("shouting", _shouting, "every case is loud")]


REGISTRY = load_registry([builtin_plugins, _third_party])


def test_a_registered_bank_format_is_sniffed_and_named(tmp_path: Path) -> None:
    bank = tmp_path / "known.hl"
    bank.write_text(f"#hashlist\nhash,signal_type,label,source\n{PDQ},pdq,,\n", encoding="utf-8")
    for named in (None, "hashlist"):
        parsed = load_bank(bank, BankSpec("known"), named, REGISTRY.bank_formats)
        assert [entry.hash for entry in parsed.entries] == [PDQ]
    assert REGISTRY.bank_format("hashlist").name == "hashlist"


def test_the_media_index_setting_builds_a_registered_index() -> None:
    settings = Settings(media_index="counting", detectors="media.hash_match,reports.panic")
    detectors = REGISTRY.detectors_for(settings)
    context = DetectionContext(banks=open_store("memory://"))
    built.clear()
    for detector in detectors:
        list(detector.detect([], context))
    assert built == [0]  # built once, by the registered plug-in, and shared by both detectors


def test_a_registered_scorer_with_a_weight_is_run(tmp_path: Path) -> None:
    triage_yaml = tmp_path / "triage.yaml"
    triage_yaml.write_text(yaml.safe_dump({"weights": {"strongest": 1.0, "shouting": 1.0}}),
                           encoding="utf-8")
    config = PipelineConfig.from_settings(Settings(triage_config=triage_yaml), REGISTRY)
    media, conversation, _ = _signals()
    detectors = [_replay(SignalKind.MEDIA, [media, conversation])]
    (case,) = run_pipeline(open_store("memory://"), detectors, config, as_of=T0).cases
    reason = next(r for r in case.reasons if r.component == "shouting")
    assert (reason.value, reason.text) == (1.0, "2 signal(s), all loud")
