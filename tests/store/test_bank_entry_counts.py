"""``BankStore.bank_entry_counts``: sizes counted by the store, a marker that moves on change."""

from vigil.media.banks.records import BankEntry, BankInfo
from vigil.store.interfaces import Store


def _entries(bank: str, n: int, signal_type: str = "pdq") -> list[BankEntry]:
    width = 64 if signal_type == "pdq" else 32
    return [BankEntry(bank, f"{i + 1:0{width}x}", signal_type) for i in range(n)]


def test_counts_per_bank_without_loading_entries(store: Store) -> None:
    assert store.bank_entry_counts() == {}
    store.add_bank(BankInfo("a"))
    store.add_bank(BankInfo("b"))
    store.add_bank(BankInfo("empty"))
    store.add_bank_entries(_entries("a", 3) + _entries("b", 2) + _entries("b", 1, "md5"))
    counts = store.bank_entry_counts()
    assert {name: (c.entries, c.paused) for name, c in counts.items()} == {"a": (3, 0),
                                                                          "b": (3, 0)}
    store.set_bank_entry_enabled("a", "pdq", _entries("a", 1)[0].hash, False, reason="flood",
                                 actor="test")
    assert store.bank_entry_counts()["a"].paused == 1


def test_marker_moves_on_every_change_to_a_bank(store: Store) -> None:
    store.add_bank(BankInfo("a"))
    first, second = _entries("a", 2)
    store.add_bank_entries([first, second])
    markers = [store.bank_entry_counts()["a"].marker]
    store.add_bank_entries([first])  # a duplicate changes nothing
    assert store.bank_entry_counts()["a"].marker == markers[0]
    for entry, enabled in ((first, False), (first, True), (second, False)):
        store.set_bank_entry_enabled("a", "pdq", entry.hash, enabled, reason="r", actor="t")
        markers.append(store.bank_entry_counts()["a"].marker)
    store.add_bank_entries(_entries("a", 3)[2:])
    markers.append(store.bank_entry_counts()["a"].marker)
    assert markers[2] == markers[0]  # paused and resumed again: the same content
    assert len({markers[0], markers[1], markers[3], markers[4]}) == 4
