"""The pack's integer account keys (``vigil.payments.pack_keys``) give the score what the account
text gives: the same scores, benign figures, features and finding rows; two accounts on one key
turn the keys off; a keyed finding of several senders stops its query."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from tests.payments.helpers import LOOSE, PACK, small_world
from vigil.columnar.store import ColumnarRecords
from vigil.engines import DuckDBEngine, EngineError
from vigil.payments.benign_sql import benign_profile_sql
from vigil.payments.pack_keys import (
    keep_account_names,
    keyed_findings_sql,
    keyed_rows_sql,
    keyed_rule,
)
from vigil.payments.pack_table import register_pack_payments
from vigil.payments.rules import PaymentRules
from vigil.payments.typology import (
    TypologyConfig,
    TypologyScore,
    score_accounts,
    score_rows_where,
    score_sql,
)
from vigil.payments.typology_features import pack_features_sql
from vigil.records import RecordKind


def _parts(tmp_path: Path) -> list[str]:
    store = ColumnarRecords(tmp_path / "parts")
    store.add_records(small_world(tmp_path))
    return store.parts(RecordKind.PAYMENT)


def _scored(parts: list[str], pack: PaymentRules, keys: bool,
            only: list[str] | None = None) -> list[str]:
    config = TypologyConfig()
    with DuckDBEngine() as engine:
        keyed = register_pack_payments(engine, pack, parts, extra=score_rows_where(pack, config),
                                       account_keys=keys)
        assert keyed is keys
        wanted = None
        if only is not None:
            engine.register_table("wanted", {"name": only})
            wanted = "SELECT name FROM wanted"
        scores = score_accounts(engine, pack, config, account_keys=keyed, only=wanted)
    return [_line(score) for score in scores]


def _line(score: TypologyScore) -> str:
    return json.dumps({**score.to_json(), "features": dict(score.features)}, sort_keys=True)


def _same(rows: list[dict[str, Any]]) -> list[str]:
    """Rows in a comparable form: sorted, lists sorted, floats at 12 significant digits (a
    sum's last bit follows DuckDB's order of adding)."""
    def plain(value: Any) -> Any:
        if isinstance(value, float):
            return None if math.isnan(value) else float(f"{value:.12g}")
        if isinstance(value, list):
            return sorted((plain(v) for v in value), key=repr)
        return value
    return sorted(json.dumps({k: plain(v) for k, v in row.items()}, sort_keys=True, default=str)
                  for row in rows)


@pytest.mark.parametrize("pack", [PACK, LOOSE], ids=["default", "loosest"])
def test_keyed_scores_are_the_texts(tmp_path: Path, pack: PaymentRules) -> None:
    parts = _parts(tmp_path)
    keyed = _scored(parts, pack, keys=True)
    assert len(keyed) > 50
    assert keyed == _scored(parts, pack, keys=False)


@pytest.mark.parametrize("keys", [True, False], ids=["keyed", "text"])
@pytest.mark.parametrize("pack", [PACK, LOOSE], ids=["default", "loosest"])
def test_only_some_accounts_scored_as_among_all(tmp_path: Path, pack: PaymentRules,
                                                keys: bool) -> None:
    """``only`` scores the accounts it names exactly as the whole score does (their figures,
    entries and order), and no other."""
    parts = _parts(tmp_path)
    every = _scored(parts, pack, keys)
    accounts = sorted({json.loads(line)["account"] for line in every})
    chosen = accounts[::3]
    some = _scored(parts, pack, keys, only=chosen)
    assert 10 < len(some) < len(every)
    assert some == [line for line in every if json.loads(line)["account"] in set(chosen)]


@pytest.mark.parametrize("pack", [PACK, LOOSE], ids=["default", "loosest"])
def test_each_keyed_query_gives_the_texts_rows(tmp_path: Path, pack: PaymentRules) -> None:
    config = TypologyConfig()
    with DuckDBEngine() as engine:
        assert register_pack_payments(engine, pack, _parts(tmp_path),
                                      extra=score_rows_where(pack, config), account_keys=True)
        per_sender = [benign_profile_sql(pack.corridor, config.shape), pack_features_sql(pack)]
        for sql in per_sender:
            assert _same(engine.query(keyed_rows_sql(sql))) == _same(engine.query(sql))
        keyed = [rule for rule in pack.enabled() if keyed_rule(rule)]
        assert {rule.id for rule in keyed} == {"R1", "R2", "R3", "R5", "R6", "R7", "R8",
                                               "R12", "R16"}
        found = 0
        for rule in keyed:
            plain = engine.query(score_sql(rule))
            assert _same(engine.query(keyed_findings_sql(score_sql(rule)))) == _same(plain)
            found += len(plain)
        assert found > 0


def test_two_accounts_on_one_key_leave_the_text() -> None:
    with DuckDBEngine() as engine:  # a sender's key a beneficiary's, then two senders' keys
        engine.create_table("payments", "SELECT * FROM (VALUES ('a', 'b', 1, 1)) "
                            "t(sender, beneficiary, sender_key, beneficiary_key)")
        assert not keep_account_names(engine)
        engine.create_table("payments", "SELECT * FROM (VALUES ('a', 'b', 1, 2), "
                            "('c', 'b', 1, 2)) t(sender, beneficiary, sender_key, "
                            "beneficiary_key)")
        assert not keep_account_names(engine)


def test_a_keyed_finding_of_two_senders_stops_its_query() -> None:
    with DuckDBEngine() as engine:
        engine.create_table("payments", "SELECT * FROM (VALUES ('a', 'b', 1, 2), "
                            "('c', 'b', 3, 2)) t(sender, beneficiary, sender_key, "
                            "beneficiary_key)")
        assert keep_account_names(engine)
        by_payee = ("SELECT ARRAY_AGG(sender) AS senders, COUNT(*) AS txn_count "
                    "FROM payments GROUP BY beneficiary")
        with pytest.raises(EngineError):
            engine.query(keyed_findings_sql(by_payee))
        by_payer = by_payee.replace("GROUP BY beneficiary", "GROUP BY sender")
        assert _same(engine.query(keyed_findings_sql(by_payer))) == _same(
            [{"senders": ["a"], "txn_count": 1}, {"senders": ["c"], "txn_count": 1}])


def test_only_keeps_finding_rows_naming_a_wanted_sender_in_their_order() -> None:
    """Rows of one sender by that sender, rows of several when any is wanted, in the query's
    own order; per-sender rows by their sender."""
    from vigil.payments.typology import _only_rows

    findings = ("SELECT * FROM (VALUES (1, ['b']), (2, ['x', 'a']), (3, ['x']), (4, [NULL, 'a']), "
                "(5, ['a']), (6, [NULL])) t(n, senders) ORDER BY n DESC")
    per_sender = "SELECT * FROM (VALUES ('a', 1), ('x', 2)) t(sender, n)"
    with DuckDBEngine() as engine:
        engine.register_table("wanted", {"name": ["a", "b"]})
        benign, features, runs = _only_rows("SELECT name FROM wanted", per_sender,
                                            [per_sender], [findings], [None])
        assert [row["n"] for row in engine.query(str(runs[0]))] == [5, 4, 2, 1]
        assert [row["sender"] for row in engine.query(benign)] == ["a"]
        assert [row["sender"] for row in engine.query(features[0])] == ["a"]
