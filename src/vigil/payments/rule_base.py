"""What a payment rule is: one object with its parameters, SQL, strength and explanation.

Modelled on python-threatexchange's one-small-base-class-per-plug-in (``signal_base.py``): a new
typology is one module under :mod:`vigil.payments.rules` holding a parameters model and a
:class:`PaymentRule` subclass, registered by its stable id (``R1`` ...) in
:data:`vigil.payments.rules.PAYMENT_RULES` or through the plug-in registry's ``payment rule``
kind. The detector only loops over the configured rules and asks each one; it knows none by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from vigil.model import JSONValue
from vigil.records import Payment

Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
PositiveFloat = Annotated[float, Field(gt=0)]
Text = Annotated[str, Field(min_length=1)]


class Frozen(BaseModel):
    """Configuration is frozen and refuses unknown fields, so a typo is an error, not a default."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Corridor(Frozen):
    """Consumer-side and high-risk beneficiary-side countries; shared by every rule by default."""

    consumer_countries: tuple[Country, ...] = Field(min_length=1)
    high_risk_countries: tuple[Country, ...] = Field(min_length=1)
    individuals_only: bool = True
    source: Text


class RuleParameters(Frozen):
    """Parameters every rule has: the corridor (the pack's unless the rule names its own)."""

    corridor: Corridor


P = TypeVar("P", bound=RuleParameters)


def beyond(value: float, threshold: float) -> float:
    """0.5 at the threshold, 0.75 at twice it, approaching 1: strength of a rule that fired."""
    return min(1.0, max(0.0, 1.0 - threshold / (2.0 * value))) if value > 0 else 0.0


class PaymentRule(ABC, Generic[P]):
    """One payment typology: parameters model, SQL, strength in [0, 1] and a sentence.

    ``name`` is the rule's stable id (``R1`` ...), the ``id`` a rule pack names it by; the pack
    supplies the tunable parts (thresholds, weight, the source of each threshold). ``citation``
    names where the typology itself comes from.
    """

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    citation: ClassVar[str] = ""
    parameters_type: ClassVar[type[RuleParameters]]
    history_key: ClassVar[str | None] = None
    """The key a finding is a function of (``"sender"``: the rule groups by sender and reads
    only that sender's payments; ``"beneficiary"``; ``"payer"``: by sender, reading also every
    payment to the beneficiaries the sender paid, as R15), so an incremental run recomputes it
    from the whole history of the keys new payments touch only (:mod:`vigil.payments.
    partition_keys`, :mod:`vigil.incremental`). ``None``: a finding may depend on any payment,
    and every run recomputes the rule in full."""

    @abstractmethod
    def sql(self, params: P) -> str:
        """The rule's query over the ``payments`` table (see :mod:`vigil.payments.sql`)."""

    @abstractmethod
    def strength(self, params: P, stats: Mapping[str, Any]) -> float:
        """How far past its thresholds one finding is, in [0, 1]; the weight scales it."""

    @abstractmethod
    def explain(self, params: P, senders: list[str], beneficiaries: list[str],
                stats: Mapping[str, Any]) -> str:
        """The first sentence of an explanation: what the accounts did, in the rule's terms."""

    corridor_only: ClassVar[bool] = False
    """True when the SQL reads only payments of ``params.corridor`` (it filters on
    :func:`~vigil.payments.sql_parts.corridor_where` before anything else), so a shared scan
    may hand it those alone (:mod:`vigil.payments.pack_table`)."""

    def score_sql(self, params: P) -> str | None:
        """The rule's findings as the typology score reads them
        (:func:`vigil.payments.typology.score_sql`), or ``None`` (the default): the score then
        reads :meth:`sql` less the columns it never reads. A rule gives one when a cheaper query
        yields, finding for finding and in the same order, the same ``senders``, ``txn_count``
        and figures its :meth:`strength` and :meth:`derived_stats` read (a test holds every
        built-in form to this)."""
        return None

    def beneficiary_profile_sql(self, params: P) -> str | None:
        """For a rule keyed ``payer``: everything a payer's finding reads of a beneficiary it
        paid, as a query over ``payments`` with one row (``beneficiary``, ``profile``) per
        beneficiary whose ``profile`` is not NULL (none: the same as NULL), so that a new
        payment to a beneficiary whose profile it leaves changes no other payer's finding
        (:mod:`vigil.payments.payer_reach`). ``None`` (the default): unknown, and every
        stored sender of a beneficiary new payments reach is recomputed."""
        return None

    def rows_read(self, params: P) -> str | None:
        """A predicate over ``payments`` columns true of every row the SQL reads, for a rule that
        is not :attr:`corridor_only`; ``None`` (the default): it may read any payment."""
        return None

    score_figures: ClassVar[tuple[str, ...] | None] = None
    """The finding columns besides ``txn_count`` that :meth:`strength` and
    :meth:`derived_stats` read, so the typology score makes one contribution per distinct
    value of them (:mod:`vigil.payments.typology_columns`; a test holds every built-in rule to
    its list); ``None`` (the default): they may read any column but ``senders``."""

    def derived_stats(self, row: Mapping[str, Any]) -> dict[str, JSONValue]:
        """Figures computed from a result row in Python (ratios); none by default."""
        return {}

    incremental: ClassVar[type[IncrementalRule[Any]] | None] = None
    """The rule's incremental form, for the inline scorer (:mod:`vigil.payments.inline`);
    ``None``: the rule is batch-only."""


class IncrementalRule(ABC, Generic[P]):
    """A rule's state over the payments seen so far, one payment at a time, keyed by ``key``.

    The contract is the batch rule's: after any set of payments, in any order of arrival,
    :meth:`finding` for a key returns the row the rule's SQL returns for that key over the same
    payments (``None`` where the SQL returns none), so the signal built from it is the batch
    signal (a hypothesis test holds every form to this).
    """

    key: ClassVar[str] = "sender"

    def __init__(self, params: P) -> None:
        self.params = params

    @abstractmethod
    def add(self, payment: Payment) -> tuple[str, ...]:
        """Take one payment; the keys whose finding may have changed (none: not this rule's
        payment). Most forms answer one key; R15's answers every payer of a beneficiary whose
        profile the payment changed."""

    @abstractmethod
    def finding(self, key: str) -> dict[str, Any] | None:
        """The SQL's row for ``key`` over every payment taken, or ``None`` when it has none."""


__all__ = ["Corridor", "Country", "Frozen", "IncrementalRule", "PaymentRule", "PositiveFloat",
           "RuleParameters", "Text", "beyond"]
