"""The human gate: the one function every outbound path asks before a case leaves vigil.

Rule (docs/exports.md, "The human gate"):

1. A case whose standing decision (the last confirmation or dismissal audited) is a dismissal
   never leaves.
2. A case with a standing confirmation leaves if the confirmation saw every signal the case now
   holds. A signal added after the person looked is something nobody has judged, so the case
   must be confirmed again, unless the new signals are themselves known-hash matches.
3. A case with no decision leaves only if it is a *known-hash match only* case.

*Known-hash match only* means: the case has at least one signal, and every signal is a media
signal (``SignalKind.MEDIA``) from a hash-matching source (:data:`HASH_MATCH_SOURCES`) whose
evidence names the bank it matched, and every bank it names is a positive bank. vigil's media
detectors emit a signal only for a match against a positive bank that no negative bank or flood
rule suppressed (:mod:`vigil.media.banks.policy`), and the evidence keeps the banks it matched, so
this is read from the case itself. A conversation, payment or report signal, or a media signal
without a bank, makes the case need a person.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from vigil.confirmation import Confirmation, latest_decision
from vigil.model import Case, Signal, SignalKind

HASH_MATCH_SOURCES = frozenset({"media.hash_match", "monitor.stream"})
"""Signal sources that report a match against a bank of known material, and nothing else."""


@dataclass(frozen=True)
class Decision:
    """Whether a case may leave, why (one sentence), and the confirmation that allowed it."""

    allowed: bool
    reason: str
    confirmation: Confirmation | None = None


class OutboundRefusedError(PermissionError):
    """Cases the gate kept in; :attr:`refused` maps each case id to the gate's reason."""

    def __init__(self, refused: dict[str, str]) -> None:
        super().__init__(refused)
        self.refused = dict(refused)

    def __str__(self) -> str:
        lines = [f"{case_id}: {reason}" for case_id, reason in self.refused.items()]
        return "nothing exported; the human gate refused: " + "; ".join(lines)


def _banks_named(signal: Signal) -> list[str]:
    banks = [signal.evidence.get("bank")]
    matches = signal.evidence.get("matches")
    if isinstance(matches, list):
        banks += [m.get("bank") for m in matches if isinstance(m, dict)]
    return [str(b) for b in banks if b]


def is_known_hash_signal(signal: Signal, negative_banks: Collection[str] = ()) -> bool:
    """A media signal from a hash matcher naming at least one bank, none of them negative."""
    if signal.kind is not SignalKind.MEDIA or signal.source not in HASH_MATCH_SOURCES:
        return False
    banks = _banks_named(signal)
    return bool(banks) and not any(b in negative_banks for b in banks)


def is_known_hash_only(case: Case, negative_banks: Collection[str] = ()) -> bool:
    """Every signal of ``case`` is a known-hash match (see the module note); none is empty."""
    return bool(case.signals) and all(is_known_hash_signal(s, negative_banks)
                                      for s in case.signals)


def outbound_allowed(case: Case, confirmations: Sequence[Confirmation],
                     negative_banks: Collection[str] = ()) -> Decision:
    """May ``case`` leave vigil? ``confirmations``: the decisions on it, in audit order."""
    mine = [c for c in confirmations if c.case_id == case.id]
    standing = latest_decision(mine)
    if standing is not None and not standing.confirmed:
        return Decision(False, f"dismissed by {standing.actor} ({standing.justification})")
    if standing is not None:
        unseen = [s for s in case.signals if s.id not in standing.signal_ids
                  and not is_known_hash_signal(s, negative_banks)]
        if not unseen:
            return Decision(True, f"confirmed by {standing.actor} ({standing.role})", standing)
        return Decision(False, f"{len(unseen)} signal(s) arrived after {standing.actor}'s "
                               "confirmation; confirm the case again")
    if is_known_hash_only(case, negative_banks):
        return Decision(True, "known-hash match only (every signal matches a positive bank)")
    return Decision(False, "no confirmation on record; 'vigil cases confirm' records one")


def require_outbound(cases: Sequence[Case], confirmations: Sequence[Confirmation],
                     negative_banks: Collection[str] = ()) -> dict[str, Decision]:
    """The gate's decision for every case, or :class:`OutboundRefusedError` naming each refused
    one: one refusal stops the whole batch, so no artefact ever holds an unconfirmed case."""
    decided = {c.id: outbound_allowed(c, confirmations, negative_banks) for c in cases}
    refused = {case_id: d.reason for case_id, d in decided.items() if not d.allowed}
    if refused:
        raise OutboundRefusedError(refused)
    return decided
