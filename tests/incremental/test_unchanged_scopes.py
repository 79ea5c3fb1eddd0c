"""A scope an incremental run recomputes to exactly the signals it had is no change: it is
neither dropped nor added again (:func:`vigil.incremental.current.without_unchanged`)."""

from __future__ import annotations

from tests.core.factories import signal
from vigil.checkpoints import RunCheckpoint, SignalFacts
from vigil.incremental.current import current_after, current_change, without_unchanged
from vigil.incremental.detect import DetectorRun
from vigil.model import Signal

DETECTOR = "payments.typologies"


def _facts(scope: str, found: Signal) -> SignalFacts:
    return SignalFacts.of(found, DETECTOR, scope)


def test_a_scope_found_again_as_it_was_is_left_out_of_the_change() -> None:
    x, y, y2, z, w = (signal(f"payment_account:bank:{tag}", tag=tag)
                      for tag in ("x", "y", "y2", "z", "w"))
    before = [_facts("sender:x", x), _facts("sender:y", y), _facts("sender:z", z)]
    run = DetectorRun(DETECTOR, [("sender:x", x), ("sender:y", y2), ("sender:w", w)],
                      {"sender:x", "sender:y", "sender:z", "sender:w"}, 3)
    [kept] = without_unchanged([run], before)
    assert kept.scopes == {"sender:y", "sender:z", "sender:w"}  # z's finding went: a change
    assert kept.signals == [("sender:y", y2), ("sender:w", w)]
    change = current_change([kept], RunCheckpoint(detectors={DETECTOR: "print"}), False)
    assert {f.id for f in current_after(before, change)} == {x.id, y2.id, w.id}


def test_a_scope_that_loses_one_of_its_signals_is_a_change() -> None:
    a, b = signal("payment_account:bank:a", tag="r1"), signal("payment_account:bank:a", tag="r2")
    before = [_facts("sender:a", a), _facts("sender:a", b)]
    run = DetectorRun(DETECTOR, [("sender:a", a)], {"sender:a"}, 1)
    [kept] = without_unchanged([run], before)
    assert kept.scopes == {"sender:a"} and kept.signals == [("sender:a", a)]


def test_a_run_in_full_is_kept_whole() -> None:
    a = signal("payment_account:bank:a", tag="a")
    run = DetectorRun(DETECTOR, [("sender:a", a)], None, 1)
    assert without_unchanged([run], [_facts("sender:a", a)]) == [run]
