"""Integer account keys for the pack's shared table on DuckDB: the score's queries sort and group
by a 64-bit key instead of the account text, and the text comes back only on their outputs.

Most of the pack's SQL partitions, groups and joins by ``sender`` or ``beneficiary`` (the
per-sender windows of the features, the benign shapes and R5; the hub windows of R3 and R4; the
marked shares' groups). On the shared table of :func:`~vigil.payments.pack_table.
register_pack_payments`, each account also gets a key, DuckDB's ``hash`` of its text, computed
while the parts are scanned (two columns, no join), and the keys are used only when no two
accounts of the table share one (checked once: as many distinct keys as accounts in
``account_names``; otherwise the queries read the text as before). A query keyed here reads
``payments`` with the keys in place of the text (a CTE of the same name over the table, so the
rule's SQL is not changed) and has its ``sender`` or ``senders`` turned back into text by a
join to ``account_names`` (each account's key and text): the same rows as over the text, in
another order (the score reads them keyed by account, not in order).

Only queries that read accounts as identities are keyed (:data:`KEYED_RULES`, the benign shapes
without an allow-list, the features): R11 reads the sender's provider from its text, R14 and
R15 compare accounts to lists, and a plug-in rule may do anything, so those read the text. Each
keyed rule gives one sender per finding (it groups by sender), which is how its ``senders`` is
turned back (a finding of another count stops the query). DuckDB only: Spark's hashes are
other functions, and its queries read the text.
"""

from __future__ import annotations

from typing import Any

from vigil.payments.benign_sql import BenignShape
from vigil.payments.rules import RuleConfig
from vigil.payments.rules.r1_low_value_corridor import LowValueCorridor
from vigil.payments.rules.r2_prolific_sender import ProlificSender
from vigil.payments.rules.r3_fan_out import FanOut
from vigil.payments.rules.r5_escalation import Escalation
from vigil.payments.rules.r6_cover_story import CoverStory
from vigil.payments.rules.r7_time_of_day import TimeOfDay
from vigil.payments.rules.r8_even_amounts import EvenAmounts
from vigil.payments.rules.r12_no_family_ties import NoFamilyTies
from vigil.payments.rules.r16_sextortion_victim import SextortionVictim

KEYED_RULES: frozenset[type[Any]] = frozenset({
    LowValueCorridor, ProlificSender, FanOut, Escalation, CoverStory, TimeOfDay, EvenAmounts,
    NoFamilyTies, SextortionVictim})
"""The built-in rules (exactly these classes) whose SQL reads accounts only as identities and
groups its findings by sender (R4 groups by beneficiary: its senders are many; counted keyed,
:func:`keyed_sql`, by the benchmark, which reads none of them)."""

KEY_COLUMNS = ("sender_key", "beneficiary_key")


def account_key_columns() -> str:
    """The shared table's key columns, as a SELECT list (NULL for a NULL account)."""
    return ", ".join(f"CASE WHEN {column} IS NOT NULL THEN hash({column}) END AS {column}_key"
                     for column in ("sender", "beneficiary"))


_ACCOUNT_NAMES = """SELECT account_key, account
FROM (SELECT sender_key AS account_key, sender AS account FROM payments
      UNION SELECT beneficiary_key, beneficiary FROM payments) a"""


def keep_account_names(engine: Any) -> bool:
    """Table ``account_names`` (each account's key and text, senders and beneficiaries) when no
    two accounts of the shared ``payments`` table share a key (as many keys as accounts);
    whether they do not (the keys may be used)."""
    engine.create_table("account_names", _ACCOUNT_NAMES)
    counted = engine.query("SELECT COUNT(account) AS accounts, COUNT(DISTINCT account_key) "
                           "AS account_keys FROM account_names")[0]
    if counted["accounts"] != counted["account_keys"]:
        engine.drop_table("account_names")
        return False
    return True


_KEYED_PAYMENTS = ("WITH payments AS NOT MATERIALIZED (SELECT * EXCLUDE (sender_key, "
                   "beneficiary_key) REPLACE (sender_key AS sender, beneficiary_key AS "
                   "beneficiary) FROM payments)\n")


def keyed_sql(sql: str) -> str:
    """``sql`` over the keyed ``payments`` (its accounts' text not turned back: a count)."""
    return _KEYED_PAYMENTS + f"SELECT * FROM ({sql}) keyed"


def keyed_rows_sql(sql: str) -> str:
    """``sql`` (rows with a ``sender``: the benign shapes, the features) over the keyed
    ``payments``, each ``sender`` turned back into its text."""
    return (_KEYED_PAYMENTS + f"SELECT q.* REPLACE (a.account AS sender) FROM ({sql}) q\n"
            "LEFT JOIN account_names a ON a.account_key = q.sender")


def keyed_findings_sql(sql: str) -> str:
    """``sql`` (finding rows, one sender each) over the keyed ``payments``, ``senders`` turned
    back into text."""
    return (_KEYED_PAYMENTS + "SELECT q.* REPLACE (CASE WHEN len(q.senders) = 1 THEN "
            "[a.account] ELSE error('a keyed finding has one sender') END AS senders)\n"
            f"FROM ({sql}) q LEFT JOIN account_names a ON a.account_key = q.senders[1]")


def keyed_rule(rule: RuleConfig) -> bool:
    """Whether ``rule``'s queries may read the keys (:data:`KEYED_RULES`)."""
    return type(rule.rule) in KEYED_RULES


def keyed_shape(shape: BenignShape) -> bool:
    """Whether the benign shapes may read the keys (no allow-list of accounts)."""
    return not shape.allow_list


__all__ = ["KEYED_RULES", "KEY_COLUMNS", "account_key_columns", "keep_account_names",
           "keyed_findings_sql", "keyed_rows_sql", "keyed_rule", "keyed_shape", "keyed_sql"]
