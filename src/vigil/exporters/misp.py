"""Cases as MISP events (MISP core format), with tags from vigil's own taxonomy.

One event per case, in the ``{"response": [{"Event": ...}]}`` form MISP's search API answers
with and imports. Identifiers become MISP objects from the MISP object templates (accounts as
``user-account``, phones as ``phone-number``, payment accounts as ``bank-account``, wallets as
``coin-address``, devices as ``device``) or attributes (``ip-src``, ``email-src``, ``md5``,
``sha256``; PDQ, which MISP has no attribute type for, as ``text`` commented "PDQ"); each signal
is a ``text`` attribute with its explanation, and the reasons a ``comment``. Tags come from
``vigil-taxonomy.json`` (MISP taxonomy format) beside this module, plus ``tlp:red``. Events are
distributed to the exporting organisation only (distribution 0): sharing wider is a decision.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vigil.exporters.context import CaseFileExporter, ExportContext
from vigil.exporters.facts import has_sextortion, has_stated_minor, live_media
from vigil.exporters.parties import shareable_explanation
from vigil.exporters.vics_case import VIGIL_NAMESPACE
from vigil.identifiers import EntityKind
from vigil.model import Case, EntityRef

if TYPE_CHECKING:  # pymisp (requests with it) takes 0.1-0.3 s to import: imported when used
    from pymisp import MISPEvent, MISPObject

TAXONOMY_PATH = Path(__file__).with_name("vigil-taxonomy.json")
_ATTRIBUTES = {EntityKind.IP: "ip-src", EntityKind.EMAIL: "email-src"}
_HASH_TYPES = {"md5": "md5", "sha256": "sha256"}


def _object(entity: EntityRef) -> MISPObject | None:
    first, _, rest = entity.value.partition(":")
    template, fields = {
        EntityKind.ACCOUNT: ("user-account", [("username", rest), ("user-id", entity.value),
                                              ("description", f"platform {first}")]),
        EntityKind.PHONE: ("phone-number", [("phone-number", entity.value)]),
        EntityKind.PAYMENT_ACCOUNT: ("bank-account", [("account", rest),
                                                      ("institution-name", first)]),
        EntityKind.WALLET: ("coin-address", [("address", rest), ("symbol", first.upper())]),
        EntityKind.DEVICE: ("device", [("name", entity.value)]),
    }.get(entity.kind, ("", []))
    if not template:
        return None
    from pymisp import MISPObject

    obj = MISPObject(template, standalone=False)
    for relation, value in fields:
        obj.add_attribute(relation, value=value)
    return obj


def vigil_tags(case: Case, gate_reason: str) -> list[str]:
    """The taxonomy tags of ``case`` (every one is defined in ``vigil-taxonomy.json``)."""
    tags = [f'vigil:signal-kind="{k.value}"' for k in sorted(case.signal_kinds())]
    tags.append(f'vigil:review="{case.status.value}"')
    if gate_reason:
        tags.append('vigil:gate="confirmed"' if gate_reason.startswith("confirmed")
                    else 'vigil:gate="known-hash-only"')
    for found, value in ((live_media(case), "live-streaming"), (has_sextortion(case),
                         "sextortion"), (has_stated_minor(case), "minor")):
        if found:
            tags.append(f'vigil:indicator="{value}"')
    return tags


class MispEventExporter(CaseFileExporter):
    name = "misp"
    media_type = "application/json"
    description = "MISP events (objects, attributes, vigil taxonomy tags), one per case"

    def render(self, cases: Sequence[Case], context: ExportContext) -> str:
        events = [{"Event": json.loads(self.event(c, context).to_json())} for c in cases]
        return json.dumps({"response": events}, indent=1, ensure_ascii=False) + "\n"

    def event(self, case: Case, context: ExportContext) -> MISPEvent:
        from pymisp import MISPEvent

        decision = context.decisions.get(case.id)
        event = MISPEvent()
        event.uuid = str(uuid.uuid5(VIGIL_NAMESPACE, context.report_id(case)))
        event.info = f"vigil case {case.id} (priority {case.priority:.3f})"
        event.distribution = 0
        event.threat_level_id = 1
        event.analysis = 2 if case.status.value == "confirmed" else 1
        event.set_date(context.at.date())
        for tag in ["tlp:red", *vigil_tags(case, decision.reason if decision else "")]:
            event.add_tag(tag)
        for entity in case.entities:
            self._add_entity(event, entity)
        for signal in case.signals:
            comment = (f"{signal.source} {signal.detector_version} score {signal.score:.2f} "
                       f"at {signal.observed_at.isoformat()}")
            event.add_attribute("text", shareable_explanation(signal, case), comment=comment,
                                to_ids=False)
        reasons = "\n".join(str(r) for r in case.reasons) or "no reasons"
        event.add_attribute("comment", reasons, comment="why vigil ranked the case", to_ids=False)
        return event

    @staticmethod
    def _add_entity(event: MISPEvent, entity: EntityRef) -> None:
        extra: dict[str, Any] = {"to_ids": False}
        if entity.kind in _ATTRIBUTES:
            event.add_attribute(_ATTRIBUTES[entity.kind], entity.value, **extra)
        elif entity.kind is EntityKind.MEDIA:
            signal_type, _, digest = entity.value.partition(":")
            kind = _HASH_TYPES.get(signal_type, "text")
            comment = "bank hash" if kind != "text" else f"{signal_type.upper()} bank hash"
            event.add_attribute(kind, digest, comment=comment, **extra)
        else:
            obj = _object(entity)
            if obj is not None:
                event.add_object(obj)
