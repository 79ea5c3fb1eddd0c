"""The stable-id rule (vigil.case_ids), table-driven: previous membership + components -> ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vigil.audit import AuditEvent
from vigil.case_ids import Merge, Split, assign_case_ids, fresh_case_id, inherited_status
from vigil.case_lineage import MERGE_ACTION, lineage
from vigil.model import CaseStatus

OPEN, REVIEW, DONE, DISMISSED = (CaseStatus.OPEN, CaseStatus.IN_REVIEW, CaseStatus.CONFIRMED,
                                  CaseStatus.DISMISSED)


def fresh(*entities: str) -> str:
    return fresh_case_id(entities, set())


# (name, previous mapping, components, expected ids, expected merges, expected splits)
CASES = [
    ("new case gets the smallest-identifier id", {}, [["b", "a"]], [fresh("a")], [], []),
    ("grown case keeps its id", {"b": "X"}, [["b", "c"]], ["X"], [], []),
    ("a smaller identifier joins: same id", {"b": "X", "c": "X"}, [["a", "b", "c"]], ["X"],
     [], []),
    ("merge: most shared wins, the other is absorbed",
     {"a": "Y", "b": "X", "c": "X"}, [["a", "b", "c"]], ["X"], [Merge("X", ("Y",))], []),
    ("merge tie: the smaller id survives", {"a": "Y", "b": "X"}, [["a", "b"]], ["X"],
     [Merge("X", ("Y",))], []),
    ("split: the largest part keeps the id",
     {"a": "X", "b": "X", "c": "X"}, [["a"], ["b", "c"]], [fresh("a"), "X"], [],
     [Split("X", (fresh("a"),))]),
    ("split and merge at once",
     {"a": "X", "b": "X", "c": "Y"}, [["a"], ["b", "c"]], ["X", "Y"], [],
     [Split("X", ("Y",))]),
    ("two cases unchanged", {"a": "X", "b": "Y"}, [["a"], ["b"]], ["X", "Y"], [], []),
    ("vanished identifiers drop out", {"a": "X", "z": "Z"}, [["a"]], ["X"], [], []),
    ("an absorbed case split between two goes to its larger share",
     {"a": "X", "b": "X", "c": "Y", "d": "Y", "e": "Y", "f": "Z", "g": "Z", "h": "Z"},
     [["a", "c", "d", "g", "h"], ["b", "e", "f"]], ["Y", "X"], [Merge("Y", ("Z",))],
     [Split("X", ("Y",)), Split("Y", ("X",)), Split("Z", ("X",))]),
]


@pytest.mark.parametrize(("previous", "components", "ids", "merges", "splits"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_assignment_rule(previous: dict[str, str], components: list[list[str]], ids: list[str],
                         merges: list[Merge], splits: list[Split]) -> None:
    assignment = assign_case_ids(previous, components)
    assert list(assignment.ids) == ids
    assert list(assignment.merges) == merges
    assert list(assignment.splits) == splits


def test_reassigning_the_same_components_changes_no_id() -> None:
    components = [["a", "b"], ["c"], ["d", "e", "f"]]
    first = assign_case_ids({}, components)
    previous = {e: i for comp, i in zip(components, first.ids, strict=True) for e in comp}
    again = assign_case_ids(previous, components)
    assert again.ids == first.ids
    assert not again.merges and not again.splits


def test_a_fresh_id_never_reuses_one_in_use() -> None:
    taken = {fresh("a")}
    salted = fresh_case_id(["a"], taken)
    assert salted != fresh("a") and salted.startswith("case-")
    # a split-off part named by the identifier that named its parent gets another id
    assignment = assign_case_ids({"a": fresh("a"), "b": fresh("a"), "c": fresh("a")},
                                 [["a"], ["b", "c"]])
    assert assignment.ids == (salted, fresh("a"))


def test_a_case_can_absorb_one_case_and_lose_a_part_to_another() -> None:
    previous = {"a": "X", "b": "Y", "c": "Y", "d": "Z", "e": "Y"}
    assignment = assign_case_ids(previous, [["a", "b", "c"], ["d", "e"]])
    # Y shares two with the first component, X one: Y keeps it and absorbs X; e went to Z
    assert assignment.ids == ("Y", "Z")
    assert assignment.merges == (Merge("Y", ("X",)),)
    assert assignment.splits == (Split("Y", ("Z",)),)


@pytest.mark.parametrize(("statuses", "expected"), [
    ([], None),
    ([OPEN], OPEN),
    ([OPEN, REVIEW], REVIEW),
    ([REVIEW, DONE, OPEN], DONE),
    ([DISMISSED, DISMISSED], DISMISSED),
    ([DISMISSED, OPEN], OPEN),
    ([DISMISSED, DONE], DONE),
])
def test_inherited_status(statuses: list[CaseStatus], expected: CaseStatus | None) -> None:
    assert inherited_status(statuses) == expected


def test_lineage_follows_merges_of_merges() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    events = [AuditEvent("vigil:pipeline", MERGE_ACTION, "Y", at, {"absorbed": ["Z"]}),
              AuditEvent("vigil:pipeline", MERGE_ACTION, "X", at, {"absorbed": ["Y"]}),
              AuditEvent("vigil:pipeline", MERGE_ACTION, "Q", at, {"absorbed": ["W"]})]
    assert lineage(events, "X") == {"X", "Y", "Z"}
    assert lineage(events, "Z") == {"Z"}
