"""Incremental linking: which earlier cases a run's changes touch, and the signals to relink.

Cases are the connected components of the signal-identifier graph with hubs left out
(:mod:`vigil.linking`); a signal's *edges* are its linking subjects less the hubs and a hub's
counterparties there (:func:`vigil.linking.edge_subjects`), so they change only with its own
subjects' hub status. A case also names the hubs its signals skipped, with their degrees; a
non-hub's degree is in no case. Between two runs signals became current (*added*) or stopped
being current (*removed*), and degrees may have changed. A degree is counted from record-level
use where records use the identifier, else from the counted entities beside it in signals
(:func:`vigil.linking.find_hubs_of`). Records only arrive, so a used identifier's use changes
only when an arrived record uses it (:func:`vigil.incremental.usage.arrived_identifiers`, the
*arrived* ones), and an unused one's degree only when an added or removed signal names it
(:func:`degree_changes`). Of those, the *moved* identifiers are the ones an earlier signal names
that were a hub before or are one now, or of which that cannot be told: before, a hub is no
edge of any signal, and an identifier that a signal names where it cannot be a counterparty is
an edge of it unless a hub, so a member of an earlier case was no hub, one that such a signal
names but no case holds was one, and any other may have been either (:func:`hubs_before`). Hubs
now are judged over every current signal (:func:`vigil.incremental.relink.hubs_among`). One
shown a hub before and found one now is not moved either: no edge changes with it, only the
degree its hub reason states, which a kept case naming it gets restated (:attr:`Region.hubs`,
:mod:`vigil.incremental.hub_degrees`).

The *touched* identifiers are the moved ones, the edges of each added signal (hubs judged as
now), and a moved hub's counterparties in a signal kept from the last run, where its status
changed or cannot be shown unchanged (:func:`counterparties_of_moved`). A removed signal's edges
need no touching: its case is affected (below), and any other signal they were edges of was in
that case. Nor does any other subject of a changed signal: its hub status and degree are as
they were (a hub's degree restated where it may have changed), or it is no hub either time.

An earlier case is *affected* when one of its signals was removed or names a touched identifier
(as a member, a counterparty, or a hub it skipped). Every other earlier case is still exactly a
component: its signals are all current and name no moved identifier, so each subject of theirs
kept its hub status, and a hub its degree unless restated; their edges are unchanged. The
signals to relink are the current ones of the affected cases plus the added ones, and no edge
joins them to a kept case: an added signal's edges are touched, and an edge that a kept signal
of an affected case shares with a kept case's signal was either its edge before too (then both
were in one case) or became one, as a counterparty of a hub that stopped being one, which is
moved, so the edge was touched. Relinking them alone (hubs judged over every current signal)
therefore gives the components, and hub reasons, that a full relink gives. A hub crossing its
limit needs no fallback: it is moved, so each case that names it is affected and relinked
together (merging when it stops being a hub, splitting when it becomes one), and the cases of
its counterparties in kept signals too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence, Set
from dataclasses import dataclass, field

from vigil.incremental.relink import Earlier, hubs_among
from vigil.linking import Hub, LinkingConfig, counterparties, edge_subjects
from vigil.model import EntityRef
from vigil.store.codec import entity_from_text

Degrees = Callable[[set[EntityRef]], Mapping[EntityRef, int]]
"""The record-level degree of each of the identifiers asked that records use (one no record uses
is left out: its degree is counted from signals), as :func:`vigil.incremental.usage.
usage_degrees` gives them."""


@dataclass(frozen=True)
class Region:
    """The ids of the current signals to relink (in the order given), the earlier case ids
    their new cases replace, and the hubs (by text, each a hub before and now) whose degree
    may have changed: a kept case that names one must state its degree now
    (:mod:`vigil.incremental.hub_degrees`)."""

    ids: list[str]
    replaced: set[str]
    hubs: Mapping[str, Hub] = field(default_factory=dict)


def case_of(item: Earlier, members: Mapping[str, str], config: LinkingConfig) -> str | None:
    """The earlier case a signal was in: the one holding any of its edges (a case holds its
    non-hub identifiers joined), else the one its id names (a case joined by none).

    Its edges in the earlier run, not its linking subjects: a hub's counterparty left out of the
    signal's edges may be a member of another case. The earlier hubs are not kept, but a hub is
    no member, so every subject absent from ``members`` is taken for one: that leaves out at
    least the earlier counterparties, so every subject looked up was an edge (a member of this
    signal's case). Should that leave out all its edges, the answer is ``None`` and the caller
    relinks everything (no wrong case is ever given)."""
    for key in edge_subjects(item.named, lambda text: text not in members, config):
        return members[key]
    return members.get(item.id)


def affected_region(earlier: Sequence[Earlier], current: Sequence[Earlier],
                    arrived: Collection[str], members: Mapping[str, str],
                    config: LinkingConfig, degrees: Degrees) -> Region | None:
    """What to relink (see the module note), given the signals the earlier cases were built
    from, the current ones, the identifiers arrived records use, the earlier membership and
    the record-level degrees. ``None`` when an affected earlier signal is in no earlier case:
    the stored cases were not built from these signals, so everything must be relinked."""
    now = {signal.id for signal in current}
    before = {e.id for e in earlier}
    hit, stayed = touched_identifiers(earlier, current, arrived, members, config, degrees)
    replaced: set[str] = set()
    for item in earlier:
        if item.id in now and hit.isdisjoint(item.subjects):
            continue
        found = case_of(item, members, config)
        if found is None:
            return None
        replaced.add(found)
    # A signal of a replaced case names one of its keys (an edge, or its id): only those are
    # looked up (a key named may be a hub's counterparty, no edge, so the look-up decides).
    keys = {key for key, case in members.items() if case in replaced}
    ids = [s.id for s in current if s.id not in before or (
        not (keys.isdisjoint(s.linking) and s.id not in keys)
        and case_of(s, members, config) in replaced)]
    return Region(ids, replaced, stayed)


def touched_identifiers(earlier: Sequence[Earlier], current: Sequence[Earlier],
                        arrived: Collection[str], members: Mapping[str, str],
                        config: LinkingConfig,
                        degrees: Degrees) -> tuple[set[str], dict[str, Hub]]:
    """The touched identifiers of the module note (the moved ones, the added signals' edges,
    and the counterparties of a moved hub whose status changed or may have), and the hubs
    whose degree alone may have changed (a hub before and now), by text."""
    now = {signal.id for signal in current}
    before = {e.id for e in earlier}
    added = [s for s in current if s.id not in before]
    removed = [e for e in earlier if e.id not in now]
    named = _named_by(earlier, degree_changes([*removed, *added], arrived, degrees))
    judged = named | {text for s in added for text in s.linking}
    hubs = hubs_among(judged, current, config,
                      degrees({entity_from_text(text) for text in judged}))
    known = hubs_before(named, earlier, members, config)
    stayed = {text: hubs[text] for text in named if known.get(text) is True and text in hubs}
    moved = {text for text in named
             if text not in stayed and (known.get(text) is not False or text in hubs)}
    hit = set(moved)
    for signal in added:
        hit.update(edge_subjects(signal.named, hubs.__contains__, config))
    kept = [s for s in current if s.id in before]
    for text, others in counterparties_of_moved(kept, moved, config).items():
        if known.get(text) != (text in hubs):
            hit.update(others)
    return hit, stayed


def degree_changes(changed: Sequence[Earlier], arrived: Collection[str],
                   degrees: Degrees) -> set[str]:
    """The identifiers whose degree may have changed: the ``arrived`` ones (records only
    arrive, so another's use is as it was) and the subjects of the ``changed`` signals (added
    or removed) that no record uses (their degree is counted from the signals naming them)."""
    named = {text for item in changed for text in item.subjects}.difference(arrived)
    refs = {text: entity_from_text(text) for text in named}
    used = degrees(set(refs.values()))
    return {text for text, ref in refs.items() if ref not in used}.union(arrived)


def _named_by(signals: Sequence[Earlier], wanted: set[str]) -> set[str]:
    """Those of ``wanted`` that one of ``signals`` names."""
    found: set[str] = set()
    for item in signals:
        if not wanted.isdisjoint(item.subjects):
            found.update(wanted.intersection(item.subjects))
    return found


def counterparties_of_moved(kept: Sequence[Earlier], moved: Set[str],
                            config: LinkingConfig) -> dict[str, set[str]]:
    """Each ``moved`` identifier with its counterparties (:func:`vigil.linking.counterparties`)
    in the ``kept`` signals (current in both runs): the subjects that became or stopped being
    edges of those signals if it changed hub status. One step is enough: a signal's edges
    depend on its own subjects' status alone."""
    found: dict[str, set[str]] = {}
    for item in kept:
        if item.roles and not moved.isdisjoint(item.subjects):
            for text, others in counterparties(item.named, config):
                if text in moved:
                    found.setdefault(text, set()).update(others)
    return found


def hubs_before(wanted: Collection[str], earlier: Sequence[Earlier], members: Mapping[str, str],
                config: LinkingConfig) -> dict[str, bool]:
    """Whether each ``wanted`` identifier was a hub in the run that built the stored cases,
    where that can be shown; one left out may have been either. A hub is no edge, so a member
    of an earlier case was none; an identifier that an earlier signal names as a linking
    subject and no counterparty there (never left out of its edges but as a hub) was one if
    no case holds it."""
    known = {text: False for text in wanted if text in members}
    rest = set(wanted).difference(known)
    for item in earlier:
        if not rest or rest.isdisjoint(item.linking):
            continue
        cut = {text for _, others in counterparties(item.named, config) for text in others}
        for text in rest.intersection(item.linking).difference(cut):
            known[text] = True
            rest.discard(text)
    return known


__all__ = ["Degrees", "Region", "affected_region", "case_of", "counterparties_of_moved",
           "degree_changes", "hubs_before", "touched_identifiers"]
