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

A score depends on other senders' payments (R15 reads the beneficiary's other senders), so the
detector is not partitioned: every run recomputes it over all stored payments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, ClassVar, Self

from vigil.engines import DuckDBEngine, SqlEngine
from vigil.identifiers import EntityKind
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.payments.detector import PARQUET_MEMORY_LIMIT, pack_and_engine
from vigil.payments.pack_table import register_pack_payments
from vigil.payments.payment_table import payment_columns
from vigil.payments.rules import PaymentRules, load_rules
from vigil.payments.typology import (
    BUYER,
    AccountScore,
    TypologyConfig,
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


def _explanation(score: AccountScore, rules_version: str) -> str:
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

    def detect_parquet(self, parts: Sequence[str], filesystem: Any = None) -> list[Signal]:
        """The same signals as :meth:`detect`, from Parquet parts of payments (the columnar
        store), with no Python object per payment: DuckDB reads the rows the pack and the score
        read (:func:`vigil.payments.pack_table.register_pack_payments`), and each sender's latest
        payment time from the parts' two columns it needs."""
        if not parts:
            return []
        engine = DuckDBEngine(memory_limit=PARQUET_MEMORY_LIMIT)
        try:
            register_pack_payments(engine, self.rules, parts, filesystem,
                                   extra=score_rows_where(self.rules, self.config))
            scores = score_accounts(engine, self.rules, self.config)
            engine.register_parquet("sent_times", parts, ["sender", "sent_at"], filesystem)
            last: dict[str, datetime] = {row["sender"]: row["last"] for row in engine.query(
                "SELECT sender, max(sent_at) AS last FROM sent_times GROUP BY sender")}
        finally:
            engine.close()
        return self._signals(scores, last)

    def _signals(self, scores: Sequence[AccountScore], last: dict[str, datetime]) -> list[Signal]:
        """A signal per account with a positive score, observed at its latest payment."""
        return [self._signal(score, last[score.account]) for score in scores
                if score.score > 0 and score.account in last]

    def _signal(self, score: AccountScore, observed_at: datetime) -> Signal:
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
