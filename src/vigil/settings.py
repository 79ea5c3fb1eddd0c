"""One typed settings object, read once at the edge (CLI, web) and passed inward.

Every setting is documented in ``docs/configuration.md``; a test keeps the two in step.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Settings from ``VIGIL_*`` environment variables (or keyword arguments in tests)."""

    model_config = SettingsConfigDict(env_prefix="VIGIL_", extra="forbid")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; memory:// keeps everything in the process; "
        "unset means VIGIL_HOME, else the nearest .vigil/vigil.db in this folder or a parent, "
        "else a new ./.vigil/vigil.db.",
    )
    home: Path | None = Field(
        default=None,
        description="Folder of the SQLite store (HOME/vigil.db) when VIGIL_DATABASE_URL is unset.",
    )
    store_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a write waits for other writers (SQLite busy timeout and retries) "
        "before failing with 'store busy'.",
    )
    media_index: str = Field(
        default="auto",
        description="PDQ index: brute (NumPy reference), mih (exact multi-index hashing), gpu "
        "(PyTorch, CUDA when present), auto (gpu with CUDA, else mih); all give the same matches.",
    )
    linking_config: Path | None = Field(
        default=None,
        description="YAML with hub-suppression limits; unset means the packaged linking.yaml.",
    )
    triage_config: Path | None = Field(
        default=None,
        description="YAML with triage weights; unset means the packaged triage.yaml.",
    )
    payment_rules: Path | None = Field(
        default=None,
        description="YAML with payment typology rules; unset means the packaged one.",
    )
    engine: str = Field(
        default="duckdb",
        description="SQL engine the payment typologies run on, by registered name "
        "(`vigil plugins` lists the engines); duckdb is built in.",
    )
    detectors: str | None = Field(
        default=None,
        description="Comma-separated names of the detectors a run uses (`vigil plugins` lists "
        "them); unset means every registered detector. An unknown name is an error.",
    )
    lexicon: Path | None = Field(
        default=None,
        description="YAML with the conversation indicator lexicon; unset means the packaged one.",
    )
    max_future_skew_hours: float = Field(
        default=24.0, ge=0, allow_inf_nan=False,
        description="How far after the importer's clock a record may be dated before it is "
        "quarantined; 24 h covers local time mislabelled as UTC anywhere (at most 14 h ahead) "
        "plus device clock drift.",
    )
    intake_rerun_delay_s: float = Field(
        default=2.0, gt=0, allow_inf_nan=False,
        description="Seconds of quiet after intake requests before the service re-runs "
        "detection, linking and triage (a burst costs one run; at most 5x this after the first).",
    )
    lookup_refresh_s: float = Field(
        default=60.0, gt=0, allow_inf_nan=False,
        description="Seconds the service keeps its in-memory bank index before rebuilding it "
        "(banks curated through the API rebuild it at once; changes by the CLI show this late).",
    )
    api_max_batch: int = Field(
        default=1000, ge=1,
        description="Most records one intake request may carry (JSON array or NDJSON lines).",
    )
    api_max_body_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024,
        description="Largest request body the service reads, in bytes (413 beyond it); "
        "uploads to /v1/media/hash have their own limit.",
    )
    api_max_upload_bytes: int = Field(
        default=512 * 1024 * 1024, ge=1024,
        description="Largest image or video /v1/media/hash accepts, in bytes (streamed to a "
        "temporary file, hashed, deleted at once).",
    )
    api_rate_per_s: float = Field(
        default=50.0, gt=0, allow_inf_nan=False,
        description="Default sustained requests per second of a new API key (token bucket).",
    )
    api_burst: int = Field(
        default=200, ge=1,
        description="Default burst of a new API key: requests it may make at once before the "
        "rate applies.",
    )

    @property
    def max_future_skew(self) -> timedelta:
        """:attr:`max_future_skew_hours` as the ``timedelta`` that ``check_not_future`` takes."""
        return timedelta(hours=self.max_future_skew_hours)

    def detector_names(self) -> list[str] | None:
        """:attr:`detectors` as a list of names, or ``None`` for all."""
        if self.detectors is None:
            return None
        return [name.strip() for name in self.detectors.split(",") if name.strip()]
