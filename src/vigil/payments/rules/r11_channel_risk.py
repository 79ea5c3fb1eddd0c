"""R11: channel risk, corridor payments through online remitters, P2P wallets or gift cards.

Source: Egmont 2020, Nottingham Rights Lab, FATF 2025, AUSTRAC v Westpac (LitePay). Most honest
remittances use the same channels, so this is context, weighted lowest of all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from vigil.payments.rule_base import PaymentRule, PositiveFloat, RuleParameters, Text
from vigil.payments.share_incremental import MarkedShareIncremental
from vigil.payments.share_sql import marked_share_sql
from vigil.payments.sql_parts import number, quoted_text
from vigil.records import Payment


class ChannelRiskParams(RuleParameters):
    """R11: ``min_share`` of low-value corridor payments through a named channel."""

    channels: tuple[Text, ...] = Field(min_length=1)
    max_amount_usd: PositiveFloat
    min_marked: int = Field(ge=1)
    min_share: float = Field(gt=0, le=1)


def channel_risk_sql(params: ChannelRiskParams, for_score: bool = False) -> str:
    names = ", ".join(quoted_text(c.lower()) for c in params.channels)
    provider = "LOWER(c.sender)"
    mark = (f"(LOWER(c.channel) IN ({names}) OR "
            f"SUBSTRING({provider}, 1, POSITION(':' IN {provider}) - 1) IN ({names}))")
    return marked_share_sql(params.corridor, mark, params.min_marked, params.min_share,
                            f"amount_usd <= {number(params.max_amount_usd)}",
                            for_score=for_score)


def _provider(account: str) -> str:
    """``SUBSTRING(LOWER(account), 1, POSITION(':' IN LOWER(account)) - 1)``: the part before
    the first colon (an account is ``provider:id``; none without a colon)."""
    lowered = account.lower()
    colon = lowered.find(":")
    return lowered[:colon] if colon > 0 else ""


class ChannelRiskIncremental(MarkedShareIncremental[ChannelRiskParams]):
    """R11 one payment at a time: the channel or the sender's provider is a named one."""

    def __init__(self, params: ChannelRiskParams) -> None:
        super().__init__(params)
        self._names = frozenset(c.lower() for c in params.channels)

    def marked(self, payment: Payment) -> bool:
        return payment.channel.lower() in self._names or _provider(payment.sender) in self._names


class ChannelRisk(PaymentRule[ChannelRiskParams]):
    """R11: strength is the share through the risky channels."""

    name = "R11"
    description = "low-value corridor payments through online remitters and P2P channels"
    citation = "Egmont 2020, Nottingham Rights Lab, FATF 2025, AUSTRAC v Westpac"
    parameters_type = ChannelRiskParams
    corridor_only = True
    history_key = "sender"
    score_figures = ("marked_share",)
    incremental = ChannelRiskIncremental

    def sql(self, params: ChannelRiskParams) -> str:
        return channel_risk_sql(params)

    def score_sql(self, params: ChannelRiskParams) -> str:
        return channel_risk_sql(params, for_score=True)

    def strength(self, params: ChannelRiskParams, stats: Mapping[str, Any]) -> float:
        return float(stats["marked_share"])

    def explain(self, params: ChannelRiskParams, senders: list[str], beneficiaries: list[str],
                stats: Mapping[str, Any]) -> str:
        return (f"{', '.join(senders)} sent {stats['marked_payments']} of "
                f"{stats['corridor_payments']} low-value corridor payments through online "
                f"remitters or P2P channels")
