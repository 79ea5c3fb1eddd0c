"""Only what can change an edge or a degree is touched, and the region relinked still equals a
full relink.

With payments arriving every day most R4 fan-in signals about hub beneficiaries are replaced
(removed, and added with a new id); their senders are no edges of them, before or after, and
records use them, so their own cases must not be relinked for it. Random graphs here let records
use accounts too (the senders' degrees then come from records, not from signals), and re-add
some removed signals with one more subject, as a replaced fan-in signal is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.incremental.test_relink import (
    ACCOUNTS,
    CONFIG,
    PHONES,
    ROLES,
    Usage,
    _degrees,
    _earlier,
    _fan_in,
    _from_facts,
    _members,
    _of,
    _signal,
    _view,
    signal_specs,
)
from vigil.incremental.region import Region, affected_region, hubs_before
from vigil.linking import LinkedGroup, link
from vigil.model import Signal

POOL = len(ACCOUNTS) + len(PHONES)
# Any identifier used by up to four accounts: above the limit (2) it is a hub by its records.
pool_usage_specs = st.dictionaries(st.integers(0, POOL - 1),
                                   st.sets(st.integers(0, len(ACCOUNTS) - 1), max_size=4),
                                   max_size=6)


def _pool_usage(spec: dict[int, set[int]]) -> Usage:
    pool = ACCOUNTS + PHONES
    return {pool[used]: {ACCOUNTS[a] for a in users} for used, users in spec.items()}


def _relink(before: Sequence[Signal], after: Sequence[Signal], old: Usage,
            new: Usage) -> tuple[Region, list[LinkedGroup], list[LinkedGroup]]:
    """The region of the change from ``before`` (linked with ``old``) to ``after``, the earlier
    groups, and the kept ones with the region relinked (as an incremental run links it); the
    latter must equal a full relink's groups."""
    earlier_groups = link(before, CONFIG, old)
    touched = {str(e) for e in set(old) | set(new) if old.get(e) != new.get(e)}
    region = affected_region(_earlier(before), _earlier(after), touched,
                             _members(earlier_groups), CONFIG, _degrees(new))
    assert region is not None
    kept = [g for index, g in enumerate(earlier_groups) if f"case-{index}" not in region.replaced]
    relinked = _from_facts(_of(region.ids, after), after, new)
    full = link(after, CONFIG, new)
    assert _view(kept) | _view(relinked) == _view(full)
    assert not _view(kept) & _view(relinked)
    stated = {index: group for index, group in enumerate(earlier_groups) if group in kept}
    assert _degrees_of(stated, region) | _degrees_of(dict(enumerate(relinked))) == \
        _degrees_of(dict(enumerate(full)))
    return region, earlier_groups, relinked


def _degrees_of(groups: Mapping[int, LinkedGroup],
                region: Region | None = None) -> set[tuple[tuple[str, ...], str, int]]:
    """Each group's hubs with their degrees, as its case's hub reasons state them after the
    run: a kept case's (``region`` given) as stored unless the region restates them
    (``hubs``)."""
    return {(tuple(s.id for s in group.signals), str(hub.entity),
             region.hubs[str(hub.entity)].degree if region is not None
             and str(hub.entity) in region.hubs else hub.degree)
            for index, group in groups.items() for hub in group.hubs}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(specs=signal_specs, removed=st.sets(st.integers(0, 13)),
       extra=st.lists(st.tuples(st.integers(0, POOL - 1), st.sampled_from(ROLES)), max_size=14),
       added=signal_specs, usage_before=pool_usage_specs, usage_after=pool_usage_specs,
       arrived=st.booleans())
def test_replaced_signals_and_accounts_used_by_records(
        specs: list[list[tuple[int, str]]], removed: set[int], extra: list[tuple[int, str]],
        added: list[list[tuple[int, str]]], usage_before: dict[int, set[int]],
        usage_after: dict[int, set[int]], arrived: bool) -> None:
    """Removed signals re-added with one more subject (a replaced fan-in signal), accounts and
    phones used by records or not, and usage that grows (records arrive) or is redrawn."""
    before = [_signal(n, spec) for n, spec in enumerate(specs)]
    after = [s for n, s in enumerate(before) if n not in removed]
    after += [_signal(200 + n, [*specs[n], more])
              for n, more in zip(sorted(removed & set(range(len(specs)))), extra, strict=False)]
    after += [_signal(100 + n, spec) for n, spec in enumerate(added)]
    old = _pool_usage(usage_before)
    grown = {used: users | old.get(used, set()) for used, users in _pool_usage(usage_after).items()}
    _relink(before, after, old, {**old, **grown} if arrived else _pool_usage(usage_after))


SENDERS = [0, 1, 3]
HUB = ACCOUNTS[2]
OWN = [_signal(n, [sender, 8 + n]) for n, sender in enumerate(SENDERS)]
"""Each sender in a case of its own with a phone."""


def _paid(hub_users: Sequence[int]) -> Usage:
    """The hub used by ``hub_users`` (its senders), each sender used by the hub (records use
    every account of a payment: the senders' degrees come from records)."""
    return {HUB: {ACCOUNTS[a] for a in hub_users},
            **{ACCOUNTS[a]: {HUB} for a in SENDERS}}


def test_a_replaced_fan_in_signal_about_a_hub_does_not_relink_its_senders_cases() -> None:
    """The fan-in signal about hub 2 is replaced by one naming a third sender; the hub stays a
    hub and a payment to it arrived, and sender 0 paid someone else (its degree grew, under
    the limit): only the signal's own case is rebuilt, not its senders'."""
    before = [*OWN, _fan_in(10, 2, [0, 1])]
    after = [*OWN, _fan_in(11, 2, SENDERS)]
    old = _paid(SENDERS)
    new = {**old, HUB: old[HUB] | {ACCOUNTS[5]}, ACCOUNTS[0]: {HUB, ACCOUNTS[6]}}
    region, earlier_groups, relinked = _relink(before, after, old, new)
    assert _view(relinked) == {((after[-1].id,), (), (HUB,))}
    assert len(region.replaced) == 1 and len(earlier_groups) == 4


def test_a_replaced_fan_in_signal_about_a_beneficiary_crossing_the_limit() -> None:
    """Below the limit the fan-in signal joins the senders' cases, above it none: each way the
    senders' cases are rebuilt (the beneficiary arrived, its status changed)."""
    low, high = _paid(SENDERS[:2]), _paid(SENDERS)
    small, large = _fan_in(10, 2, SENDERS[:2]), _fan_in(11, 2, SENDERS)
    for old, new, first, then in ((low, high, small, large), (high, low, large, small)):
        region, _, relinked = _relink([*OWN, first], [*OWN, then], old, new)
        assert {OWN[0].id, OWN[1].id} <= set(region.ids)
        assert max(len(g.signals) for g in relinked) == (3 if then is small else 1)


def test_a_kept_fan_in_signal_whose_beneficiary_stops_being_a_hub_joins_its_senders() -> None:
    """The fan-in signal is kept; the beneficiary's degree counted from signals falls under
    the limit when another signal naming it is removed, so its senders become edges of the
    kept signal: their cases are rebuilt, and joined."""
    kept = _fan_in(10, 2, [0, 1])
    other = _signal(11, [(2, "payee"), (5, "payer")])
    senders = {ACCOUNTS[a]: {HUB} for a in (0, 1, 5)}
    region, _, relinked = _relink([*OWN, kept, other], [*OWN, kept], senders, senders)
    assert {OWN[0].id, OWN[1].id} <= set(region.ids)
    assert any(len(g.signals) == 3 for g in relinked)


def test_a_removed_signal_s_edges_still_affect_their_case() -> None:
    """A removed signal that joined two senders' cases: its case splits, both halves relinked."""
    joining = _signal(10, [0, 1])
    paid = _paid(SENDERS)
    region, earlier_groups, relinked = _relink([*OWN, joining], OWN, paid, paid)
    assert len(earlier_groups) == 2 and len(region.replaced) == 1
    assert _view(relinked) == _view(link(OWN[:2], CONFIG))


def test_hubs_before_are_told_only_where_the_stored_cases_show_them() -> None:
    """A member was no hub; a beneficiary named alone in its role but held by no case was one;
    a sender, a counterparty of it there, cannot be told."""
    signals = [_signal(0, [0, 8]), _fan_in(1, 2, [0, 1])]
    members = _members(link(signals, CONFIG, _paid(SENDERS)))
    assert str(HUB) not in members
    known = hubs_before([str(HUB), str(ACCOUNTS[0]), str(ACCOUNTS[1])], _earlier(signals),
                        members, CONFIG)
    assert known == {str(HUB): True, str(ACCOUNTS[0]): False}


def test_a_hub_whose_earlier_status_cannot_be_told_is_taken_as_changed() -> None:
    """Sender 0 names two beneficiaries with sender 1, so it is a counterparty of each: the
    stored cases cannot tell whether it was a hub. It was (three users) and is no longer, so the
    beneficiaries become edges of the kept signal and their own cases must be relinked."""
    kept = _signal(10, [(0, "payer"), (1, "payer"), (4, "payee"), (5, "payee")])
    own = [_signal(0, [4, 8]), _signal(1, [5, 9])]
    few = {ACCOUNTS[a]: {ACCOUNTS[3]} for a in (1, 4, 5)}
    old = {**few, ACCOUNTS[0]: {ACCOUNTS[a] for a in (3, 6, 7)}}
    new = {**few, ACCOUNTS[0]: {ACCOUNTS[3]}}
    signals = [*own, kept]
    assert hubs_before([str(ACCOUNTS[0])], _earlier(signals),
                       _members(link(signals, CONFIG, old)), CONFIG) == {}
    region, _, relinked = _relink(signals, signals, old, new)
    assert {s.id for s in own} <= set(region.ids)
    assert len(relinked) == 1


def test_a_kept_case_naming_a_hub_whose_degree_grew_is_restated_not_relinked() -> None:
    """Sender 0's own signal names the hub as its one payee: the hub is skipped there, and a
    payment from a new sender raises its degree. The case keeps its members and signals; only
    its hub reason's degree is restated."""
    own = _signal(0, [(0, "payer"), (2, "payee")])
    old = _paid(SENDERS)
    new = {**old, HUB: old[HUB] | {ACCOUNTS[5]}}
    region, earlier_groups, relinked = _relink([own], [own], old, new)
    assert not region.replaced and not relinked
    assert region.hubs[str(HUB)].degree == 4
    assert earlier_groups[0].hubs[0].degree == 3
