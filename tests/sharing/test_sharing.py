"""Two organisations find exactly the identifiers they share, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.core.factories import T0
from tests.exporters.cases import as_case, sig
from vigil.cli.main import app
from vigil.confirmation import confirm_case
from vigil.linking import LinkingConfig
from vigil.model import SignalKind
from vigil.pipeline import PipelineConfig, run_pipeline
from vigil.sharing.exchange import SHARE_SOURCE, share_export, share_import
from vigil.sharing.keys import PartnerKeyError, load_partner_keys
from vigil.sharing.pseudonyms import ShareFileError, read_shared_list
from vigil.store.memory import MemoryStore
from vigil.store.open import open_store
from vigil.triage import load_triage_config

KEY_AB = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
ALICE, PAYEE = "account:chatapp:alice", "payment_account:gcash:+639171234567"


def organisation_a() -> MemoryStore:
    """A confirmed case (suspect, payee, a victim) and an unconfirmed one."""
    store = MemoryStore()
    confirmed = as_case([sig("conversation.lexicon", SignalKind.CONVERSATION,
                             ["account:chatapp:Alice", "payment_account:gcash:0917 123 4567",
                              "account:chatapp:kid", "account:chatapp:only_a"], 0,
                             roles={ALICE: "suspect", PAYEE: "payee",
                                    "account:chatapp:kid": "victim",
                                    "account:chatapp:only_a": "suspect"})])
    unconfirmed = as_case([sig("payments.typology", SignalKind.PAYMENT,
                               ["account:chatapp:unconfirmed"], 1,
                               roles={"account:chatapp:unconfirmed": "payer"})])
    store.replace_cases([confirmed, unconfirmed])
    confirm_case(store, store, confirmed.id, actor="A. Lead", role="lead", note="checked")
    return store


def organisation_b() -> MemoryStore:
    """Other spellings of A's suspect and payee, A's victim and unconfirmed payer, its own."""
    store = MemoryStore()
    subjects = ["account:chatapp:@ALICE", "payment_account:g-cash:+63 917 123 4567",
                "account:chatapp:kid", "account:chatapp:unconfirmed", "account:chatapp:only_b"]
    store.add_signals([sig("conversation.lexicon", SignalKind.CONVERSATION, subjects, 5,
                           roles={})])
    return store


def test_two_organisations_find_exactly_their_shared_identifiers() -> None:
    a, b = organisation_a(), organisation_b()
    sent = share_export(a, a, "org-b", KEY_AB, actor="A. Lead", now=T0)
    assert sent.identifiers == 3  # alice, the payee, only_a: no victim, no unconfirmed case
    assert "alice" not in sent.text and "0917" not in sent.text and "gcash" not in sent.text
    found = share_import(b, b, b, sent.text, "org-a", KEY_AB, actor="B. Analyst")
    assert {str(s.subjects[0]) for s in found} == {ALICE, PAYEE}
    assert all(s.source == SHARE_SOURCE and s.evidence["partner"] == "org-a" for s in found)
    assert share_import(b, b, b, sent.text, "org-a", OTHER_KEY, actor="B. Analyst") == []
    (event,) = [e for e in a.audit_events() if e.action == "share_export"]
    assert event.details["identifiers"] == 3 and event.details["sha256"] == sent.sha256


def test_shared_signals_link_into_cases_on_the_next_run() -> None:
    a, b = organisation_a(), organisation_b()
    sent = share_export(a, a, "org-b", KEY_AB, actor="A. Lead", now=T0)
    share_import(b, b, b, sent.text, "org-a", KEY_AB, actor="B. Analyst")
    result = run_pipeline(b, [], PipelineConfig(LinkingConfig(), load_triage_config()))
    in_cases = {str(e) for c in result.cases for e in c.entities
                if any(s.source == SHARE_SOURCE for s in c.signals)}
    assert in_cases == {ALICE, PAYEE}


@pytest.mark.parametrize(("text", "message"), [
    ("{", "line 1: not JSON"),
    ('{"format": "x"}', "'format' is not"),
    ('{"format": "vigil-share/1", "created": "2026-01-01T00:00:00"}', "no time zone"),
    ('{"format": "vigil-share/1", "created": "2026-01-01T00:00:00+00:00", "items": '
     '[{"kind": "ip", "hmac": "00"}]}', "items[0]"),
])
def test_bad_shared_lists_name_the_field(text: str, message: str) -> None:
    with pytest.raises(ShareFileError, match=message.replace("[", r"\[")):
        read_shared_list(text, "list.json")


def test_key_files_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"org-b": "00" * 16}))
    with pytest.raises(PartnerKeyError, match="'org-b': the key has 16 bytes"):
        load_partner_keys(path)
    with pytest.raises(PartnerKeyError, match="VIGIL_SHARE_KEYS"):
        load_partner_keys(None)


def test_vigil_share_export_and_import_between_two_stores(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"org-a": KEY_AB.hex(), "org-b": KEY_AB.hex()}))
    monkeypatch.setenv("VIGIL_SHARE_KEYS", str(keys))
    for name, build in (("a", organisation_a), ("b", organisation_b)):
        store = open_store(f"sqlite:///{tmp_path / name}.db")
        source = build()
        store.replace_cases(source.cases())
        store.add_signals(source.signals())
        for event in source.audit_events():
            store.append_audit(event)
        store.close()
    runner = CliRunner()
    listed = tmp_path / "for-b.json"
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'a'}.db")
    result = runner.invoke(app, ["share", "export", "--partner", "org-b", "--analyst", "A",
                                 "--out", str(listed)])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'b'}.db")
    result = runner.invoke(app, ["share", "import", str(listed), "--partner", "org-a",
                                 "--analyst", "B"])
    assert result.exit_code == 0, result.output
    assert "2 identifier(s) in common with org-a" in result.output
    assert f"match: {ALICE}" in result.output
    result = runner.invoke(app, ["share", "import", str(listed), "--partner", "org-c",
                                 "--analyst", "B"])
    assert result.exit_code == 2 and "no key for partner 'org-c'" in result.output
