from datetime import datetime

import pytest

from tests.core.factories import T0, ref, signal
from vigil.model import Signal, SignalKind, case_id_for


def test_signal_id_is_a_content_hash() -> None:
    a = signal("account:vc:a", "account:vc:b", tag="x")
    b = signal("account:vc:b", "account:vc:a", tag="x")
    assert a.id == b.id and a == b and hash(a) == hash(b)
    assert a.id != signal("account:vc:a", tag="y").id


@pytest.mark.parametrize(("field", "value", "message"), [
    ("score", 1.5, "not in"),
    ("subjects", (), "no subjects"),
    ("observed_at", datetime(2026, 1, 1), "naive"),
])
def test_signal_rejects_bad_fields(field: str, value: object, message: str) -> None:
    fields = dict(source="t", kind=SignalKind.MEDIA, subjects=(ref("account:vc:a"),), score=0.5,
                  observed_at=T0, evidence={}, explanation="", detector_version="1")
    fields[field] = value
    with pytest.raises(ValueError, match=message):
        Signal(**fields)  # type: ignore[arg-type]


def test_case_id_follows_smallest_entity() -> None:
    small = [ref("account:vc:a"), ref("account:vc:m")]
    grown = [*small, ref("account:vc:z")]
    assert case_id_for(small, []) == case_id_for(grown, [])
