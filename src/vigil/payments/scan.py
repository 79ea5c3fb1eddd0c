"""``vigil payments scan``: import payment files, run the typology pack on them, rank accounts.

The files are imported into the record store first (bad rows quarantined with file, line and
reason, exactly as ``vigil import payment`` does), so ``vigil payments explain`` and ``vigil run``
see the same payments afterwards. The pack then runs on the payments of these files only, on the
engine named (DuckDB or Spark) with the pack ``vigil run`` uses (``VIGIL_PAYMENT_RULES``; name
``payment_typology.yaml`` there for R1-R16), so the findings a draft cites are the ones the case
queue links; every rule finding is stored as a signal, and the accounts are ranked by the
typology score (:mod:`vigil.payments.scan_score`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from vigil.confirmation import decisions
from vigil.engines import SqlEngine
from vigil.importers.clock import import_clock
from vigil.ingest import FileSummary, choose_importer, import_files
from vigil.model import Signal
from vigil.payments.account_score import AccountScore, AlertPolicy
from vigil.payments.detector import PaymentTypologyDetector
from vigil.payments.payment_table import payment_columns
from vigil.payments.sar import holding_case, sar_draft, write_draft
from vigil.payments.scan_score import typology_ranking
from vigil.plugin import AcceptedRow, Importer
from vigil.records import Payment, RecordKind
from vigil.registry import Registry
from vigil.settings import Settings
from vigil.store.interfaces import AuditStore, BankStore, CaseStore, RecordStore, SignalStore


@dataclass(frozen=True)
class PaymentScan:
    """What one scan found: the accounts ranked, the rule signals, and each file's import."""

    accounts: tuple[AccountScore, ...]
    signals: tuple[Signal, ...]
    files: tuple[FileSummary, ...]
    payments: tuple[Payment, ...]
    """The payments of the files that were scanned (each ``txn_id`` once), oldest first."""
    engine: str
    rules_version: str
    stored_signals: int

    @property
    def flagged(self) -> tuple[AccountScore, ...]:
        return tuple(account for account in self.accounts if account.flagged)


def read_payment_files(paths: Sequence[Path], importers: Mapping[str, type[Importer]],
                       format_name: str | None = None) -> list[Payment]:
    """The payments the importers accept from ``paths`` (quarantined rows left out), each
    ``txn_id`` once (the first), oldest first."""
    payments: dict[str, Payment] = {}
    for path in paths:
        importer = choose_importer(RecordKind.PAYMENT, path, importers, format_name)
        for outcome in importer().rows(path):
            if isinstance(outcome, AcceptedRow) and isinstance(outcome.record, Payment):
                payments.setdefault(outcome.record.txn_id, outcome.record)
    return sorted(payments.values(), key=lambda p: (p.sent_at, p.txn_id))


def scan_detector(settings: Settings, registry: Registry,
                  engine: str | None = None) -> PaymentTypologyDetector:
    """The payments detector on the engine ``engine`` names (default ``settings.engine``);
    an unknown name raises :class:`~vigil.registry.UnknownPluginError` listing the known ones."""
    name = engine or settings.engine
    engine_type = registry.engine(name)
    detector = PaymentTypologyDetector.from_settings(settings, registry)
    return PaymentTypologyDetector(rules=detector.rules,
                                   engine_factory=lambda: cast(SqlEngine, engine_type()))


def scan_payment_files(paths: Sequence[Path], records: RecordStore, signals: SignalStore,
                       settings: Settings, registry: Registry, *, engine: str | None = None,
                       format_name: str | None = None, banks: BankStore | None = None,
                       policy: AlertPolicy | None = None) -> PaymentScan:
    """Import ``paths``, run the payment pack on their payments, store the rule signals, and
    score every account a rule fired for (highest first).

    The payments are loaded into one engine once: the rules' findings there become both the
    signals and the score's contributions (``banks`` is accepted for callers that pass a
    store; the payment rules read none).

    Raises :class:`~vigil.ingest.NoImporterError` for a file no importer reads and
    :class:`~vigil.registry.UnknownPluginError` for an unknown engine, before anything is stored.
    """
    detector = scan_detector(settings, registry, engine)
    for path in paths:
        choose_importer(RecordKind.PAYMENT, path, registry.importers, format_name)
    summaries = import_files(records, RecordKind.PAYMENT, paths, registry.importers,
                             max_future_skew=settings.max_future_skew, format_name=format_name)
    with import_clock(settings.max_future_skew, datetime.now(UTC)):
        payments = read_payment_files(paths, registry.importers, format_name)
    found, accounts = _detect_and_rank(detector, payments, registry, engine or settings.engine,
                                       policy)
    stored = signals.add_signals(found).added if found else 0
    return PaymentScan(
        accounts=tuple(accounts), signals=tuple(found),
        files=tuple(summaries), payments=tuple(payments), engine=engine or settings.engine,
        rules_version=detector.rules.version, stored_signals=stored)


def _detect_and_rank(detector: PaymentTypologyDetector, payments: Sequence[Payment],
                     registry: Registry, engine: str, policy: AlertPolicy | None,
                     ) -> tuple[list[Signal], list[AccountScore]]:
    """The rule signals and the ranking, from one load of ``payments`` into one engine: the
    rules run once, their findings become the signals and the score's contributions."""
    if not payments:  # nothing to find (and an empty table would have untyped columns)
        return [], []
    sql = cast(SqlEngine, registry.engine(engine)())
    try:
        sql.register_table("payments", payment_columns(payments))
        found = detector.findings(sql)
        signals = [signal for _, signal in detector.scoped_signals(found, payments)]
        return signals, typology_ranking(found, signals, detector.rules, sql, policy)
    finally:
        sql.close()


def write_scan_drafts(scan: PaymentScan, cases: CaseStore, audit: AuditStore,
                      folder: Path) -> list[tuple[Path, Path]]:
    """A SAR/STR draft (JSON and text) per flagged account of ``scan`` in ``folder``, each
    marked with the human gate's decision on the stored case holding the account."""
    stored = cases.cases()
    confirmations = decisions(audit)
    written = []
    for score in scan.flagged:
        case = holding_case(score.account, stored)
        draft = sar_draft(score, scan.payments, case, confirmations, scan.rules_version)
        written.append(write_draft(draft, folder))
    return written


__all__ = ["PaymentScan", "read_payment_files", "scan_detector", "scan_payment_files",
           "write_scan_drafts"]
