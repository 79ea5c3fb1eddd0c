"""vigil: fuse media, chat, payment and report signals into linked, explained, prioritised cases.

This module is the public API: the CLI imports nothing else from vigil (a test holds it to that),
and the web API is meant to do the same. Everything not named in ``__all__`` is internal.

vigil's NumPy work is many small matrix products (PDQ on 64x64 grids), which a multi-threaded
OpenBLAS makes 10-20x slower on a busy machine (a live-stream monitor's p50 latency went from 5 ms
to about 1 s in one measurement). Importing vigil therefore asks for one BLAS thread per process
unless the caller set ``OPENBLAS_NUM_THREADS``; it takes effect only if NumPy is not loaded yet.
For the same reason, and to keep ``import vigil`` fast, every name beyond the core records is
imported on first use (:func:`__getattr__`), not when vigil is imported.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# The environment must be set before anything below can import NumPy.

from importlib import import_module
from typing import TYPE_CHECKING

from vigil.identifiers import EntityKind, normalise
from vigil.model import Case, CaseStatus, EntityRef, Reason, Signal, SignalKind

if TYPE_CHECKING:
    from vigil.access.keys import (
        ApiKey,
        KeySpecError,
        KeyStore,
        Scope,
        create_key,
        key_store_for,
        verify_key,
    )
    from vigil.access.tenants import (
        Tenant,
        TenantStores,
        UnknownTenantError,
        readiness,
        tenant_store_url,
    )
    from vigil.bank_review import (
        UnknownBankError,
        find_bank,
        pause_bank,
        pause_bank_entry,
        resume_bank,
        resume_bank_entry,
    )
    from vigil.demo.run import DemoResult, run_demo
    from vigil.exporters.export import AnonymousExportError, UnknownCasesError, export_cases
    from vigil.exporters.json_cases import case_to_json
    from vigil.hma import (
        HmaRequestError,
        hma_add_signals,
        hma_bank,
        hma_compare,
        hma_create_bank,
        hma_hashes,
        hma_index_status,
        hma_lookup,
        hma_lookup_hashes,
        hma_raw_lookup,
        hma_update_bank,
    )
    from vigil.ingest import FileSummary, NoImporterError, import_files
    from vigil.intake.ledger import IdempotencyConflict
    from vigil.intake.parse import (
        BatchTooLarge,
        FieldProblem,
        IntakeRejected,
        intake_body_schema,
        parse_body,
    )
    from vigil.intake.service import Intake, Receipt
    from vigil.media.banks.files import BankFileError, BankSpec
    from vigil.media.banks.flood import FloodConfig
    from vigil.media.banks.formats import BANK_FORMATS, export_bank, load_bank
    from vigil.media.banks.lookup import MediaLookup
    from vigil.media.banks.records import BankEntry, BankInfo, BankKind
    from vigil.media.paths import HashedItem, hash_path, match_path
    from vigil.media.uploads import UploadTooLarge, hashed_upload
    from vigil.media.video.frames import Sampling, format_vpdq
    from vigil.monitor import MatchEvent, StreamMonitor, StreamStats
    from vigil.monitor.signals import keep_findings, signal_from_event
    from vigil.pipeline import RunResult, StepCallback
    from vigil.records import RecordKind
    from vigil.registry import Registry, UnknownPluginError, load_registry
    from vigil.review import (
        AnonymousActorError,
        UnknownCaseError,
        add_case_note,
        assign_case,
        case_history,
        current_assignee,
        set_case_status,
    )
    from vigil.runs import build_detectors, run
    from vigil.settings import Settings
    from vigil.store.errors import StoreError
    from vigil.store.interfaces import AuditStore, BankStore, CaseStore, Store
    from vigil.store.location import StoreLocation, hide_password, locate_store
    from vigil.store.open import UnsupportedDatabaseURL, open_store
    from vigil.store.session import open_located_store, store_failure_text, store_summary

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    **dict.fromkeys(["ApiKey", "KeySpecError", "KeyStore", "Scope", "create_key",
                     "key_store_for", "verify_key"], "vigil.access.keys"),
    **dict.fromkeys(["Tenant", "TenantStores", "UnknownTenantError", "readiness",
                     "tenant_store_url"], "vigil.access.tenants"),
    **dict.fromkeys(["HmaRequestError", "hma_add_signals", "hma_bank", "hma_compare",
                     "hma_hashes", "hma_index_status", "hma_lookup", "hma_lookup_hashes",
                     "hma_raw_lookup", "hma_create_bank", "hma_update_bank"],
                    "vigil.hma"),
    "IdempotencyConflict": "vigil.intake.ledger",
    **dict.fromkeys(["BatchTooLarge", "FieldProblem", "IntakeRejected", "parse_body",
                     "intake_body_schema"],
                    "vigil.intake.parse"),
    **dict.fromkeys(["Intake", "Receipt"], "vigil.intake.service"),
    **dict.fromkeys(["UploadTooLarge", "hashed_upload"], "vigil.media.uploads"),
    **dict.fromkeys(["UnknownBankError", "find_bank", "pause_bank", "pause_bank_entry",
                     "resume_bank", "resume_bank_entry"], "vigil.bank_review"),
    **dict.fromkeys(["DemoResult", "run_demo"], "vigil.demo.run"),
    "case_to_json": "vigil.exporters.json_cases",
    **dict.fromkeys(["AnonymousExportError", "UnknownCasesError", "export_cases"],
                    "vigil.exporters.export"),
    **dict.fromkeys(["FileSummary", "NoImporterError", "import_files"], "vigil.ingest"),
    **dict.fromkeys(["BankFileError", "BankSpec"], "vigil.media.banks.files"),
    "FloodConfig": "vigil.media.banks.flood",
    **dict.fromkeys(["BANK_FORMATS", "export_bank", "load_bank"], "vigil.media.banks.formats"),
    "MediaLookup": "vigil.media.banks.lookup",
    **dict.fromkeys(["BankEntry", "BankInfo", "BankKind"], "vigil.media.banks.records"),
    **dict.fromkeys(["HashedItem", "hash_path", "match_path"], "vigil.media.paths"),
    **dict.fromkeys(["Sampling", "format_vpdq"], "vigil.media.video.frames"),
    **dict.fromkeys(["MatchEvent", "StreamMonitor", "StreamStats"], "vigil.monitor"),
    **dict.fromkeys(["keep_findings", "signal_from_event"], "vigil.monitor.signals"),
    **dict.fromkeys(["RunResult", "StepCallback"], "vigil.pipeline"),
    "RecordKind": "vigil.records",
    **dict.fromkeys(["Registry", "UnknownPluginError", "load_registry"], "vigil.registry"),
    **dict.fromkeys(["AnonymousActorError", "UnknownCaseError", "add_case_note", "assign_case",
                     "case_history", "current_assignee", "set_case_status"], "vigil.review"),
    **dict.fromkeys(["build_detectors", "run"], "vigil.runs"),
    "Settings": "vigil.settings",
    **dict.fromkeys(["AuditStore", "BankStore", "CaseStore", "Store"], "vigil.store.interfaces"),
    **dict.fromkeys(["UnsupportedDatabaseURL", "open_store"], "vigil.store.open"),
    "StoreError": "vigil.store.errors",
    **dict.fromkeys(["StoreLocation", "hide_password", "locate_store"], "vigil.store.location"),
    **dict.fromkeys(["open_located_store", "store_failure_text", "store_summary"],
                    "vigil.store.session"),
}
"""Public names imported on first use, and the module each comes from."""


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562), then keep the name here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'vigil' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "BANK_FORMATS", "AnonymousActorError", "AuditStore", "BankEntry", "BankFileError",
    "BankInfo", "BankKind", "BankSpec", "BankStore", "Case", "CaseStatus", "CaseStore",
    "DemoResult", "EntityKind", "EntityRef", "FileSummary", "FloodConfig", "MatchEvent",
    "MediaLookup", "NoImporterError", "Reason", "RecordKind", "Registry", "RunResult", "Sampling",
    "Settings", "Signal", "SignalKind", "StepCallback", "Store", "StreamMonitor", "StreamStats",
    "UnknownBankError", "UnknownCaseError", "UnsupportedDatabaseURL", "__version__",
    "add_case_note", "assign_case", "build_detectors", "case_history", "case_to_json",
    "current_assignee", "export_bank", "find_bank", "format_vpdq", "hash_path", "import_files",
    "keep_findings", "load_bank", "load_registry", "match_path", "normalise", "open_store",
    "pause_bank", "pause_bank_entry", "resume_bank", "resume_bank_entry", "run", "run_demo",
    "set_case_status", "signal_from_event",
    "StoreError", "StoreLocation", "hide_password", "locate_store", "open_located_store",
    "store_failure_text", "store_summary", "AnonymousExportError", "UnknownCasesError",
    "export_cases", "UnknownPluginError",
    "ApiKey", "KeySpecError", "KeyStore", "Scope", "create_key", "key_store_for", "verify_key",
    "Tenant", "TenantStores", "UnknownTenantError", "readiness", "tenant_store_url",
    "HmaRequestError", "hma_add_signals", "hma_bank", "hma_compare", "hma_hashes",
    "hma_index_status", "hma_lookup", "hma_lookup_hashes", "hma_raw_lookup",
    "IdempotencyConflict", "BatchTooLarge", "FieldProblem", "IntakeRejected", "parse_body",
    "Intake", "Receipt", "UploadTooLarge", "hashed_upload", "HashedItem",
    "hma_create_bank", "hma_update_bank", "intake_body_schema",
]
