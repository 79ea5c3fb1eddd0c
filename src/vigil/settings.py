"""One typed settings object, read once at the edge (CLI, web) and passed inward.

Every setting is documented in ``docs/configuration.md``; a test keeps the two in step.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
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
    spark_master: str | None = Field(
        default=None,
        description="Spark master URL when VIGIL_ENGINE=spark (`vigil run --master`), e.g. "
        "spark://host:7077; unset means local[*], Spark on this machine's cores.",
    )
    linking: Literal["igraph", "sql"] = Field(
        default="igraph",
        description="How linking finds connected components: igraph in Python (the reference), "
        "or sql (label propagation on the VIGIL_ENGINE engine; same groups, see "
        "docs/benchmarks.md for when it pays).",
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
    chat_model: Path | None = Field(
        default=None,
        description="Trained chat model file (`make model-chats` writes "
        "`.vigil/models/chat-model.pkl`); unset means conversations are scored by the lexicon "
        "alone. Load only a file you built: it is a pickle.",
    )
    inline_payments: bool = Field(
        default=False,
        description="`vigil serve`: score each payment the API takes in with the inline scorer "
        "(warm-started from the stored payments on the first payment request) and return the "
        "accounts it leaves flagged as `alerts` in the answer.",
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
    queue_page_size: int = Field(
        default=50, ge=1, le=500,
        description="Cases per page of the workspace queue (next/previous links page on).",
    )
    # Optional logon through an organisation's OpenID Connect provider (vigil.accounts.oidc).
    oidc_issuer: str | None = Field(
        default=None,
        description="Issuer URL of the organisation's OpenID Connect provider; set (with the "
        "client id, secret and redirect URI) to offer 'Sign in with' on the login page.",
    )
    oidc_client_id: str = Field(default="", description="vigil's client id at the provider.")
    oidc_client_secret: SecretStr = Field(
        default=SecretStr(""), description="vigil's client secret at the provider.")
    oidc_redirect_uri: str = Field(
        default="",
        description="The callback URL registered at the provider: https://HOST/ui/oidc/callback.",
    )
    oidc_name: str = Field(
        default="your identity provider", max_length=60,
        description="The provider's name on the login page's button.")
    outbox_destinations: Path | None = Field(
        default=None,
        description="YAML file of delivery destinations (partner webhooks, a clearing-house "
        "endpoint, a MISP instance) that `vigil outbox send` queues exports for.",
    )
    outbox_secrets: Path | None = Field(
        default=None,
        description="JSON file mapping each destination's auth_secret name to the header "
        "value sent (e.g. a bearer token); never stored in the database or the audit log.",
    )
    outbox_max_attempts: int = Field(
        default=8, ge=1,
        description="Attempts before a delivery becomes a dead letter.",
    )
    outbox_backoff_s: float = Field(
        default=2.0, gt=0, allow_inf_nan=False,
        description="Base of the exponential backoff between attempts (full jitter), seconds.",
    )
    outbox_backoff_max_s: float = Field(
        default=300.0, gt=0, allow_inf_nan=False,
        description="Longest wait between two attempts, seconds.",
    )
    outbox_timeout_s: float = Field(
        default=10.0, gt=0, allow_inf_nan=False,
        description="Seconds one delivery attempt may take (connect, send and answer).",
    )
    jurisdiction: str | None = Field(
        default=None,
        description="Jurisdiction profile (us, eu, uk, au in the packaged jurisdictions.yaml): "
        "retention periods and detectors switched off where their legal basis lapsed; unset "
        "means no retention limit and no detector off (preservation holds always apply).",
    )
    jurisdictions: Path | None = Field(
        default=None,
        description="YAML with jurisdiction profiles; unset means the packaged "
        "jurisdictions.yaml.",
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
    api_fast_lane: bool = Field(
        default=True,
        description="Answer the hot routes' common case (HMA lookups, intake) without FastAPI's "
        "routing and dependencies (vigil.web.fastlane); the answers are the same either way.",
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
