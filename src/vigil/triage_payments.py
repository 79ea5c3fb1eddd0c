"""Triage of payment findings when the case holds accounts' typology scores.

:mod:`vigil.payments.score_detector` stores each account's typology score (the pack's rules
combined by noisy-or and discounted by benign structure) as a signal. Triage reads it here: a
rule finding the payers' scores combine counts through those scores, not alone, as the case's
strongest signal; and a flagged buyer score is the payments' specific indicator, in place of
escalation (R5) alone. A case without typology scores is triaged from its rule findings as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from vigil.model import JSONValue, Signal, SignalKind


def _payers(signal: Signal) -> set[str]:
    roles = signal.evidence.get("roles", {})
    return {str(a) for a, role in roles.items() if role == "payer"} \
        if isinstance(roles, dict) else set()


def typology_scores(signals: Sequence[Signal]) -> dict[str, list[Signal]]:
    """payer account -> its typology score signals (:mod:`vigil.payments.score_detector`)."""
    found: dict[str, list[Signal]] = {}
    for signal in signals:
        if signal.kind is SignalKind.PAYMENT and "typology" in signal.evidence:
            for account in _payers(signal):
                found.setdefault(account, []).append(signal)
    return found


def combined_in_score(signal: Signal, scores: Mapping[str, list[Signal]]) -> bool:
    """Whether ``signal`` is a rule finding that its payers' typology scores all combine."""
    rule = signal.evidence.get("rule")
    payers = _payers(signal)
    if signal.kind is not SignalKind.PAYMENT or rule is None or not payers:
        return False
    return all(any(isinstance(e, dict) and e.get("id") == rule
                   for score in scores.get(payer, ()) for e in _listed(score, "rules"))
               for payer in payers)


def _listed(signal: Signal, key: str) -> list[JSONValue]:
    found = signal.evidence.get(key)
    return found if isinstance(found, list) else []


def flagged_buyers(signals: Sequence[Signal]) -> dict[str, Signal] | None:
    """payer account -> its flagged buyer typology score; ``None`` when no signal is a
    typology score (a run without :mod:`vigil.payments.score_detector`)."""
    scores = typology_scores(signals)
    if not scores:
        return None
    return {account: score for account, found in sorted(scores.items()) for score in found
            if score.evidence.get("typology") == "buyer" and score.evidence.get("flagged")}


def payment_indicators(signal: Signal, flagged: Mapping[str, Signal] | None,
                       ) -> Iterator[tuple[str, str]]:
    """The one payment indicator: escalation (R5) in a case without typology scores; with
    them, a flagged buyer score (two rules or more, benign structure discounted) and nothing
    for R5 alone, since families' allowances rise too and the score has weighed the escalation
    against the sender's benign structure."""
    if flagged is None:
        if signal.evidence.get("rule") == "R5":
            yield "escalation", "payments escalated in amount and frequency"
        return
    if signal.evidence.get("typology") == "buyer" and signal.evidence.get("flagged"):
        rules = [str(e.get("id")) for e in _listed(signal, "rules") if isinstance(e, dict)]
        yield "buyer_typology", (
            f"payments match the buyer typology (score {signal.score:.2f} from "
            f"{', '.join(rules)}, benign structure discounted)"
            + ("; they escalated in amount and frequency" if "R5" in rules else ""))


__all__ = ["combined_in_score", "flagged_buyers", "payment_indicators", "typology_scores"]
