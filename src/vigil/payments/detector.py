"""The payments detector: runs the typology SQL on an engine and explains each finding.

A finding's subjects include the KYC phone numbers and e-mail addresses on its transactions, not
only the payment accounts, because those are what tie a bank's customer to a platform account seen
in chats or reports. Scores are the rule's weight times a strength that grows past the rule's
threshold and saturates, so one small remittance stays weak evidence (AUSTRAC: no single indicator
is enough) and a case is carried by several rules or other kinds of signal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Self, cast

from fsspec import AbstractFileSystem

from vigil.engines import DuckDBEngine, SqlEngine
from vigil.identifiers import EntityKind
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.payments.rule_base import Corridor
from vigil.payments.rules import PaymentRules, RuleConfig, load_rules
from vigil.payments.sql_parts import corridor_where
from vigil.plugin import DetectionContext, Detector, PluginTables
from vigil.records import Payment, Record, RecordKind, identifiers_of
from vigil.settings import Settings

_SHAPE_COLUMNS = {"senders", "beneficiaries", "txn_ids", "first_at", "last_at"}
_KYC_KINDS = {EntityKind.PHONE, EntityKind.EMAIL}


def _stats(rule: RuleConfig, row: Mapping[str, Any]) -> dict[str, JSONValue]:
    """The row's figures, rounded so the signal id does not depend on float summation order."""
    stats: dict[str, JSONValue] = {
        key: round(value, 4) if isinstance(value, float) else value
        for key, value in sorted(row.items()) if key not in _SHAPE_COLUMNS
    }
    stats.update(rule.rule.derived_stats(row))
    return stats


def _present(values: Sequence[str | None] | None) -> list[str]:
    return sorted({value for value in values or () if value is not None})


def payment_columns(payments: Sequence[Payment]) -> dict[str, list[Any]]:
    """Payments as the ``payments`` table the rule SQL reads: one column per record field."""
    return {name: [getattr(payment, name) for payment in payments]
            for name in Payment.model_fields}


_KYC_COLUMNS = (("sender_phone", EntityKind.PHONE), ("sender_email", EntityKind.EMAIL),
                ("beneficiary_phone", EntityKind.PHONE), ("beneficiary_email", EntityKind.EMAIL))


def _kyc_of(engine: DuckDBEngine, txn_ids: list[str]) -> dict[str, set[EntityRef]]:
    """``txn_id -> KYC phone and e-mail refs`` of ``txn_ids``, read from the ``payments`` view
    (the same fields :func:`~vigil.records.identifiers_of` reads from a payment)."""
    if not txn_ids:
        return {}
    columns = ", ".join(name for name, _ in _KYC_COLUMNS)
    rows = engine.query(f"SELECT txn_id, {columns} FROM payments "
                        "WHERE txn_id IN (SELECT UNNEST(CAST(? AS VARCHAR[])))", [txn_ids])
    kyc: dict[str, set[EntityRef]] = defaultdict(set)
    for row in rows:
        kyc[row["txn_id"]].update(EntityRef(kind, row[name]) for name, kind in _KYC_COLUMNS
                                  if row[name] is not None)
    return kyc


PARQUET_MEMORY_LIMIT = "2GB"
"""DuckDB's bound when the rules read the columnar store (it spills past it)."""


def shared_corridor(rules: PaymentRules) -> Corridor | None:
    """The corridor every enabled rule filters on, if they share one."""
    corridors = {rule.parameters.corridor for rule in rules.enabled()}
    return corridors.pop() if len(corridors) == 1 else None


def register_corridor_payments(engine: DuckDBEngine, rules: PaymentRules, parts: Sequence[str],
                               filesystem: AbstractFileSystem | None = None) -> None:
    """Table ``payments`` for the rules from the Parquet ``parts``: when the enabled rules share
    a corridor, only its payments, read from the parts once and kept (every rule filters on that
    corridor first, so each would otherwise scan every payment again); else a view of them all."""
    columns = list(Payment.model_fields)
    corridor = shared_corridor(rules)
    if corridor is None:
        engine.register_parquet("payments", parts, columns, filesystem)
        return
    engine.register_parquet("payment_parts", parts, columns, filesystem)
    engine.create_table("payments",
                        f"SELECT * FROM payment_parts WHERE {corridor_where(corridor)}")


class PaymentTypologyDetector(Detector):
    """OSEC typologies R1-R5 from a versioned rule pack, run as SQL on a pluggable engine."""

    name: ClassVar[str] = "payments.typologies"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = (
        "OSEC payment typologies R1-R5 (low-value corridor, prolific, fan-out, fan-in, "
        "escalation) with sources from AUSTRAC, AIC, AMLC, FATF and Westpac")
    consumes: ClassVar[RecordKind] = RecordKind.PAYMENT
    emits: ClassVar[SignalKind] = SignalKind.PAYMENT

    def __init__(self, rules: PaymentRules | None = None,
                 engine_factory: Callable[[], SqlEngine] = DuckDBEngine,
                 max_txn_ids: int = 50) -> None:
        self.rules = rules if rules is not None else load_rules()
        self._engine_factory = engine_factory
        self._max_txn_ids = max_txn_ids

    @classmethod
    def from_settings(cls, settings: Settings, registry: PluginTables | None = None) -> Self:
        """The pack ``settings.payment_rules`` names, run on the engine ``settings.engine`` names.

        Both are looked up in ``registry`` (the entry-point registry when ``None``), so a rule or
        engine a third party registers is the one used; unknown names list the known ones.
        """
        if registry is None:
            from vigil.registry import load_registry
            registry = load_registry()
        engine = registry.engine(settings.engine)
        return cls(rules=load_rules(settings.payment_rules, registry.payment_rules),
                   engine_factory=lambda: cast(SqlEngine, engine()))

    @classmethod
    def from_registry(cls, settings: Settings, registry: PluginTables) -> Self:
        return cls.from_settings(settings, registry)

    def detect(self, records: Iterable[Record], context: DetectionContext) -> Iterator[Signal]:
        """Run every enabled rule; the engine lives only for this call."""
        payments = [record for record in records if isinstance(record, Payment)]
        if not payments:
            return iter(())
        kyc: dict[str, set[EntityRef]] = defaultdict(set)
        for payment in payments:
            kyc[payment.txn_id].update(ref for ref in identifiers_of(payment)
                                       if ref.kind in _KYC_KINDS)
        engine = self._engine_factory()
        try:
            engine.register_table("payments", payment_columns(payments))
            found = [(rule, row) for rule in self.rules.enabled()
                     for row in engine.query(rule.rule.sql(rule.parameters))]
        finally:
            engine.close()
        return iter([self._signal(rule, row, kyc) for rule, row in found])

    def detect_parquet(self, parts: Sequence[str],
                       filesystem: AbstractFileSystem | None = None) -> list[Signal]:
        """The same signals as :meth:`detect`, from Parquet parts of payments (the columnar
        store), with no Python object per payment: DuckDB reads the typed columns of ``parts``
        as the ``payments`` view, and only the findings' KYC columns come back to Python. One
        rule's findings are held at a time (their signals built, then the rows let go)."""
        if not parts:
            return []
        engine = DuckDBEngine(memory_limit=PARQUET_MEMORY_LIMIT)
        signals: list[Signal] = []
        try:
            register_corridor_payments(engine, self.rules, parts, filesystem)
            for rule in self.rules.enabled():
                rows = engine.query(rule.rule.sql(rule.parameters))
                kyc = _kyc_of(engine, sorted({t for row in rows for t in _present(row["txn_ids"])}))
                signals += [self._signal(rule, row, kyc) for row in rows]
                del rows, kyc
        finally:
            engine.close()
        return signals

    def _signal(self, rule: RuleConfig, row: Mapping[str, Any],
                kyc_by_txn: Mapping[str, set[EntityRef]]) -> Signal:
        senders, beneficiaries = _present(row["senders"]), _present(row["beneficiaries"])
        txn_ids = _present(row["txn_ids"])
        accounts = {EntityRef(EntityKind.PAYMENT_ACCOUNT, account): "payee"
                    for account in beneficiaries}
        accounts.update({EntityRef(EntityKind.PAYMENT_ACCOUNT, account): "payer"
                         for account in senders})
        roles = {str(ref): role for ref, role in accounts.items()}
        kyc = {ref for txn_id in txn_ids for ref in kyc_by_txn.get(txn_id, ())}
        first_at: datetime = row["first_at"]
        last_at: datetime = row["last_at"]
        stats = _stats(rule, row)
        strength = rule.rule.strength(rule.parameters, stats)
        sentence = rule.rule.explain(rule.parameters, senders, beneficiaries, stats)
        evidence: dict[str, JSONValue] = {
            "rule": rule.id, "rule_name": rule.name, "source": rule.source,
            "rules_version": self.rules.version,
            "parameters": rule.parameters.model_dump(mode="json", exclude={"corridor"}),
            "txn_ids": txn_ids[: self._max_txn_ids], "txn_count": len(txn_ids),
            "first_at": first_at.isoformat(), "last_at": last_at.isoformat(),
            "stats": stats, "roles": roles,
        }
        explanation = (f"{sentence} "
                       f"({first_at:%Y-%m-%d} to {last_at:%Y-%m-%d}). Rule {rule.id} "
                       f"({rule.name}) draws on {rule.source}.")
        return Signal(
            source=self.name, kind=SignalKind.PAYMENT,
            subjects=(*accounts, *kyc),
            score=round(rule.weight * strength, 6), observed_at=last_at,
            evidence=evidence, explanation=explanation,
            detector_version=f"{self.version}+rules-{self.rules.version}",
        )


__all__ = ["PaymentTypologyDetector", "payment_columns", "register_corridor_payments",
           "shared_corridor"]
