"""The custody trail of a case (newest first, with the log's verification) and the outbox."""

from __future__ import annotations

from dataclasses import replace

from jinja2 import Environment

from tests.casework.conftest import Demo
from vigil import VerifyReport, case_trail, outbox_view
from vigil.custody.entry import CustodyEntry
from vigil.custody.verify import Problem
from vigil.store.interfaces import Store


def test_the_trail_lists_what_was_done_to_the_case_newest_first(demo: Demo) -> None:
    trail = case_trail(demo.store, demo.cases[0].id)
    actions = [e["action"] for e in trail["events"]]
    assert actions == ["dead_letter", "enqueue", "enqueue", "confirm", "note", "view_case"]
    assert [e["seq"] for e in trail["events"]] == sorted(
        (e["seq"] for e in trail["events"]), reverse=True)
    view = trail["events"][-1]
    assert (view["actor"], view["role"], view["justification"]) == (
        "ana", "analyst", "morning queue")
    assert trail["verified"] and trail["total"] == 6
    assert trail["log_entries"] == len(demo.store.custody_entries())


def test_a_report_made_before_is_shown_without_verifying_again(demo: Demo) -> None:
    stale = VerifyReport(entries=3, root="ab" * 32, heads_checked=0,
                         problem=Problem("chain", 2, "entry 2 does not link to entry 1"))
    trail = case_trail(demo.store, demo.cases[0].id, report=stale)
    assert (trail["verified"], trail["log_entries"]) == (False, 3)
    assert trail["verify_line"] == "custody log NOT verified: entry 2 does not link to entry 1"


def test_the_second_case_has_only_its_dismissal(demo: Demo) -> None:
    trail = case_trail(demo.store, demo.cases[1].id)
    assert [(e["action"], e["actor"]) for e in trail["events"]] == [("dismiss", "ben")]


class _Edited:
    """The demo store with one stored entry's justification changed behind the log's back."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def custody_entries(self, limit: int | None = None) -> list[CustodyEntry]:
        entries = self._store.custody_entries(limit)
        edited = next(i for i, e in enumerate(entries) if e.action == "view_case")
        entries[edited] = replace(entries[edited], justification="nothing to see")
        return entries

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_an_edited_log_is_shown_as_not_verified(demo: Demo, partials: Environment) -> None:
    trail = case_trail(_Edited(demo.store), demo.cases[0].id)  # type: ignore[arg-type]
    assert not trail["verified"]
    assert "NOT verified" in trail["verify_line"]
    html = partials.get_template("partials/trail.html").render(trail=trail)
    assert "log NOT verified" in html


def test_the_trail_partial_has_a_row_per_event(demo: Demo, partials: Environment) -> None:
    trail = case_trail(demo.store, demo.cases[0].id, limit=4)
    html = partials.get_template("partials/trail.html").render(trail=trail)
    assert html.count('class="trail-row"') == 4
    assert "the newest 4 shown" in html and "log verified" in html


def test_the_outbox_shows_its_dead_letter_with_the_error(demo: Demo,
                                                         partials: Environment) -> None:
    view = outbox_view(demo.store)
    assert view["counts"] == {"pending": 1, "delivered": 0, "dead": 1}
    [dead] = view["dead"]
    assert (dead["id"], dead["attempts"], dead["last_error"], dead["cases"]) == (
        "dlv-dead", 1, "HTTP 410 from hotline", [demo.cases[0].id])
    html = partials.get_template("partials/outbox.html").render(outbox=view)
    assert html.count('class="delivery-row"') == 2
    assert "HTTP 410 from hotline" in html and "1 dead letter," in html


def test_the_outbox_of_one_case(demo: Demo) -> None:
    assert outbox_view(demo.store, demo.cases[0].id)["counts"]["dead"] == 1
    other = outbox_view(demo.store, demo.cases[1].id)
    assert other["counts"] == {"pending": 0, "delivered": 0, "dead": 0}
    assert other["dead"] == other["pending"] == []
