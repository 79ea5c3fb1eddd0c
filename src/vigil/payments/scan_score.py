"""The scan's ranking: the typology score, each rule it counts carried by the signal behind it.

:func:`vigil.payments.typology.score_accounts` ranks the accounts (noisy-or of the rules'
contributions, discounted by benign structure, two rules or more to alert, sextortion victims as
their own typology; the figures in docs/payments.md were measured with it). This module runs it
on the scanned payments and dresses each scored rule with the stored signal of that rule about
the account (its strength, explanation, signal id and transactions), so the scan's JSON, its
table and the SAR/STR drafts show the same evidence the case queue holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from vigil.engines import SqlEngine
from vigil.identifiers import EntityKind
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.payments.account_score import AccountScore, AlertPolicy, RuleHit, rule_hit
from vigil.payments.rules import PaymentRules
from vigil.payments.typology import Found, TypologyConfig, score_accounts


def signal_hits(signals: Iterable[Signal], rules: PaymentRules) -> dict[tuple[str, str], RuleHit]:
    """``(rule id, account ref) -> the strongest hit`` of the rule signals naming the account."""
    best: dict[tuple[str, str], RuleHit] = {}
    for signal in signals:
        if signal.kind is not SignalKind.PAYMENT or "rule" not in signal.evidence:
            continue
        hit = rule_hit(signal, rules)
        for ref in signal.subjects:
            if ref.kind is EntityKind.PAYMENT_ACCOUNT:
                key = (hit.id, str(ref))
                if key not in best or hit.value > best[key].value:
                    best[key] = hit
    return best


def _hit(entry: Mapping[str, JSONValue], account: str,
         hits: Mapping[tuple[str, str], RuleHit]) -> RuleHit:
    found = hits.get((str(entry["id"]), account))
    if found is not None:
        return found
    return RuleHit(id=str(entry["id"]), value=float(str(entry["value"])),
                   weight=float(str(entry["weight"])), source=str(entry["source"]),
                   explanation="", signal_id="", txn_ids=())


def typology_ranking(found: Found, signals: Sequence[Signal], rules: PaymentRules,
                     engine: SqlEngine, policy: AlertPolicy | None = None) -> list[AccountScore]:
    """Every account the typology score found among the engine's ``payments``, highest first,
    one entry per account (its higher typology); ``found``: the rules' findings there (the
    signals' rows, so no rule runs twice); ``policy`` overrides the score's threshold and rule
    count."""
    config = TypologyConfig() if policy is None else TypologyConfig(
        alert_threshold=policy.threshold, min_rules=policy.min_rules)
    hits = signal_hits(signals, rules)
    ranked: dict[str, AccountScore] = {}
    for score in score_accounts(engine, rules, config, found):
        account = str(EntityRef(EntityKind.PAYMENT_ACCOUNT, score.account))
        if account in ranked:
            continue  # a lower-scored second typology of the same account
        kept = tuple(_hit(entry, account, hits) for entry in score.rules)
        ranked[account] = AccountScore(account, score.score, score.flagged, kept)
    return list(ranked.values())


__all__ = ["signal_hits", "typology_ranking"]
