"""One run over what is stored, built from the registry and the settings in one place.

``vigil run``, ``vigil demo`` and the web API all start runs; each used to build its own list of
detectors. Here the list is built once, in the registry's name order, so every door runs the
same detectors with the same settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import cast

from vigil.linking_sql import TableEngine
from vigil.model import content_hash
from vigil.pipeline import PipelineConfig, RunResult, StepCallback, run_pipeline
from vigil.plugin import Detector
from vigil.registry import Registry
from vigil.retention.profiles import law_reasons, profile_for, with_law_reasons
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
        actor: str = "system", now: datetime | None = None,
        records_from: RecordStore | None = None, full: bool = False) -> RunResult:
    """Detect, link, triage and store cases (see :func:`vigil.pipeline.run_pipeline`).

    Detectors that the ``VIGIL_JURISDICTION`` profile switches off at ``now`` (the wall clock:
    the law in force when the scan runs, not the data's time) do not run, and every case says
    so in a zero-contribution reason. ``VIGIL_LINKING=sql`` links on the ``VIGIL_ENGINE`` engine.
    ``records_from`` is the record store ``VIGIL_RECORD_STORE`` names, when not ``store``.
    A run processes what arrived since the last run's checkpoint; ``full`` recomputes everything
    (``vigil run --full``). Both leave the same cases (:mod:`vigil.incremental`).
    """
    moment = now or datetime.now(UTC)
    profile = profile_for(settings)
    off = {s.detector for s in profile.switched_off(moment)} if profile else set()
    detectors = [d for d in build_detectors(settings, registry) if d.name not in off]
    result = run_pipeline(store, detectors, _pipeline_config(settings, registry),
                          as_of=as_of, actor=actor, on_step=on_step,
                          records_from=records_from, full=full,
                          settings_digest=settings_digest(settings))
    reasons = law_reasons(profile, moment)
    if not reasons:
        return result
    store.replace_cases([with_law_reasons(c, reasons) for c in store.cases()])
    return result


def settings_digest(settings: Settings) -> str:
    """A digest of every setting: detectors built under other settings run in full."""
    return content_hash(settings.model_dump(mode="json"))


def _pipeline_config(settings: Settings, registry: Registry) -> PipelineConfig:
    engine = registry.engine(settings.engine)
    engine.prepare(settings)
    config = PipelineConfig.from_settings(settings, registry)
    if settings.linking == "sql":
        if not hasattr(engine, "create_table"):
            raise ValueError(f"VIGIL_LINKING=sql needs an engine that can create tables; "
                             f"engine {engine.name!r} cannot")
        config = replace(config, sql_linking_engine=cast(Callable[[], TableEngine], engine))
    return config
