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
from vigil.public_names import LAZY_NAMES as _LAZY

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
    from vigil.accounts.admin import AccountAdmin, AccountChangeRefused, NewAccount
    from vigil.accounts.credentials import Enrolment
    from vigil.accounts.errors import (
        AccountError,
        LoginRefused,
        SessionInvalid,
        UnknownAccountError,
    )
    from vigil.accounts.model import Account, Role
    from vigil.accounts.oidc import IdentityProvider, UnmappedIdentity, account_for_claims
    from vigil.accounts.oidc_client import (
        OidcConfig,
        OidcError,
        OidcProvider,
        provider_from_settings,
    )
    from vigil.accounts.oidc_pending import PendingLogons
    from vigil.accounts.policy import Target, can
    from vigil.accounts.rules import SessionRules, csrf_token
    from vigil.accounts.service import AccountService, NewSession
    from vigil.accounts.store import AccountStore, account_store
    from vigil.accounts.wellness import Reveal, RevealRefused, reveal_message
    from vigil.bank_review import (
        UnknownBankError,
        find_bank,
        pause_bank,
        pause_bank_entry,
        resume_bank,
        resume_bank_entry,
    )
    from vigil.casework.network import CaseNetwork, case_network
    from vigil.casework.outbox_view import OutboxView, outbox_view
    from vigil.casework.payment_plot import PaymentTimeline, case_payments, payment_timeline
    from vigil.casework.status import BankStatus, DetectorStatus, bank_status, detector_status
    from vigil.casework.timeline import SignalTimeline, signal_timeline
    from vigil.casework.trail import CaseTrail, case_trail
    from vigil.columnar.migrate import migrate_records
    from vigil.columnar.mover import MoveError, move_records
    from vigil.columnar.split import RecordsLocationError, columnar_records, record_store_for
    from vigil.confirmation import Confirmation, confirm_case, decisions, dismiss_case
    from vigil.conversations.ingest import ChatFileError
    from vigil.conversations.report import format_chat_eval
    from vigil.conversations.service import (
        ChatEvalResult,
        ChatScan,
        build_chat_model,
        run_chat_eval,
        scan_chat_files,
    )
    from vigil.custody.heads import HeadSigner, SignedHead
    from vigil.custody.log import sign_custody_head, verify_custody_log
    from vigil.custody.verify import VerifyReport
    from vigil.demo.run import DemoResult, run_demo
    from vigil.exporters.context import IncompleteReportError
    from vigil.exporters.export import AnonymousExportError, UnknownCasesError, export_cases
    from vigil.exporters.json_cases import case_to_json
    from vigil.gate import Decision, OutboundRefusedError, outbound_allowed
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
    from vigil.hma_content import (
        hma_bank_content,
        hma_delete_bank,
        hma_delete_bank_content,
        hma_update_bank_content,
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
    from vigil.ledger import LedgerRow, error_ledger
    from vigil.media.banks.files import BankFileError, BankSpec
    from vigil.media.banks.flood import FloodConfig
    from vigil.media.banks.formats import BANK_FORMATS, export_bank, load_bank
    from vigil.media.banks.index_cache import cached_lookup, index_cache_dir
    from vigil.media.banks.lookup import MediaLookup
    from vigil.media.banks.records import BankEntry, BankInfo, BankKind
    from vigil.media.file_errors import MediaFileError, file_error
    from vigil.media.paths import HashedItem, hash_path, match_path
    from vigil.media.uploads import UploadTooLarge, hashed_upload
    from vigil.media.video.frames import Sampling, format_vpdq
    from vigil.monitor import MatchEvent, StreamMonitor, StreamStats
    from vigil.monitor.signals import keep_findings, signal_from_event
    from vigil.outbox.destinations import (
        Destination,
        DestinationError,
        load_destinations,
        load_secrets,
    )
    from vigil.outbox.enqueue import enqueue_export
    from vigil.outbox.model import DeliveryStatus
    from vigil.outbox.worker import OutboxPolicy, outbox_summary, retry_dead, run_outbox
    from vigil.payments.account_score import AccountScore, AlertPolicy, RuleHit
    from vigil.payments.explain import (
        AccountTimeline,
        UnknownAccountPayments,
        account_timeline,
        plot_timeline,
    )
    from vigil.payments.inline import InlineResult, InlineScorer
    from vigil.payments.scan import PaymentScan, scan_payment_files, write_scan_drafts
    from vigil.pipeline import RunResult, StepCallback
    from vigil.records import RecordKind
    from vigil.registry import Registry, UnknownPluginError, load_registry
    from vigil.retention.holds import (
        Hold,
        HoldRefusedError,
        lift_hold,
        preservation_holds,
        set_hold_until,
    )
    from vigil.retention.profiles import (
        Jurisdiction,
        JurisdictionError,
        detectors_off_by_law,
        load_jurisdictions,
        profile_for,
    )
    from vigil.retention.run import RetentionPlan, run_retention
    from vigil.review import (
        AnonymousActorError,
        UnknownCaseError,
        add_case_note,
        assign_case,
        case_history,
        current_assignee,
        open_case,
        require_actor,
        set_case_status,
    )
    from vigil.runs import build_detectors, run
    from vigil.settings import Settings
    from vigil.sharing.exchange import share_export, share_import
    from vigil.sharing.keys import PartnerKeyError, load_partner_keys, partner_key
    from vigil.sharing.pseudonyms import ShareFileError
    from vigil.signal_types import signal_type
    from vigil.store.errors import StoreError
    from vigil.store.interfaces import AuditStore, BankStore, CaseStore, RecordStore, Store
    from vigil.store.location import StoreLocation, hide_password, locate_store
    from vigil.store.open import UnsupportedDatabaseURL, open_store
    from vigil.store.session import (
        custody_signer,
        open_located_store,
        store_failure_text,
        store_summary,
    )
    from vigil.workspace.actions import BulkOutcome, assign_and_hand_over, dismiss_cases
    from vigil.workspace.claims import (
        CaseClaimedError,
        Claim,
        ClaimStore,
        claim_case,
        claim_store,
        release_case,
    )
    from vigil.workspace.demo import DemoWorkspace, demo_workspace
    from vigil.workspace.messages import MaskedMessage, NotInCaseError, case_messages, message_text
    from vigil.workspace.queue import (
        QueueFilter,
        QueueRow,
        case_jurisdictions,
        queue_jurisdictions,
        queue_rows,
    )

__version__ = "0.1.0"


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
    "signal_type",
    "AnonymousActorError", "AuditStore", "BANK_FORMATS", "BankEntry", "BankFileError", "BankInfo",
    "BankKind", "BankSpec", "BankStore", "Case", "CaseStatus", "CaseStore", "DemoResult",
    "EntityKind", "EntityRef", "FileSummary", "FloodConfig", "MatchEvent", "MediaFileError",
    "MediaLookup", "NoImporterError", "Reason", "RecordKind", "Registry", "RunResult", "Sampling",
    "Settings", "Signal", "SignalKind", "StepCallback", "Store", "StreamMonitor", "StreamStats",
    "UnknownBankError", "UnknownCaseError", "UnsupportedDatabaseURL", "__version__",
    "add_case_note", "assign_case", "build_detectors", "cached_lookup", "case_history",
    "case_to_json", "current_assignee", "export_bank", "file_error", "find_bank", "format_vpdq",
    "hash_path", "import_files", "index_cache_dir", "keep_findings", "load_bank", "load_registry",
    "match_path", "normalise", "open_store", "pause_bank", "pause_bank_entry", "resume_bank",
    "resume_bank_entry", "run", "run_demo", "set_case_status", "signal_from_event",
    "StoreError", "StoreLocation", "hide_password", "locate_store", "open_located_store",
    "store_failure_text", "store_summary", "AnonymousExportError", "UnknownCasesError",
    "export_cases", "UnknownPluginError",
    "HeadSigner", "SignedHead", "VerifyReport", "custody_signer", "sign_custody_head",
    "verify_custody_log", "open_case",
    # the workspace's case views
    "BankStatus", "CaseNetwork", "CaseTrail", "DetectorStatus", "OutboxView", "PaymentTimeline",
    "SignalTimeline", "bank_status", "case_network", "case_payments", "case_trail",
    "detector_status", "outbox_view", "payment_timeline", "signal_timeline",
    # payments: scan, account scores, explain, SAR drafts
    "AccountScore", "AccountTimeline", "AlertPolicy", "PaymentScan", "RuleHit",
    "UnknownAccountPayments", "account_timeline", "plot_timeline", "scan_payment_files",
    "write_scan_drafts", "InlineResult", "InlineScorer",
    "Confirmation", "confirm_case", "decisions", "dismiss_case", "IncompleteReportError",
    "Decision", "OutboundRefusedError", "outbound_allowed", "LedgerRow", "error_ledger",
    "share_export", "share_import", "PartnerKeyError", "load_partner_keys", "partner_key",
    "ShareFileError",
    "Account", "AccountError", "AccountService", "AccountStore", "Enrolment", "LoginRefused",
    "NewSession", "Reveal", "RevealRefused", "Role", "SessionInvalid", "SessionRules", "Target",
    "UnknownAccountError", "account_store", "can", "csrf_token", "reveal_message",
    "IdentityProvider", "OidcConfig", "OidcError", "OidcProvider", "PendingLogons",
    "UnmappedIdentity", "account_for_claims", "provider_from_settings",
    "AccountAdmin", "AccountChangeRefused", "NewAccount",
    "ChatEvalResult", "ChatFileError", "ChatScan", "build_chat_model", "format_chat_eval",
    "run_chat_eval", "scan_chat_files",
    "DeliveryStatus", "Destination", "DestinationError", "OutboxPolicy", "enqueue_export",
    "load_destinations", "load_secrets", "outbox_summary", "retry_dead", "run_outbox",
    "Hold", "HoldRefusedError", "Jurisdiction", "JurisdictionError", "RetentionPlan",
    "detectors_off_by_law", "lift_hold", "load_jurisdictions", "preservation_holds",
    "profile_for", "run_retention", "set_hold_until",
    "ApiKey", "KeySpecError", "KeyStore", "Scope", "create_key", "key_store_for", "verify_key",
    "Tenant", "TenantStores", "UnknownTenantError", "readiness", "tenant_store_url",
    "HmaRequestError", "hma_add_signals", "hma_bank", "hma_compare", "hma_hashes",
    "hma_index_status", "hma_lookup", "hma_lookup_hashes", "hma_raw_lookup",
    "IdempotencyConflict", "BatchTooLarge", "FieldProblem", "IntakeRejected", "parse_body",
    "Intake", "Receipt", "UploadTooLarge", "hashed_upload", "HashedItem",
    "hma_create_bank", "hma_update_bank", "intake_body_schema",
    "hma_bank_content", "hma_delete_bank", "hma_delete_bank_content", "hma_update_bank_content",
    "RecordStore", "RecordsLocationError", "columnar_records", "migrate_records",
    "record_store_for", "require_actor", "MoveError", "move_records",
    # the analyst workspace: claims, queue, masked messages, demo accounts
    "BulkOutcome", "CaseClaimedError", "Claim", "ClaimStore", "DemoWorkspace",
    "MaskedMessage", "NotInCaseError", "QueueFilter", "QueueRow", "assign_and_hand_over",
    "case_jurisdictions", "case_messages", "claim_case", "claim_store", "demo_workspace",
    "dismiss_cases", "message_text", "queue_jurisdictions", "queue_rows", "release_case",
]
