"""The error ledger: per detector and version, how often a person found it right or wrong.

Regulation (EU) 2021/1232, Art. 3(1)(e) and 3(1)(g)(vii), asks providers that scan voluntarily to
keep error rates as low as possible and to publish, each year, the number and ratios of errors
(false positives) of the technologies they use. vigil's figure is read from its own decisions:
each confirmation names every detector and version that contributed a signal to the case
(:mod:`vigil.confirmation`), so

- a case whose standing decision is a confirmation counts one *true positive* for each of them;
- a case whose standing decision is a dismissal counts one *false positive* for each of them.

Only the standing decision of a case counts (a later dismissal withdraws a confirmation), so a
case decided twice is not counted twice. Cases nobody decided are not in the ledger: they are
neither right nor wrong yet.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from vigil.confirmation import Confirmation, decisions, latest_decision
from vigil.store.interfaces import AuditStore


@dataclass(frozen=True)
class LedgerRow:
    """One detector version's confirmed true and false positives."""

    detector: str
    version: str
    true_positives: int
    false_positives: int

    @property
    def decided(self) -> int:
        return self.true_positives + self.false_positives

    @property
    def precision(self) -> float | None:
        """True positives over decided cases; ``None`` before any decision."""
        return self.true_positives / self.decided if self.decided else None


def error_ledger(audit: AuditStore) -> list[LedgerRow]:
    """Rows sorted by detector and version, from the standing decision of every decided case."""
    by_case: dict[str, list[Confirmation]] = {}
    for record in decisions(audit):
        by_case.setdefault(record.case_id, []).append(record)
    right: Counter[tuple[str, str]] = Counter()
    wrong: Counter[tuple[str, str]] = Counter()
    for records in by_case.values():
        standing = latest_decision(records)
        if standing is None:
            continue
        (right if standing.confirmed else wrong).update(standing.detectors)
    keys = sorted(set(right) | set(wrong))
    return [LedgerRow(name, version, right[(name, version)], wrong[(name, version)])
            for name, version in keys]
