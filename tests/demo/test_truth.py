import pytest

from vigil.demo.truth import (
    Evaluation,
    PlantedRing,
    Truth,
    entity_strings,
    evaluate,
    kinds_baseline,
    ring_hit,
)

RING_A = frozenset({"account:vidchat:a1", "account:vidchat:a2",
                    "payment_account:gcash:+639170000001", "phone:+639170000001",
                    "conversation:vidchat:c-a"})
RING_B = frozenset({"account:vidchat:b1", "account:vidchat:b2",
                    "payment_account:gcash:+639170000002", "phone:+639170000002",
                    "conversation:vidchat:c-b"})
TRUTH = Truth((PlantedRing("ring-a", RING_A), PlantedRing("ring-b", RING_B)))
BENIGN = ["account:vidchat:x1", "account:vidchat:x2", "payment_account:wise:12345678"]


@pytest.mark.parametrize(("name", "ranked", "recovered", "precision", "hits"), [
    ("both rings first", [sorted(RING_A), sorted(RING_B), BENIGN], 2, 1.0, ("ring-a", "ring-b")),
    ("benign case in the top P", [sorted(RING_A), BENIGN, sorted(RING_B)], 1, 0.5,
     ("ring-a", None)),
    ("ring split over two cases counts once", [["account:vidchat:a1", "account:vidchat:a2"],
                                               ["phone:+639170000001", "conversation:vidchat:c-a"]],
     1, 0.5, ("ring-a", "ring-a")),
    ("rings merged into one case", [sorted(RING_A | RING_B), BENIGN], 0, 0.0, (None, None)),
    ("ring diluted by benign entities", [[*sorted(RING_B)[:2], *BENIGN], sorted(RING_A)], 1, 0.5,
     (None, "ring-a")),
    ("fewer cases than rings", [sorted(RING_B)], 1, 0.5, ("ring-b",)),
    ("no cases", [], 0, 0.0, ()),
])
def test_evaluate(name: str, ranked: list[list[str]], recovered: int, precision: float,
                  hits: tuple[str | None, ...]) -> None:
    result = evaluate(ranked, TRUTH)
    assert result.planted == 2, name
    assert result.recovered_in_top_P == recovered, name
    assert result.precision_at_P == pytest.approx(precision), name
    assert result.hits == hits, name


def test_exactly_half_is_not_a_hit() -> None:
    case = ["account:vidchat:a1", "account:vidchat:a2", *BENIGN[:2]]
    assert ring_hit(case, TRUTH) is None
    assert ring_hit(case[:3], TRUTH) == "ring-a"


def test_case_entities_are_compared_in_normalised_form() -> None:
    case = ["account:VidChat:@A1", "phone:+63 917 000 0001", "account:vidchat:a2"]
    assert ring_hit(case, TRUTH) == "ring-a"


def test_line_format() -> None:
    assert Evaluation(8, 7, 0.875).line() == \
        "demo: planted=8 recovered_in_top_P=7 precision_at_P=0.88"
    assert evaluate([], Truth(())).line() == \
        "demo: planted=0 recovered_in_top_P=0 precision_at_P=0.00"


def test_line_carries_the_kinds_baseline_when_kinds_are_given() -> None:
    result = evaluate([sorted(RING_A), BENIGN, sorted(RING_B)], TRUTH, [4, 3, 2])
    assert result.line() == ("demo: planted=2 recovered_in_top_P=1 precision_at_P=0.50 "
                             "kinds_baseline=0.50")


@pytest.mark.parametrize(("name", "cases", "kinds", "expected"), [
    ("more kinds first, whatever vigil's order", [BENIGN, sorted(RING_A), sorted(RING_B)],
     [1, 3, 2], 1.0),
    ("benign case with the most kinds", [sorted(RING_A), BENIGN, sorted(RING_B)], [2, 3, 1], 0.5),
    # one slot left for three tied cases, one of them ring B: B is drawn with probability 1/3
    ("tie at the cut is an expectation", [sorted(RING_A), sorted(RING_B), BENIGN, BENIGN[:2]],
     [3, 2, 2, 2], (1 + 1 / 3) / 2),
    # two tied slots, two cases of ring A among three: A is hit with certainty, counted once
    ("a split ring counts once in the baseline too",
     [["account:vidchat:a1", "account:vidchat:a2"], ["phone:+639170000001",
                                                     "conversation:vidchat:c-a"], BENIGN],
     [2, 2, 2], 0.5),
    ("no cases", [], [], 0.0),
])
def test_kinds_baseline(name: str, cases: list[list[str]], kinds: list[int],
                        expected: float) -> None:
    assert kinds_baseline(cases, kinds, TRUTH) == pytest.approx(expected), name


def test_kinds_baseline_needs_one_count_per_case() -> None:
    with pytest.raises(ValueError, match="one count per case"):
        kinds_baseline([sorted(RING_A)], [1, 2], TRUTH)


def test_entity_strings_normalise() -> None:
    assert entity_strings([("account", "VidChat:@Kite_9"), ("payment_account", "wise:1234-5678")]) \
        == {"account:vidchat:kite_9", "payment_account:wise:12345678"}
