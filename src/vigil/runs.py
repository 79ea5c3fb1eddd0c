"""One run over what is stored, built from the registry and the settings in one place.

``vigil run``, ``vigil demo`` and the web API all start runs; each used to build its own list of
detectors. Here the list is built once, in the registry's name order, so every door runs the
same detectors with the same settings.
"""

from __future__ import annotations

from datetime import datetime

from vigil.pipeline import PipelineConfig, RunResult, StepCallback, run_pipeline
from vigil.plugin import Detector
from vigil.registry import Registry
from vigil.settings import Settings
from vigil.store.interfaces import RecordStore, Store


def build_detectors(settings: Settings, registry: Registry) -> list[Detector]:
    """The detectors ``VIGIL_DETECTORS`` enables (all by default), configured from ``settings``.

    Raises :class:`~vigil.registry.UnknownPluginError` for an unknown detector or engine name, so
    a typo stops the run instead of silently switching a detector off.
    """
    return registry.detectors_for(settings)


def run(store: Store, settings: Settings, registry: Registry,
        on_step: StepCallback | None = None, *, as_of: datetime | None = None,
        actor: str = "system", records_from: RecordStore | None = None) -> RunResult:
    """Detect, link, triage and store cases (see :func:`vigil.pipeline.run_pipeline`);
    ``records_from`` is the record store ``VIGIL_RECORD_STORE`` names, when not ``store``."""
    return run_pipeline(store, build_detectors(settings, registry),
                        PipelineConfig.from_settings(settings, registry), as_of=as_of, actor=actor,
                        on_step=on_step, records_from=records_from)
