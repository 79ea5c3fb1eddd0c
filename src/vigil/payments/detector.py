"""The payments detector: runs the typology SQL on an engine and explains each finding.

A finding's subjects include the KYC phone numbers and e-mail addresses on its transactions, not
only the payment accounts, because those are what tie a bank's customer to a platform account seen
in chats or reports. Scores are the rule's weight times a strength that grows past the rule's
threshold and saturates, so one small remittance stays weak evidence (AUSTRAC: no single indicator
is enough) and a case is carried by several rules or other kinds of signal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Self, cast

from fsspec import AbstractFileSystem

from vigil.checkpoints import FULL_SCOPE
from vigil.engines import DuckDBEngine, SqlEngine
from vigil.identifiers import EntityKind
from vigil.model import EntityRef, Signal, SignalKind
from vigil.payments.finding_signals import FindingSignals, present
from vigil.payments.pack_table import register_pack_payments
from vigil.payments.parquet_batches import FINDINGS_BATCH, findings_tables, kyc_batches
from vigil.payments.partition_keys import (
    PAYER,
    SCOPE_COLUMNS,
    hub_rows_where,
    keyed_sql,
    partition_keys,
    register_keys,
    scopes_of,
)
from vigil.payments.payer_reach import beneficiary_profiles
from vigil.payments.payment_table import payment_columns
from vigil.payments.rule_base import Corridor
from vigil.payments.rules import PaymentRules, RuleConfig, load_rules
from vigil.plugin import DetectionContext, Detector, PluginTables
from vigil.records import Payment, Record, RecordKind, identifiers_of
from vigil.settings import Settings

_KYC_KINDS = {EntityKind.PHONE, EntityKind.EMAIL}


PARQUET_MEMORY_LIMIT = "2GB"
"""DuckDB's bound when the rules read the columnar store (it spills past it)."""


def shared_corridor(rules: PaymentRules) -> Corridor | None:
    """The corridor every enabled rule filters on, if they share one."""
    corridors = {rule.parameters.corridor for rule in rules.enabled()}
    return corridors.pop() if len(corridors) == 1 else None


def register_corridor_payments(engine: DuckDBEngine, rules: PaymentRules, parts: Sequence[str],
                               filesystem: AbstractFileSystem | None = None) -> None:
    """Table ``payments`` for the rules from the Parquet ``parts``: only the payments some
    enabled rule reads (its corridor, R14's listed accounts, R16's payees abroad), read from the
    parts once and kept (every rule filters first, so each would otherwise scan every payment
    again); a view of them all when a rule may read any
    (:func:`vigil.payments.pack_table.register_pack_payments`)."""
    register_pack_payments(engine, rules, parts, filesystem)


def scope_of(rule: RuleConfig, row: Mapping[str, Any]) -> str:
    """The scope of one finding: ``<history key>:<value>``, or ``*`` for a rule without one
    (:mod:`vigil.payments.partition_keys`)."""
    key = rule.rule.history_key
    if key not in SCOPE_COLUMNS:
        return FULL_SCOPE
    values = present(row[SCOPE_COLUMNS[key]])
    return f"{key}:{values[0]}" if len(values) == 1 else FULL_SCOPE


def pack_and_engine(settings: Settings, registry: PluginTables | None = None,
                    ) -> tuple[PaymentRules, Callable[[], SqlEngine]]:
    """The pack ``settings.payment_rules`` names and a factory of the engine ``settings.engine``
    names, both looked up in ``registry`` (the entry-point registry when ``None``)."""
    if registry is None:
        from vigil.registry import load_registry
        registry = load_registry()
    engine = registry.engine(settings.engine)
    return (load_rules(settings.payment_rules, registry.payment_rules),
            lambda: cast(SqlEngine, engine()))


class PaymentTypologyDetector(Detector):
    """OSEC typologies (R1-R16 by default) from a versioned rule pack, as SQL on a pluggable
    engine."""

    name: ClassVar[str] = "payments.typologies"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = (
        "OSEC payment typologies R1-R16 by default (low-value corridor, prolific, fan-out, "
        "fan-in, escalation, night, cover story, facilitator profile, ...) with sources from "
        "AUSTRAC, AIC, AMLC, FATF and Westpac")
    consumes: ClassVar[RecordKind] = RecordKind.PAYMENT
    emits: ClassVar[SignalKind] = SignalKind.PAYMENT

    def __init__(self, rules: PaymentRules | None = None,
                 engine_factory: Callable[[], SqlEngine] = DuckDBEngine,
                 max_txn_ids: int = 50) -> None:
        self.rules = rules if rules is not None else load_rules()
        self._engine_factory = engine_factory
        self._signals = FindingSignals(self.name, self.version, self.rules, max_txn_ids)

    @classmethod
    def from_settings(cls, settings: Settings, registry: PluginTables | None = None) -> Self:
        """The pack ``settings.payment_rules`` names, run on the engine ``settings.engine`` names.

        Both are looked up in ``registry`` (the entry-point registry when ``None``), so a rule or
        engine a third party registers is the one used; unknown names list the known ones.
        """
        rules, engine_factory = pack_and_engine(settings, registry)
        return cls(rules=rules, engine_factory=engine_factory)

    @classmethod
    def from_registry(cls, settings: Settings, registry: PluginTables) -> Self:
        return cls.from_settings(settings, registry)

    def detect(self, records: Iterable[Record], context: DetectionContext) -> Iterator[Signal]:
        """Run every enabled rule; the engine lives only for this call."""
        return iter([signal for _, signal in self.detect_scoped(records, context)])

    def partition_keys(self) -> tuple[str, ...] | None:
        """The keys the enabled rules' findings are about (``sender``, ``beneficiary``,
        ``payer``; :attr:`PaymentRule.history_key`, :mod:`vigil.payments.partition_keys`), or
        ``None`` when a rule needs every payment (then an incremental run recomputes this
        detector in full)."""
        return partition_keys(rule.rule.history_key for rule in self.rules.enabled())

    def hub_rows(self) -> str:
        """The payments through which the rules keyed ``payer`` read a beneficiary
        (:func:`~vigil.payments.partition_keys.hub_rows_where`)."""
        return hub_rows_where(r for r in self.rules.enabled() if r.rule.history_key == PAYER)

    def beneficiary_profiles(self) -> tuple[str, ...] | None:
        """What the rules keyed ``payer`` read of a beneficiary (``None``: unknown; every
        stored sender of a reached beneficiary is then recomputed): :mod:`vigil.payments.
        payer_reach`."""
        return beneficiary_profiles(
            r for r in self.rules.enabled() if r.rule.history_key == PAYER)

    def detect_scoped(self, records: Iterable[Record], context: DetectionContext,
                      wanted: Collection[str] | None = None) -> list[tuple[str, Signal]]:
        """:meth:`detect`, each signal with its scope (``sender:<account>`` for a rule keyed by
        sender: the finding is a function of that sender's payments alone; :func:`scope_of`);
        only the findings of the ``wanted`` scopes become signals, when given."""
        payments = [record for record in records if isinstance(record, Payment)]
        if not payments:
            return []
        engine = self._engine_factory()
        try:
            engine.register_table("payments", payment_columns(payments))
            found = self.findings(engine)
        finally:
            engine.close()
        return self.scoped_signals(found, payments, wanted)

    def scoped_signals(self, found: Iterable[tuple[RuleConfig, Mapping[str, Any]]],
                       payments: Iterable[Payment], wanted: Collection[str] | None = None,
                       ) -> list[tuple[str, Signal]]:
        """The signals of ``found`` (:meth:`findings` over ``payments``) with their scopes,
        only the ``wanted`` scopes' when given; KYC identifiers from ``payments``."""
        kyc: dict[str, set[EntityRef]] = defaultdict(set)
        for payment in payments:
            kyc[payment.txn_id].update(ref for ref in identifiers_of(payment)
                                       if ref.kind in _KYC_KINDS)
        scoped = [(scope_of(rule, row), rule, row) for rule, row in found]
        return [(scope, self._signals.signal(rule, row, kyc)) for scope, rule, row in scoped
                if wanted is None or scope in wanted]

    def findings(self, engine: SqlEngine, key: str | None = None,
                 ) -> list[tuple[RuleConfig, dict[str, Any]]]:
        """Finding rows of the enabled rules over the engine's ``payments`` (only the rules
        keyed by ``key``, when given)."""
        return [(rule, row) for rule in self.rules.enabled()
                if key is None or rule.rule.history_key == key
                for row in engine.query(rule.rule.sql(rule.parameters))]

    def _keyed_tables(self, engine: DuckDBEngine, keys: Mapping[str, Collection[str]],
                      ) -> list[tuple[RuleConfig, str]]:
        """Each rule's findings over the history of the keys of its own kind, kept as a table
        (:func:`~vigil.payments.partition_keys.keyed_sql`); then ``payments`` is every payment
        those histories hold (for the KYC)."""
        tables: list[tuple[RuleConfig, str]] = []
        columns = register_keys(engine, keys)
        for column in columns:
            engine.create_table(f"keyed_{column}", keyed_sql(column, hubs=self.hub_rows()))
            engine.drop_table("payments")
            engine.create_table("payments", f"SELECT * FROM keyed_{column}")
            tables += findings_tables(engine, self.rules, column, len(tables))
        engine.drop_table("payments")
        engine.create_table("payments", " UNION ALL ".join(
            f"SELECT * FROM keyed_{column}" for column in columns))
        return tables

    def detect_parquet(self, parts: Sequence[str],
                       filesystem: AbstractFileSystem | None = None) -> list[Signal]:
        """The same signals as :meth:`detect`, from Parquet parts of payments (the columnar
        store), with no Python object per payment: DuckDB reads the typed columns of ``parts``
        as the ``payments`` view, and only the findings' KYC columns come back to Python."""
        return [signal for _, signal in self.detect_parquet_scoped(parts, filesystem)]

    def detect_parquet_scoped(self, parts: Sequence[str],
                              filesystem: AbstractFileSystem | None = None,
                              keys: Mapping[str, Collection[str]] | None = None,
                              ) -> list[tuple[str, Signal]]:
        """:meth:`detect_parquet` with scopes; with ``keys`` (key -> values, e.g. the senders
        and beneficiaries of new payments) each rule sees only the payments the partitions of
        its key (:attr:`PaymentRule.history_key`) among them read: the whole history of those
        keys, read where it lies, so every finding of those keys is complete. Only the findings
        in those keys' scopes become signals (the history holds other accounts' findings too,
        and an incremental run keeps only these: 176,429 of 276,085 at 10M plus 30,000)."""
        return [found for batch in self.detect_parquet_batches(parts, filesystem, keys)
                for found in batch]

    def detect_parquet_batches(self, parts: Sequence[str],
                               filesystem: AbstractFileSystem | None = None,
                               keys: Mapping[str, Collection[str]] | None = None,
                               batch: int = FINDINGS_BATCH,
                               ) -> Iterator[list[tuple[str, Signal]]]:
        """:meth:`detect_parquet_scoped` a batch of findings at a time (signals built with the
        KYC identifiers of the batch's transactions), so a caller that stores each batch before
        taking the next holds one batch, not every finding (:mod:`vigil.payments.
        parquet_batches`)."""
        if not parts or (keys is not None and not any(keys.values())):
            return
        engine = DuckDBEngine(memory_limit=PARQUET_MEMORY_LIMIT)
        try:
            if keys is None:
                register_corridor_payments(engine, self.rules, parts, filesystem)
                tables = findings_tables(engine, self.rules)
            else:
                engine.register_parquet("stored_payments", parts, list(Payment.model_fields),
                                        filesystem)
                tables = self._keyed_tables(engine, keys)
            wanted = None if keys is None else scopes_of(keys)
            signals = self._signals
            for found in kyc_batches(engine, tables, batch):
                yield [(scope, signals.signal_with(rule, row, signals.kyc_refs(*kyc)))
                       for rule, row, kyc in found for scope in (scope_of(rule, row),)
                       if wanted is None or scope in wanted]
        finally:
            engine.close()

    def finding_signal(self, rule: RuleConfig, row: Mapping[str, Any],
                       kyc_by_txn: Mapping[str, set[EntityRef]]) -> Signal:
        """The signal of one finding row, as the batch path builds it (the inline scorer
        builds its signals here too, so the two agree byte for byte)."""
        return self._signals.signal(rule, row, kyc_by_txn)


__all__ = ["PaymentTypologyDetector", "payment_columns", "register_corridor_payments",
           "shared_corridor", "scope_of"]
