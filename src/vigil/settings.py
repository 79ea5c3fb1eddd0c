"""One typed settings object, read once at the edge (CLI, web) and passed inward.

Every setting is documented in ``docs/configuration.md``; a test keeps the two in step.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

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
    index_cache_dir: Path | None = Field(
        default=None,
        description="Folder where vigil match and vigil monitor keep the built PDQ index "
        "between calls (hashes only), rebuilt when a bank changes; unset means index-cache "
        "next to the SQLite database, and no cache for PostgreSQL or memory://.",
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
    record_store: Literal["sql", "parquet"] = Field(
        default="sql",
        description="Where imported payments are kept: sql (the records table of the store) or "
        "parquet (Parquet parts under VIGIL_RECORDS_URL, which the payment rules read directly "
        "with DuckDB; other kinds stay in the store). `vigil records migrate` moves them.",
    )
    records_url: str | None = Field(
        default=None,
        description="Folder or fsspec URL (s3://..., memory://...) of the Parquet parts when "
        "VIGIL_RECORD_STORE=parquet; unset means records/ beside the SQLite database.",
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
    custody_key: Path | None = Field(
        default=None,
        description="Ed25519 key file that signs custody-log heads, created (0600) on first use; "
        "unset means custody-ed25519.key beside a SQLite store, else ./.vigil/.",
    )
    custody_sign_every: int = Field(
        default=100, ge=1,
        description="Sign a custody-log head after every this many audit entries.",
    )

    reporter_email: str | None = Field(
        default=None,
        description="Email of the reporting person a CyberTipline export names (required by "
        "the report's reporter element); without it a cybertip export is refused.",
    )
    share_keys: Path | None = Field(
        default=None,
        description="JSON file mapping each sharing partner's name to its secret HMAC key "
        "(hex); `vigil share` reads it. Keys never appear in exports.",
    )
    # Workspace accounts (vigil.accounts). Defaults are FBI CJIS Security Policy v5.9.5's; the
    # bounds let a deployment be stricter, never looser.
    lockout_failures: int = Field(
        default=5, ge=1, le=5,
        description="Consecutive failed logons within VIGIL_LOCKOUT_WINDOW_MINUTES that lock an "
        "account until an admin unlocks it (CJIS v5.9.5 AC-7: 5; at most 5).",
    )
    lockout_window_minutes: int = Field(
        default=15, ge=15, le=1440,
        description="Minutes within which failed logons count towards a lockout (CJIS v5.9.5 "
        "AC-7: 15; at least 15).",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, le=30,
        description="Minutes without a request after which a workspace session ends (CJIS "
        "v5.9.5 AC-11, IA-5(j): 30; at most 30).",
    )
    session_lifetime_hours: int = Field(
        default=12, ge=1, le=12,
        description="Hours after logon at which a workspace session ends even if active (CJIS "
        "v5.9.5 IA-11: 12; at most 12).",
    )
    reveal_daily_cap: int = Field(
        default=50, ge=1,
        description="Masked messages a reviewer may reveal per UTC day before the workspace "
        "prompts a break (a soft cap, as Lewitzka et al. 2026 advise cutting exposures; 50 is "
        "vigil's choice, no published number exists).",
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
