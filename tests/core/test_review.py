"""Review decisions: refused without a name, audited with it, clear about unknown targets."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

import vigil
from tests.core.factories import signal
from vigil import (
    AnonymousActorError,
    BankEntry,
    BankInfo,
    Case,
    CaseStatus,
    Store,
    UnknownBankError,
    UnknownCaseError,
    open_store,
)
from vigil.audit import AuditEvent

PDQ = "f" * 64
Decision = Callable[[Store, str], AuditEvent]

DECISIONS: dict[str, Decision] = {
    "set_status": lambda s, who: vigil.set_case_status(s, s, "case-a", CaseStatus.CONFIRMED,
                                                       actor=who),
    "assign": lambda s, who: vigil.assign_case(s, s, "case-a", "rosa", actor=who),
    "note": lambda s, who: vigil.add_case_note(s, s, "case-a", "asked the platform", actor=who),
    "pause_bank": lambda s, who: vigil.pause_bank(s, s, "known", actor=who),
    "resume_bank": lambda s, who: vigil.resume_bank(s, s, "known", actor=who),
    "pause_entry": lambda s, who: vigil.pause_bank_entry(s, s, "known", "pdq", PDQ, actor=who,
                                                         reason="a meme, not a match"),
    "resume_entry": lambda s, who: vigil.resume_bank_entry(s, s, "known", "pdq", PDQ, actor=who,
                                                           reason="reviewed"),
}
TARGETS = {"set_status": "case-a", "assign": "case-a", "note": "case-a", "pause_bank": "known",
           "resume_bank": "known", "pause_entry": f"known/pdq:{PDQ}",
           "resume_entry": f"known/pdq:{PDQ}"}


def _fill(store: Store) -> Store:
    store.replace_cases([Case("case-a", (), (signal("account:chat:a", tag="a"),), 0.5, ())])
    store.add_bank(BankInfo("known"))
    store.add_bank_entries([BankEntry("known", PDQ, "pdq")])
    return store


@pytest.fixture
def memory() -> Iterator[Store]:
    store = _fill(open_store("memory://"))
    yield store
    store.close()


@pytest.mark.parametrize("actor", ["", "   ", "vigil:flood-check"])
@pytest.mark.parametrize("action", sorted(DECISIONS))
def test_every_decision_refuses_an_anonymous_actor(memory: Store, action: str,
                                                   actor: str) -> None:
    cases, banks, entries = memory.cases(), memory.banks(), memory.bank_entries()
    with pytest.raises(AnonymousActorError):
        DECISIONS[action](memory, actor)
    assert memory.audit_events() == []
    assert (memory.cases(), memory.banks(), memory.bank_entries()) == (cases, banks, entries)


@pytest.mark.parametrize("action", sorted(DECISIONS))
def test_every_decision_is_audited_with_the_actors_name(store: Store, action: str) -> None:
    _fill(store)
    event = DECISIONS[action](store, "  Rosa Analyst ")
    assert store.audit_events() == [event]
    assert (event.actor, event.action, event.target) == ("Rosa Analyst", action, TARGETS[action])


def test_status_and_pauses_change_what_is_stored(memory: Store) -> None:
    DECISIONS["set_status"](memory, "rosa")
    DECISIONS["pause_bank"](memory, "rosa")
    DECISIONS["pause_entry"](memory, "rosa")
    case = memory.case("case-a")
    assert case is not None and case.status is CaseStatus.CONFIRMED
    assert [(b.enabled, b.state_by) for b in memory.banks()] == [(False, "rosa")]
    assert [(e.enabled, e.state_reason) for e in memory.bank_entries()] == [
        (False, "a meme, not a match")]


def test_history_reads_back_assignments_and_notes_of_one_case(store: Store) -> None:
    _fill(store)
    store.replace_cases([*store.cases(), Case("case-b", (), (signal("phone:+639171234567"),),
                                              0.4, ())])
    vigil.assign_case(store, store, "case-a", "rosa", actor="lead")
    vigil.add_case_note(store, store, "case-b", "other case", actor="lead")
    vigil.add_case_note(store, store, "case-a", " asked the platform ", actor="rosa")
    vigil.pause_bank(store, store, "known", actor="lead")
    vigil.assign_case(store, store, "case-a", "sam", actor="lead")
    history = vigil.case_history(store, "case-a")
    assert [(e.actor, e.action, e.details) for e in history] == [
        ("lead", "assign", {"assignee": "rosa"}),
        ("rosa", "note", {"text": "asked the platform"}),
        ("lead", "assign", {"assignee": "sam"})]
    assert vigil.current_assignee(store, "case-a") == "sam"
    assert vigil.current_assignee(store, "case-b") is None


@pytest.mark.parametrize("action", ["set_status", "assign", "note"])
def test_an_unknown_case_is_a_clear_error(memory: Store, action: str) -> None:
    memory.replace_cases([])
    with pytest.raises(UnknownCaseError, match="no case 'case-a'") as raised:
        DECISIONS[action](memory, "rosa")
    assert isinstance(raised.value, KeyError)
    assert memory.audit_events() == []


@pytest.mark.parametrize(("action", "message"), [
    ("pause_bank", "no bank 'known'"), ("resume_bank", "no bank 'known'"),
    ("pause_entry", f"no pdq hash '{PDQ}' in bank 'known'"),
    ("resume_entry", f"no pdq hash '{PDQ}' in bank 'known'"),
])
def test_an_unknown_bank_is_a_clear_error(action: str, message: str) -> None:
    store = open_store("memory://")
    store.add_bank(BankInfo("other"))
    with pytest.raises(UnknownBankError) as raised:
        DECISIONS[action](store, "rosa")
    assert str(raised.value) == message
    assert isinstance(raised.value, KeyError)
    assert store.audit_events() == []
    with pytest.raises(UnknownBankError, match="no bank 'nope'"):
        vigil.find_bank(store, "nope")
    assert vigil.find_bank(store, "other") == BankInfo("other")


def test_assignee_note_and_entry_reason_must_say_something(memory: Store) -> None:
    with pytest.raises(ValueError, match="assigned to a person by name"):
        vigil.assign_case(memory, memory, "case-a", " ", actor="lead")
    with pytest.raises(ValueError, match="note needs some text"):
        vigil.add_case_note(memory, memory, "case-a", "  ", actor="lead")
    with pytest.raises(ValueError, match="say why"):
        vigil.resume_bank_entry(memory, memory, "known", "pdq", PDQ, actor="lead", reason=" ")
    assert memory.audit_events() == []
