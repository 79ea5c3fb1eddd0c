"""The typology score as signals: one per scored account, so the case queue ranks by it.

The rule detector (:mod:`vigil.payments.detector`) stores each rule's finding as its own signal;
taken one by one, a family's R5 (its allowance rising) or R15 (sisters abroad paying the same
parents) looks as strong as a buyer's. The typology score
(:func:`vigil.payments.typology.score_accounts`) is what separates them: a noisy-or of the rules
that fired for the account, discounted by its benign structure (kin sharing its surname, a steady
cadence to few payees, organisation payees), flagged only with two rules or more. This detector
runs it over the stored payments and emits, per scored account, a signal whose score is the
account's typology score and whose subject is the account alone (it joins the case of the rule
signals about the account, and links nothing new). Triage (:mod:`vigil.triage`) reads it: a
flagged score is a specific indicator, and the rule signals it combines no longer count as the
case's strongest signal one by one.

A score is about one sender and reads that sender's payments and, when a scored rule reads a
beneficiary's other senders (R15, keyed ``payer``), every payment to the beneficiaries it paid:
an incremental run rescores the senders new payments can change (theirs, and every sender of
their beneficiaries) from that history alone, and replaces their signals
(:mod:`vigil.payments.partition_keys`). With a scored rule without a key, every run rescores all.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import Any, ClassVar, Self

from vigil.checkpoints import FULL_SCOPE
from vigil.engines import DuckDBEngine, SqlEngine
from vigil.identifiers import EntityKind
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.payments.detector import PARQUET_MEMORY_LIMIT, pack_and_engine
from vigil.payments.pack_keys import account_key_columns, keep_account_names
from vigil.payments.pack_table import pack_rows_where, register_pack_payments
from vigil.payments.parquet_batches import FINDINGS_BATCH
from vigil.payments.partition_keys import (
    BENEFICIARY,
    PAYER,
    WANTED_KEYS,
    account_key,
    hub_rows_where,
    keyed_sql,
    register_keys,
    scopes_of,
)
from vigil.payments.payer_reach import beneficiary_profiles
from vigil.payments.payment_table import payment_columns
from vigil.payments.rules import PaymentRules, RuleConfig, load_rules
from vigil.payments.typology import (
    BUYER,
    TypologyConfig,
    TypologyScore,
    score_accounts,
    score_rows_where,
)
from vigil.plugin import DetectionContext, Detector, PluginTables
from vigil.records import Payment, Record, RecordKind
from vigil.settings import Settings

SCORE_SOURCE = "payments.typology_score"
"""The detector's name and its signals' source."""


def _last_sent(payments: Sequence[Payment]) -> dict[str, datetime]:
    """Each sender's latest payment time (a score signal is observed then)."""
    last: dict[str, datetime] = {}
    for payment in payments:
        if payment.sender not in last or payment.sent_at > last[payment.sender]:
            last[payment.sender] = payment.sent_at
    return last


def _explanation(score: TypologyScore, rules_version: str) -> str:
    rules = ", ".join(f"{e['id']} {float(str(e['contribution'])):.2f}" for e in score.rules)
    benign = float(str(score.benign.get("benign", 0.0))) if score.typology == BUYER else 0.0
    verdict = "flagged" if score.flagged else "not flagged"
    return (f"{score.account}'s payments score {score.score:.2f} as a {score.typology} "
            f"({verdict}; rules pack {rules_version}): noisy-or of {rules}"
            + (f", discounted for benign structure {benign:.2f}" if benign else "") + ".")


class TypologyScoreDetector(Detector):
    """One signal per account the typology score finds, scored by it (benign discount in)."""

    name: ClassVar[str] = SCORE_SOURCE
    version: ClassVar[str] = "1"
    description: ClassVar[str] = (
        "The typology score per payment account: the pack's rules combined by noisy-or, "
        "discounted by benign structure (kin, steady cadence, organisations); flagged with "
        "two rules or more (AUSTRAC: no single indicator is enough)")
    consumes: ClassVar[RecordKind] = RecordKind.PAYMENT
    emits: ClassVar[SignalKind] = SignalKind.PAYMENT

    def __init__(self, rules: PaymentRules | None = None,
                 engine_factory: Callable[[], SqlEngine] = DuckDBEngine,
                 config: TypologyConfig | None = None) -> None:
        self.rules = rules if rules is not None else load_rules()
        self._engine_factory = engine_factory
        self.config = config or TypologyConfig(with_features=False)

    @classmethod
    def from_settings(cls, settings: Settings, registry: PluginTables | None = None) -> Self:
        """The pack ``settings.payment_rules`` names, on the engine ``settings.engine`` names
        (both looked up in ``registry``; the entry-point registry when ``None``)."""
        rules, engine_factory = pack_and_engine(settings, registry)
        return cls(rules=rules, engine_factory=engine_factory)

    @classmethod
    def from_registry(cls, settings: Settings, registry: PluginTables) -> Self:
        return cls.from_settings(settings, registry)

    def detect(self, records: Iterable[Record], context: DetectionContext) -> Iterator[Signal]:
        payments = [record for record in records if isinstance(record, Payment)]
        if not payments:
            return iter(())
        engine = self._engine_factory()
        try:
            engine.register_table("payments", payment_columns(payments))
            scores = score_accounts(engine, self.rules, self.config)
        finally:
            engine.close()
        return iter(self._signals(scores, _last_sent(payments)))

    def _scored(self) -> list[RuleConfig]:
        scored = {*self.config.buyer_rules, *self.config.victim_rules}
        return [rule for rule in self.rules.enabled() if rule.id in scored]

    def partition_key(self) -> str | None:
        """The partition of the score's signals: ``sender``, ``payer`` (a scored rule reads
        the beneficiaries' other senders) or ``None`` (a scored rule may read any payment:
        every run scores in full); :func:`vigil.payments.partition_keys.account_key`."""
        return account_key(rule.rule.history_key for rule in self._scored())

    def hub_rows(self) -> str:
        """The payments through which the scored rules keyed by beneficiary or payer read a
        beneficiary (:func:`~vigil.payments.partition_keys.hub_rows_where`)."""
        return hub_rows_where(rule for rule in self._scored()
                              if rule.rule.history_key in (BENEFICIARY, PAYER))

    def beneficiary_profiles(self) -> tuple[str, ...] | None:
        """What the scored rules keyed ``payer`` read of a beneficiary; ``None`` when a scored
        rule is keyed ``beneficiary`` (its finding about any new payment's beneficiary scores
        every sender of it) or has no profile: :mod:`vigil.payments.payer_reach`."""
        scored = self._scored()
        if any(rule.rule.history_key == BENEFICIARY for rule in scored):
            return None
        return beneficiary_profiles(rule for rule in scored if rule.rule.history_key == PAYER)

    def partition_keys(self) -> tuple[str, ...] | None:
        """:meth:`partition_key` as the rule detector's keys (one, or ``None``)."""
        key = self.partition_key()
        return None if key is None else (key,)

    def scope_of(self, signal: Signal, key: str | None = None) -> str:
        """A score signal's scope: ``<partition key>:<account>`` (``*`` without a key);
        ``key``: the :meth:`partition_key` when the caller has it (one per batch of signals)."""
        key = key if key is not None else self.partition_key()
        return FULL_SCOPE if key is None else f"{key}:{signal.subjects[0].value}"

    def detect_parquet(self, parts: Sequence[str], filesystem: Any = None) -> list[Signal]:
        """The same signals as :meth:`detect`, from Parquet parts of payments (the columnar
        store), with no Python object per payment: DuckDB reads the rows the pack and the score
        read (:func:`vigil.payments.pack_table.register_pack_payments`), and each sender's latest
        payment time from the parts' two columns it needs."""
        return [signal for _, signal in self.detect_parquet_scoped(parts, filesystem)]

    def detect_parquet_scoped(self, parts: Sequence[str], filesystem: Any = None,
                              keys: Mapping[str, Collection[str]] | None = None,
                              ) -> list[tuple[str, Signal]]:
        """:meth:`detect_parquet` with scopes (:meth:`scope_of`); with ``keys`` (the
        :meth:`partition_key`'s accounts), only those accounts, scored from the history their
        partitions read (:func:`~vigil.payments.partition_keys.keyed_sql`)."""
        return [found for batch in self.detect_parquet_batches(parts, filesystem, keys)
                for found in batch]

    def detect_parquet_batches(self, parts: Sequence[str], filesystem: Any = None,
                               keys: Mapping[str, Collection[str]] | None = None,
                               batch: int = FINDINGS_BATCH,
                               ) -> Iterator[list[tuple[str, Signal]]]:
        """:meth:`detect_parquet_scoped` ``batch`` signals at a time, so a caller that stores
        each batch before taking the next never holds every signal (the scores, a few numbers
        per account, are computed first)."""
        if not parts or (keys is not None and not any(keys.values())):
            return
        engine = DuckDBEngine(memory_limit=PARQUET_MEMORY_LIMIT)
        try:
            times, keyed = self._register(engine, parts, filesystem, keys)
            scores = score_accounts(engine, self.rules, self.config, account_keys=keyed,
                                    only=self._wanted_sql(keys is not None))
            last: dict[str, datetime] = {row["sender"]: row["last"] for row in engine.query(
                self._last_sql(times, keys is not None))}
        finally:
            engine.close()
        key = self.partition_key()
        wanted = None if keys is None else scopes_of(keys)
        scoped = ((FULL_SCOPE if key is None else f"{key}:{score.account}", score)
                  for score in scores if score.score > 0 and score.account in last)
        # the scope is the one scope_of reads from the signal; unwanted scores (accounts the
        # keys' history holds but no key names) are left out before a signal is built
        kept = ((scope, score) for scope, score in scoped if wanted is None or scope in wanted)
        while found := list(islice(kept, batch)):
            yield [(scope, self._signal(score, last[score.account])) for scope, score in found]

    def _wanted_sql(self, keyed: bool) -> str | None:
        """When ``keyed``, a query of the accounts the wanted keys of the partition name: only
        they get signals (at 10M plus 30,000 the keys' history holds 273,473 senders for 30,239
        keys); else ``None``."""
        key = self.partition_key()
        if not keyed or key is None:
            return None
        return f"SELECT key_value FROM {WANTED_KEYS} WHERE key_column = '{key}'"

    def _last_sql(self, times: str, keyed: bool) -> str:
        """Each sender's latest payment time from table or view ``times`` (only the
        :meth:`_wanted_sql` senders', when ``keyed``)."""
        wanted = self._wanted_sql(keyed)
        where = "" if wanted is None else f" WHERE sender IN ({wanted})"
        return f"SELECT sender, max(sent_at) AS last FROM {times}{where} GROUP BY sender"

    def _register(self, engine: DuckDBEngine, parts: Sequence[str], filesystem: Any,
                  keys: Mapping[str, Collection[str]] | None) -> tuple[str, bool]:
        """Table ``payments`` for the score from ``parts`` (only the ``keys``' history, when
        given), its accounts keyed by integers (:mod:`vigil.payments.pack_keys`); returns the
        table or view holding every payment's sender and time, and whether the score may read
        the keys."""
        extra = score_rows_where(self.rules, self.config)
        if keys is None:
            keyed = register_pack_payments(engine, self.rules, parts, filesystem, extra=extra,
                                           account_keys=True)
            engine.register_parquet("sent_times", parts, ["sender", "sent_at"], filesystem)
            return "sent_times", keyed
        engine.register_parquet("stored_payments", parts, list(Payment.model_fields), filesystem)
        names = register_keys(engine, keys)
        engine.create_table("keyed", " UNION ".join(keyed_sql(key, hubs=self.hub_rows())
                                                    for key in names))
        where = pack_rows_where(self.rules, extra)
        engine.create_table("payments", f"SELECT *, {account_key_columns()} FROM keyed"
                            + (f" WHERE {where}" if where else ""))
        return "keyed", keep_account_names(engine)

    def _signals(self, scores: Sequence[TypologyScore], last: dict[str, datetime]) -> list[Signal]:
        """A signal per account with a positive score, observed at its latest payment."""
        return [self._signal(score, last[score.account]) for score in scores
                if score.score > 0 and score.account in last]

    def _signal(self, score: TypologyScore, observed_at: datetime) -> Signal:
        account = EntityRef(EntityKind.PAYMENT_ACCOUNT, score.account)
        evidence: dict[str, JSONValue] = {
            "typology": score.typology, "score": score.score, "flagged": score.flagged,
            "rules": [{"id": e["id"], "value": e["value"], "weight": e["weight"],
                       "contribution": e["contribution"]} for e in score.rules],
            "benign": score.benign, "rules_version": self.rules.version,
            "alert_threshold": self.config.alert_threshold if score.typology == BUYER
            else self.config.victim_threshold,
            "roles": {str(account): "payer"}}
        return Signal(source=self.name, kind=SignalKind.PAYMENT, subjects=(account,),
                      score=round(min(1.0, score.score), 6), observed_at=observed_at,
                      evidence=evidence, explanation=_explanation(score, self.rules.version),
                      detector_version=f"{self.version}+rules-{self.rules.version}")


__all__ = ["SCORE_SOURCE", "TypologyScoreDetector"]
