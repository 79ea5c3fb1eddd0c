"""Signal types: one class per hash kind, and code that asks them instead of comparing strings."""

from __future__ import annotations

import pytest

from vigil import signal_types
from vigil.identifiers import EntityKind, normalise
from vigil.media.banks.evidence import describe_match, match_threshold
from vigil.media.banks.files import normalise_hash, parse_bank_csv
from vigil.media.banks.matcher import BankMatcher
from vigil.signal_types import (
    SIGNAL_TYPES,
    Md5Signal,
    PdqSignal,
    Sha256Signal,
    SignalType,
    signal_type,
)

PDQ = "f" * 64


@pytest.mark.parametrize("kind", [PdqSignal, Md5Signal, Sha256Signal])
def test_each_type_checks_its_width_and_lower_cases(kind: type[SignalType]) -> None:
    good = "A" * kind.hex_digits
    assert kind.normalise(f" {good} ") == good.lower()
    assert normalise_hash(kind.name.upper(), good) == (kind.name, good.lower())
    assert normalise(EntityKind.MEDIA, f"{kind.name}:{good}") == f"{kind.name}:{good.lower()}"
    with pytest.raises(ValueError, match=f"{kind.name} hash needs {kind.hex_digits} hex"):
        kind.normalise("a" * (kind.hex_digits - 1))
    with pytest.raises(ValueError, match="hex digits"):
        kind.normalise("g" * kind.hex_digits)


def test_pdq_distance_is_hamming_bits_and_digests_are_equal_or_not() -> None:
    assert PdqSignal.distance(PDQ, "0" * 64) == 256
    assert PdqSignal.distance(PDQ, "7" + "f" * 63) == 1
    assert Md5Signal.distance("a" * 32, "A" * 32) == 0
    assert Md5Signal.distance("a" * 32, "b" * 32) == 1
    assert PdqSignal.is_similarity() and not Sha256Signal.is_similarity()
    assert PdqSignal.default_threshold == 31


def test_lookup_by_name_ignores_case_and_lists_the_known() -> None:
    assert signal_type(" PDQ ") is PdqSignal
    with pytest.raises(ValueError, match=r"unknown signal_type 'sha1' \(expected md5, pdq, "
                                         r"sha256\)"):
        signal_type("sha1")


class Sha1Signal(SignalType):
    name = "sha1"
    description = "SHA-1 digest (a test type)"
    hex_digits = 40
    label = "SHA1"
    pytx_name = "sha1"


def test_a_new_type_is_one_class_and_one_table_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SIGNAL_TYPES, "sha1", Sha1Signal)
    info, entries = parse_bank_csv(f"hash,signal_type,label,source\n{'AB' * 20},sha1,x,\n"
                                   f"{PDQ},pdq,y,\n", "known")
    matcher = BankMatcher([info], entries)
    (hit,) = matcher.match("sha1", "ab" * 20)
    assert match_threshold(hit, matcher) == 0
    assert describe_match(hit, matcher, "file") == (
        "SHA1 of file equals a hash in bank 'known' (label 'x').")
    (near,) = matcher.match("pdq", "7" + "f" * 63)
    assert describe_match(near, matcher, "photo").startswith("PDQ hash of photo is 1 bits")
    assert signal_types.signal_type("sha1") is Sha1Signal
