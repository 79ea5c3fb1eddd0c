"""Relinking only the affected part of the graph gives the components a full relink gives.

Random small graphs with a low hub limit, so identifiers cross it in both directions between the
two runs (a hub that appears splits a case; one that goes away merges cases), and record-level
use that changes for some identifiers (as arrived records change it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.identifiers import EntityKind
from vigil.incremental.region import Degrees, affected_region, case_of
from vigil.incremental.relink import Earlier, hubs_among, hubs_for, link_region
from vigil.linking import LinkedGroup, LinkingConfig, link
from vigil.model import EntityRef, Signal, SignalKind

CONFIG = LinkingConfig(default_max_degree=2, max_degree={EntityKind.PAYMENT_ACCOUNT: 2})
ACCOUNTS = [EntityRef(EntityKind.PAYMENT_ACCOUNT, f"bank:a{i}") for i in range(8)]
PHONES = [EntityRef(EntityKind.PHONE, f"+6391700000{i}") for i in range(4)]
Usage = dict[EntityRef, set[EntityRef]]


ROLES = ["", "payer", "payee"]


def _signal(number: int, subjects: Sequence[int | tuple[int, str]]) -> Signal:
    """A signal naming ``subjects`` (pool indices, each alone or with its payer/payee role)."""
    pool = ACCOUNTS + PHONES
    named = [item if isinstance(item, tuple) else (item, "") for item in subjects]
    roles = {str(pool[i]): role for i, role in named if role and i < len(ACCOUNTS)}
    return Signal(source="test", kind=SignalKind.PAYMENT,
                  subjects=tuple(sorted({pool[i] for i, _ in named})), score=0.5,
                  observed_at=datetime(2024, 1, 1, tzinfo=UTC),
                  evidence={"n": number, "roles": roles}, explanation="test signal",
                  detector_version="1")


# Up to five subjects with roles: a payee hub facing two or more payers (an R4-like fan-in
# signal) or a payer facing two or more payees is frequent at these limits.
signal_specs = st.lists(st.lists(st.tuples(st.integers(0, len(ACCOUNTS) + len(PHONES) - 1),
                                           st.sampled_from(ROLES)),
                                 min_size=1, max_size=5), min_size=1, max_size=14)
usage_specs = st.dictionaries(st.integers(0, len(PHONES) - 1),
                              st.sets(st.integers(0, len(ACCOUNTS) - 1), max_size=4), max_size=3)


def _usage(spec: Mapping[int, set[int]]) -> Usage:
    return {PHONES[p]: {ACCOUNTS[a] for a in users} for p, users in spec.items()}


def _degrees(usage: Usage) -> Degrees:
    """The record-level degrees of ``usage``, as :class:`vigil.incremental.usage.KnownDegrees`
    gives them (an identifier no record uses left out)."""
    return lambda wanted: {used: len(users - {used}) for used, users in usage.items()
                           if used in wanted}


def _view(groups: Sequence[LinkedGroup]) -> set[tuple[object, ...]]:
    return {(tuple(s.id for s in g.signals), g.entities, tuple(h.entity for h in g.hubs))
            for g in groups}


def _earlier(signals: Sequence[Signal]) -> list[Earlier]:
    return [Earlier.of(s, CONFIG) for s in signals]


def _of(ids: Sequence[str], signals: Sequence[Signal]) -> list[Signal]:
    """The signals with these ids, in the order of ``ids``."""
    by_id = {s.id: s for s in signals}
    return [by_id[i] for i in ids]


def _members(groups: Sequence[LinkedGroup]) -> dict[str, str]:
    """Member key -> case id, as the store keeps them (entities, else the lone signal's id)."""
    members = {}
    for index, group in enumerate(groups):
        keys = [str(e) for e in group.entities] or [s.id for s in group.signals]
        members.update({key: f"case-{index}" for key in keys})
    return members


@settings(max_examples=300, deadline=None, derandomize=True)
@given(specs=signal_specs, removed=st.sets(st.integers(0, 13)), added=signal_specs,
       usage_before=usage_specs, usage_after=usage_specs)
def test_relinking_the_affected_region_equals_a_full_relink(
        specs: list[list[tuple[int, str]]], removed: set[int],
        added: list[list[tuple[int, str]]],
        usage_before: dict[int, set[int]], usage_after: dict[int, set[int]]) -> None:
    before = [_signal(n, spec) for n, spec in enumerate(specs)]
    after = [s for n, s in enumerate(before) if n not in removed]
    after += [_signal(100 + n, spec) for n, spec in enumerate(added)]
    old, new = _usage(usage_before), _usage(usage_after)
    earlier_groups = link(before, CONFIG, old)
    touched = {str(e) for e in set(old) | set(new) if old.get(e) != new.get(e)}
    members = _members(earlier_groups)
    region = affected_region(_earlier(before), _earlier(after), touched, members, CONFIG,
                             _degrees(new))
    assert region is not None
    kept = [g for index, g in enumerate(earlier_groups) if f"case-{index}" not in region.replaced]
    signals = _of(region.ids, after)
    relinked = link(signals, CONFIG, new, hubs_for(signals, _earlier(after), CONFIG, new))
    assert _view(kept) | _view(relinked) == _view(link(after, CONFIG, new))
    assert not _view(kept) & _view(relinked)
    assert _from_facts(signals, after, new) == relinked


def _from_facts(signals: Sequence[Signal], current: Sequence[Signal],
                usage: Usage) -> list[LinkedGroup]:
    """``signals`` linked as an incremental run links them: from their facts' text
    (:func:`link_region`), hubs judged over ``current`` (:func:`hubs_among`)."""
    facts = {e.id: e for e in _earlier(signals)}
    wanted = {text for e in facts.values() for text in e.subjects}
    degrees = {used: len(users - {used}) for used, users in usage.items()}
    return link_region(signals, facts, hubs_among(wanted, _earlier(current), CONFIG, degrees),
                       CONFIG)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(specs=signal_specs, usage=usage_specs, witnesses=st.sets(st.integers(0, 13)))
def test_linking_from_facts_gives_the_groups_igraph_gives(
        specs: list[list[tuple[int, str]]], usage: dict[int, set[int]],
        witnesses: set[int]) -> None:
    """Union-find over the facts' text against igraph over decoded identifiers, hub degrees,
    limits, hubs' counterparties and witnesses (a signal's first subject in the reporter role)
    included."""
    signals = [_witnessed(_signal(n, spec)) if n in witnesses else _signal(n, spec)
               for n, spec in enumerate(specs)]
    used = _usage(usage)
    assert _from_facts(signals, signals, used) == link(signals, CONFIG, used)


def _witnessed(signal: Signal) -> Signal:
    """``signal`` with its first subject in a witness role (no edge of the graph)."""
    named = signal.evidence["roles"]
    assert isinstance(named, dict)
    roles = {**named, str(signal.subjects[0]): "reporter"}
    return replace(signal, id="", evidence={**signal.evidence, "roles": roles})


def test_a_hub_that_crosses_its_limit_splits_the_case_it_held_together() -> None:
    """Two senders joined by one beneficiary; a third sender's signal makes it a hub."""
    first = [_signal(0, [0, 2]), _signal(1, [1, 2])]
    groups = link(first, CONFIG)
    assert len(groups) == 1
    after = [*first, _signal(2, [3, 2])]
    region = affected_region(_earlier(first), _earlier(after), set(), _members(groups), CONFIG,
                             _degrees({}))
    assert region is not None and region.replaced == {"case-0"}
    signals = _of(region.ids, after)
    relinked = link(signals, CONFIG, None, hubs_for(signals, _earlier(after), CONFIG, {}))
    assert len(relinked) == 3
    assert all(g.hubs and g.hubs[0].entity == ACCOUNTS[2] for g in relinked)


def test_untouched_cases_are_not_relinked() -> None:
    first = [_signal(0, [0, 1]), _signal(1, [4, 5])]
    groups = link(first, CONFIG)
    after = [*first, _signal(2, [1, 8])]
    region = affected_region(_earlier(first), _earlier(after), set(), _members(groups), CONFIG,
                             _degrees({}))
    assert region is not None
    assert sorted(region.ids) == sorted(s.id for s in (first[0], after[2]))
    assert len(region.replaced) == 1


def test_stored_cases_that_miss_an_affected_signal_ask_for_a_full_relink() -> None:
    first = [_signal(0, [0, 1])]
    region = affected_region(_earlier(first), _earlier([_signal(1, [1])]), set(), {}, CONFIG,
                             _degrees({}))
    assert region is None


def _fan_in(number: int, payee: int, payers: Sequence[int]) -> Signal:
    """An R4-like signal: one beneficiary and its senders."""
    return _signal(number, [(payee, "payee"), *((p, "payer") for p in payers)])


def test_a_hub_beneficiary_does_not_join_its_senders_through_a_fan_in_signal() -> None:
    """Senders 0 and 1 each in a case with a phone; the fan-in signal about hub 2 (used by
    three accounts) joins neither, and the earlier case of each signal is still found from
    its edges, not from a sender that is a member of another case."""
    own = [_signal(0, [0, 8]), _signal(1, [1, 9])]
    fan_in = _fan_in(2, 2, [0, 1])
    usage = {ACCOUNTS[2]: {ACCOUNTS[0], ACCOUNTS[1], ACCOUNTS[3]}}
    groups = link([*own, fan_in], CONFIG, usage)
    assert _view(groups) == _view(link(own, CONFIG)) | {((fan_in.id,), (), (ACCOUNTS[2],))}
    members = _members(groups)
    found = {s.id: case_of(Earlier.of(s, CONFIG), members, CONFIG) for s in [*own, fan_in]}
    assert len(set(found.values())) == 3 and found[fan_in.id] == members[fan_in.id]
    # Below the limit the beneficiary joins them, as any identifier does.
    assert len(link([*own, fan_in], CONFIG)) == 1
    # One sender paying a hub and another beneficiary keeps its own edge (one payer).
    per_sender = _signal(3, [(0, "payer"), (2, "payee"), (4, "payee")])
    assert len(link([*own, per_sender], CONFIG, usage)) == 2


def test_a_beneficiary_crossing_the_limit_both_ways_relinks_its_senders_cases() -> None:
    """The fan-in signal's senders are in cases that do not name the beneficiary; when it stops
    or starts being a hub those cases are affected (its counterparties are touched)."""
    own = [_signal(0, [0, 8]), _signal(1, [1, 9]), _signal(2, [5, 10])]
    signals = [*own, _fan_in(3, 2, [0, 1])]
    hub = {ACCOUNTS[2]: {ACCOUNTS[0], ACCOUNTS[1], ACCOUNTS[3]}}
    for old, new in ((hub, {}), ({}, hub)):
        earlier_groups = link(signals, CONFIG, old)
        members = _members(earlier_groups)
        region = affected_region(_earlier(signals), _earlier(signals), {str(ACCOUNTS[2])},
                                 members, CONFIG, _degrees(new))
        assert region is not None
        kept = [g for index, g in enumerate(earlier_groups)
                if f"case-{index}" not in region.replaced]
        relinked = _from_facts(_of(region.ids, signals), signals, new)
        assert _view(kept) | _view(relinked) == _view(link(signals, CONFIG, new))
        assert _view(kept) == _view(link(own[2:], CONFIG))
