"""Cases as STIX 2.1 bundles (OASIS STIX 2.1), for threat-intelligence tools and partners.

Per case: an ``incident`` (the case), an ``identity`` (the exporting organisation, creator of
every object), one observable per identifier (accounts as ``user-account``, IPs as ``ipv4-addr``
/ ``ipv6-addr``, emails as ``email-addr``; phones, payment accounts, wallets and devices, for
which STIX 2.1 has no observable, as the custom ``x-vigil-identifier``), an ``indicator`` per bank
hash (a ``file:hashes`` pattern), ``related-to`` / ``indicates`` relationships to the incident, an
``observed-data`` and a ``sighting`` per signal, and a ``note`` with the case's reasons.
Everything is marked TLP:RED: a case names people, and sharing it wider is a person's decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import stix2
from stix2.properties import StringProperty

from vigil.exporters.context import CaseFileExporter, ExportContext
from vigil.exporters.parties import shareable_explanation
from vigil.identifiers import EntityKind
from vigil.model import Case, EntityRef, Signal


@stix2.v21.CustomObservable("x-vigil-identifier", [
    ("kind", StringProperty(required=True)),
    ("value", StringProperty(required=True)),
], id_contrib_props=["kind", "value"])
class VigilIdentifier:
    """A phone, payment account, wallet or device: identifiers STIX 2.1 has no observable for."""


STIX_HASH_NAMES = {"md5": "MD5", "sha256": "SHA-256", "pdq": "PDQ"}
"""vigil signal type -> ``file:hashes`` key (MD5 and SHA-256 from the STIX 2.1 hash vocabulary;
PDQ, not in it, by the name Meta's ThreatExchange gives it)."""


def observable(entity: EntityRef) -> Any:
    """The STIX observable for one identifier (``None`` for bank hashes and conversations)."""
    kind, value = entity.kind, entity.value
    if kind is EntityKind.ACCOUNT:
        platform, _, handle = value.partition(":")
        return stix2.v21.UserAccount(user_id=value, account_login=handle, account_type=platform)
    if kind is EntityKind.IP:
        cls = stix2.v21.IPv6Address if ":" in value else stix2.v21.IPv4Address
        return cls(value=value)
    if kind is EntityKind.EMAIL:
        return stix2.v21.EmailAddress(value=value)
    if kind in (EntityKind.PHONE, EntityKind.PAYMENT_ACCOUNT, EntityKind.WALLET,
                EntityKind.DEVICE):
        return VigilIdentifier(kind=kind.value, value=value)  # type: ignore[call-arg]
    return None


def hash_indicator(entity: EntityRef, context: ExportContext, **common: Any) -> Any:
    signal_type, _, digest = entity.value.partition(":")
    name = STIX_HASH_NAMES.get(signal_type)
    if name is None:
        return None
    return stix2.v21.Indicator(
        name=f"{signal_type} hash in a bank of known material", pattern_type="stix",
        pattern=f"[file:hashes.'{name}' = '{digest}']", valid_from=context.at,
        indicator_types=["malicious-activity"], **common)


class StixBundleExporter(CaseFileExporter):
    name = "stix"
    media_type = "application/stix+json"
    description = "STIX 2.1 bundle: incident, observables, hash indicators, sightings, a note"

    def render(self, cases: Sequence[Case], context: ExportContext) -> str:
        org = stix2.v21.Identity(name="vigil", identity_class="organization",
                                 created=context.at, modified=context.at)
        objects: list[Any] = [org]
        for case in cases:
            objects += self._case(case, context, org)
        return str(stix2.v21.Bundle(objects=objects, allow_custom=True).serialize(pretty=True))

    def _case(self, case: Case, context: ExportContext, org: Any) -> list[Any]:
        common = {"created_by_ref": org.id, "created": context.at, "modified": context.at,
                  "object_marking_refs": [stix2.v21.TLP_RED.id], "allow_custom": True}
        decision = context.decisions.get(case.id)
        incident = stix2.v21.Incident(
            name=case.id, description=f"vigil case {case.id}, priority {case.priority:.3f}; "
            f"{decision.reason if decision else 'not through the gate'}", **common)
        observables = {e: observable(e) for e in case.entities}
        indicators = {e: hash_indicator(e, context, **common)
                      for e in case.entities_of(EntityKind.MEDIA)}
        found = [o for o in [*observables.values(), *indicators.values()] if o is not None]
        relations = [stix2.v21.Relationship(
            source_ref=i.id if e in indicators else incident.id,
            relationship_type="indicates" if e in indicators else "related-to",
            target_ref=incident.id if e in indicators else i.id, **common)
            for e, i in [*observables.items(), *indicators.items()] if i is not None]
        sightings = [part for s in case.signals
                     for part in self._sighting(s, shareable_explanation(s, case), incident,
                                                observables, indicators, common)]
        note = stix2.v21.Note(abstract=f"Why vigil ranked {case.id}",
                              content="\n".join(str(r) for r in case.reasons) or "no reasons",
                              object_refs=[incident.id], **common)
        return [incident, *found, *relations, *sightings, note]

    @staticmethod
    def _sighting(signal: Signal, explanation: str, incident: Any,
                  observables: dict[EntityRef, Any],
                  indicators: dict[EntityRef, Any], common: dict[str, Any]) -> list[Any]:
        seen = [observables[e].id for e in signal.subjects if observables.get(e) is not None]
        hashes = [indicators[e] for e in signal.subjects if indicators.get(e) is not None]
        data = []
        if seen:
            data = [stix2.v21.ObservedData(
                first_observed=signal.observed_at, last_observed=signal.observed_at,
                number_observed=1, object_refs=seen, **common)]
        sighting = stix2.v21.Sighting(
            sighting_of_ref=hashes[0].id if hashes else incident.id,
            first_seen=signal.observed_at, last_seen=signal.observed_at, count=1,
            observed_data_refs=[d.id for d in data] or None,
            description=f"{signal.source} {signal.detector_version} (score "
                        f"{signal.score:.2f}): {explanation}",
            x_vigil_signal_id=signal.id, **common)
        return [*data, sighting]
