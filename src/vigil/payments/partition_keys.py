"""The keys payment findings are about, and the stored payments each key's findings read.

A rule's :attr:`~vigil.payments.rule_base.PaymentRule.history_key` names the partition of the
payments its findings are a function of, and so the scope of its signals in an incremental run
(:mod:`vigil.incremental`):

- ``sender``: a finding about one sender, from that sender's payments (R1-R3, R5-R8, R11,
  R12, R14, R16);
- ``beneficiary``: about one beneficiary, from that beneficiary's payments (R4);
- ``payer``: about one sender, from the sender's payments *and every payment to each
  beneficiary it paid* (R15: whether a beneficiary looks like a facilitator depends on its
  other senders).

New payments change the ``sender`` partitions of their senders, the ``beneficiary`` partitions
of their beneficiaries, and the ``payer`` partitions of their senders and of every stored sender
of their beneficiaries: a new payment S->B can make B facilitator-like, or end it, or raise its
count of unrelated senders, which changes the R15 finding of every sender of B. A ``payer``
partition is recomputed from its sender's payments and every payment to the beneficiaries it
paid: what R15's SQL reads for that sender, nothing more. On the Parquet path both steps go
only through the payments the payer-keyed rules read (:func:`hub_rows_where`: R15's corridor):
a payment outside them changes no other sender's finding. When every payer-keyed rule says what
its findings read of a beneficiary (its profile: :mod:`vigil.payments.payer_reach`), a stored
sender of B is reached only when the new payments change B's profile.

The typology score (:mod:`vigil.payments.score_detector`) is one signal per sender. Its
partition is ``sender`` when every rule it scores is keyed by sender; ``payer`` when one is keyed
by beneficiary or payer (a beneficiary's finding scores the beneficiary's senders); none when a
scored rule has no key (then every run scores in full). Nothing else in the score reads other
accounts: the benign profile and the features are per sender, and the combination is per
account (no rank, percentile or normalisation across accounts).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from vigil.engines import DuckDBEngine
from vigil.payments.pack_table import rule_rows_where
from vigil.payments.payer_reach import reached_senders_sql
from vigil.payments.payment_table import payment_columns
from vigil.payments.rules import RuleConfig
from vigil.records import Payment

SENDER, BENEFICIARY, PAYER = "sender", "beneficiary", "payer"

SCOPE_COLUMNS = {SENDER: "senders", BENEFICIARY: "beneficiaries", PAYER: "senders"}
"""The history keys an incremental run supports, with the finding column naming the key."""

Keys = dict[str, list[str]]
"""Key -> the values whose partitions a run recomputes (e.g. ``{"sender": [...]}``)."""


def partition_keys(keys: Iterable[str | None]) -> tuple[str, ...] | None:
    """The distinct ``keys`` in order, or ``None`` when one is not a supported key (a rule
    whose findings may depend on any payment)."""
    found = set(keys)
    if not found.issubset(SCOPE_COLUMNS):
        return None
    return tuple(sorted(k for k in found if k is not None))


def account_key(keys: Iterable[str | None]) -> str | None:
    """The partition of a per-sender score over rules keyed by ``keys`` (see the module
    note): ``sender``, ``payer``, or ``None``."""
    found = partition_keys(keys)
    if found is None:
        return None
    return SENDER if set(found) <= {SENDER} else PAYER


def arrived_keys(senders: Collection[str], beneficiaries: Collection[str],
                 wanted: Collection[str], senders_of: Callable[[set[str]], set[str]]) -> Keys:
    """The ``wanted`` keys' values new payments touch, from their ``senders`` and
    ``beneficiaries``; ``senders_of``: the stored senders of some beneficiaries (only asked
    when ``payer`` is wanted)."""
    keys: Keys = {}
    if SENDER in wanted:
        keys[SENDER] = sorted(senders)
    if BENEFICIARY in wanted:
        keys[BENEFICIARY] = sorted(beneficiaries)
    if PAYER in wanted:
        keys[PAYER] = sorted(set(senders) | senders_of(set(beneficiaries)))
    return keys


def scopes_of(keys: Mapping[str, Collection[str]]) -> set[str]:
    """The scopes (``<key>:<value>``) of ``keys``."""
    return {f"{key}:{value}" for key, values in keys.items() for value in values}


def hub_rows_where(rules: Iterable[RuleConfig]) -> str:
    """The payments through which ``rules`` (those reading beneficiaries' other senders) read
    a beneficiary: the rows some of them reads (:func:`~vigil.payments.pack_table.
    rule_rows_where`), or every payment (``TRUE``) when one may read any. A payment outside
    them changes none of their findings, and a sender is no payer of a beneficiary through it."""
    wheres = [rule_rows_where(rule) for rule in rules]
    if not wheres or any(where is None for where in wheres):
        return "TRUE"
    return " OR ".join(f"({where})" for where in dict.fromkeys(wheres))


def keyed_sql(key: str, source: str = "stored_payments", wanted: str = "wanted_keys",
              hubs: str = "TRUE") -> str:
    """The rows of ``source`` the partitions of ``key`` named in table ``wanted``
    (:func:`register_keys`) read: their whole history; for ``payer``, the payers' payments
    and the ``hubs`` rows (:func:`hub_rows_where`) to the beneficiaries they paid so."""
    values = f"SELECT key_value FROM {wanted} WHERE key_column = '{key}'"
    if key == PAYER:
        return (f"SELECT * FROM {source} WHERE sender IN ({values}) OR (({hubs}) AND "
                f"beneficiary IN (SELECT beneficiary FROM {source} WHERE sender IN ({values}) "
                f"AND ({hubs})))")
    return f"SELECT * FROM {source} WHERE {key} IN ({values})"


WANTED_KEYS = "wanted_keys"
"""The table :func:`register_keys` registers."""


def register_keys(engine: DuckDBEngine, keys: Mapping[str, Collection[str]]) -> list[str]:
    """Table :data:`WANTED_KEYS` (``key_column``, ``key_value``) of the supported ``keys``;
    returns those keys, in order."""
    names = sorted(key for key in keys if key in SCOPE_COLUMNS)
    engine.register_table(WANTED_KEYS, {
        "key_column": [key for key in names for _ in keys[key]],
        "key_value": [value for key in names for value in keys[key]]})
    return names


def keys_of_payments(stored: Sequence[Payment], arrived: Sequence[Payment],
                     wanted: Collection[str], profiles: Sequence[str] | None = None) -> Keys:
    """:func:`arrived_keys` of ``arrived`` payments among the ``stored`` ones (in memory; those
    stored before them are ``stored`` less ``arrived``); with ``profiles`` the stored senders
    of beneficiaries whose profile changed only (:mod:`vigil.payments.payer_reach`)."""
    def senders_of(beneficiaries: set[str]) -> set[str]:
        new = {id(p) for p in arrived}
        reached = [p for p in stored if p.beneficiary in beneficiaries and id(p) not in new]
        if profiles is None or not reached:
            return {p.sender for p in reached}
        engine = DuckDBEngine()
        try:
            engine.register_table("stored", payment_columns(reached))
            engine.register_table("arrived", payment_columns(arrived))
            return {row["v"] for row in engine.query(
                reached_senders_sql(profiles, "stored", "arrived"))}
        finally:
            engine.close()
    return arrived_keys({p.sender for p in arrived}, {p.beneficiary for p in arrived}, wanted,
                        senders_of)


def history_of(stored: Sequence[Payment], keys: Mapping[str, Collection[str]]) -> list[Payment]:
    """The ``stored`` payments the partitions of ``keys`` read, in store order (in memory:
    :func:`keyed_sql` for all the keys at once)."""
    payers = set(keys.get(PAYER, ()))
    senders = set(keys.get(SENDER, ())) | payers
    beneficiaries = set(keys.get(BENEFICIARY, ()))
    if payers:
        beneficiaries |= {p.beneficiary for p in stored if p.sender in payers}
    return [p for p in stored if p.sender in senders or p.beneficiary in beneficiaries]


def keys_of_parts(stored: Sequence[str], arrived: Sequence[str], wanted: Collection[str],
                  filesystem: object = None, hubs: str = "TRUE",
                  profiles: Sequence[str] | None = None) -> Keys:
    """:func:`arrived_keys` of the Parquet parts ``arrived`` among the ``stored`` parts (read
    where they lie); payers through the ``hubs`` rows only (:func:`hub_rows_where`): a new
    payment outside them changes no other sender's finding; with ``profiles``, through the
    beneficiaries whose profile changed only (:mod:`vigil.payments.payer_reach`)."""
    if not arrived:
        return {key: [] for key in wanted}
    engine = DuckDBEngine()
    try:
        columns = list(Payment.model_fields)
        engine.register_parquet("arrived", arrived, columns, filesystem)
        distinct = {column: {row["v"] for row in engine.query(
            f"SELECT DISTINCT {column} AS v FROM arrived WHERE {column} IS NOT NULL")}
            for column in (SENDER, BENEFICIARY)}

        def senders_of(_beneficiaries: set[str]) -> set[str]:  # the arrived's, in SQL here
            new = set(arrived)
            before = [part for part in stored if part not in new]
            if not before:
                return set()
            engine.register_parquet("stored", before, columns, filesystem)
            return {row["v"] for row in engine.query(
                reached_senders_sql(profiles, "stored", "arrived", hubs))}
        return arrived_keys(distinct[SENDER], distinct[BENEFICIARY], wanted, senders_of)
    finally:
        engine.close()


__all__ = ["BENEFICIARY", "PAYER", "SCOPE_COLUMNS", "SENDER", "Keys", "account_key",
           "arrived_keys", "history_of", "hub_rows_where", "keyed_sql", "keys_of_parts",
           "keys_of_payments", "partition_keys", "register_keys", "scopes_of", "WANTED_KEYS"]
