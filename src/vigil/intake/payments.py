"""Payments taken in by the API, scored inline: the alerts go back in the intake's answer.

With ``VIGIL_INLINE_PAYMENTS`` on, the intake keeps one :class:`~vigil.payments.inline.InlineScorer`
per process, warm-started on first use from every stored payment (so a restart scores as before),
and each payment request's answer carries the accounts it left flagged. The findings are not
stored as signals here: the debounced run after the request (:mod:`vigil.intake.rerun`) stores
the same findings from the store, where a finding that later payments change is replaced.
Payments taken in by another worker process are not seen by this one's scorer until it starts
again; the run's cases are the authority.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace

from vigil.columnar.background import records_for_run
from vigil.identifiers import EntityKind
from vigil.model import EntityRef
from vigil.payments.inline import InlineScorer
from vigil.payments.rules import load_rules
from vigil.payments.typology_score import TypologyScore, ranked
from vigil.records import Payment, Record, RecordKind
from vigil.registry import Registry
from vigil.settings import Settings
from vigil.store.interfaces import Store


class IntakePaymentScoring:
    """The intake's inline scorer; thread-safe (one request scores at a time)."""

    def __init__(self, store: Store, settings: Settings, registry: Registry) -> None:
        self._store = store
        self._settings = settings
        self._rules = load_rules(settings.payment_rules, registry.payment_rules)
        self._scorer: InlineScorer | None = None
        self._lock = threading.Lock()

    def _warm(self) -> InlineScorer:
        scorer = InlineScorer(self._rules)
        stored = records_for_run(self._store, self._settings).records(RecordKind.PAYMENT)
        for payment in sorted((p for p in stored if isinstance(p, Payment)),
                              key=lambda p: (p.sent_at, p.txn_id)):
            scorer.score(payment)
        return scorer

    def alerts(self, records: Sequence[Record]) -> list[TypologyScore]:
        """The accounts the payments of ``records`` left flagged, each once per typology (its
        last score), named by entity reference (``payment_account:<provider>:<id>``)."""
        flagged: dict[tuple[str, str], TypologyScore] = {}
        with self._lock:
            if self._scorer is None:
                self._scorer = self._warm()
            for record in records:
                if isinstance(record, Payment):
                    for account in self._scorer.score(record).accounts:
                        flagged[(account.typology, account.account)] = account
        return [replace(a, account=str(EntityRef(EntityKind.PAYMENT_ACCOUNT, a.account)))
                for a in ranked(a for a in flagged.values() if a.flagged)]


__all__ = ["IntakePaymentScoring"]
