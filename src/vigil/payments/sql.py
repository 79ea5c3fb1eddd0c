"""What each payment typology computes, as pure functions from rule parameters to SQL text.

The functions live with their rules (:mod:`vigil.payments.rules`, one module per rule); this
module gathers them and answers "what SQL does this configured rule run".

Each function reads a ``payments`` table whose columns are the fields of
:class:`vigil.records.Payment` and returns one row per finding in a shared shape: ``senders``,
``beneficiaries`` and ``txn_ids`` (arrays, order unspecified, may hold a NULL), ``txn_count``,
``total_usd``, ``min_usd``, ``max_usd``, ``first_at``, ``last_at``, then the rule's own figures.
The SQL is standard SQL that Spark SQL 3.4+ also runs (``ARRAY_AGG``, ``PERCENTILE_CONT ...
WITHIN GROUP``); the one non-standard call is Spark's ``unix_seconds``, which
:mod:`vigil.engines` supplies elsewhere. Parameters are validated by pydantic before they get
here, and literals are still quoted, so the text is safe to run as it stands.
"""

from __future__ import annotations

from vigil.payments.rules import RuleConfig
from vigil.payments.rules.r1_low_value_corridor import low_value_corridor_sql
from vigil.payments.rules.r2_prolific_sender import prolific_sender_sql
from vigil.payments.rules.r3_fan_out import fan_out_sql
from vigil.payments.rules.r4_fan_in import fan_in_sql
from vigil.payments.rules.r5_escalation import escalation_sql


def rule_sql(rule: RuleConfig) -> str:
    """The SQL of any rule in a pack, written by the rule its id names."""
    return rule.rule.sql(rule.parameters)


__all__ = ["escalation_sql", "fan_in_sql", "fan_out_sql", "low_value_corridor_sql",
           "prolific_sender_sql", "rule_sql"]
