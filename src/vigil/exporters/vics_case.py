"""A case's media hashes as a Project VIC VICS 2.0 case (JSON OData, ``#Cases``).

The case becomes one VICS ``Case`` (``CaseID`` a GUID derived from the case id, ``CaseNumber``
the case id) whose ``Media`` are the bank hashes the case matched, written with the same field
names and digest case as vigil's VICS bank files (:mod:`vigil.media.banks.vics`), so a VICS
reader, vigil's own included, reads them back. A bank's numeric label becomes ``Category``
(Project VIC VICS 2.0 data model); other labels become ``Tags``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from vigil.exporters.context import CaseFileExporter, ExportContext
from vigil.identifiers import EntityKind
from vigil.media.banks.vics import _VICS_HASH_FIELDS, _VICS_UPPER_CASE
from vigil.model import Case

VICS_CASES_CONTEXT = ("http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/"
                      "$metadata#Cases")
VIGIL_NAMESPACE = uuid.UUID("5b0f1c3e-7a52-4c1e-9a7d-6f3f0e0c2a11")
"""Namespace of the GUIDs vigil derives (uuid5), so one case always has one ``CaseID``."""


def bank_labels(case: Case) -> dict[str, str]:
    """``signal_type:hash`` -> the bank label its match carried, from the signals' evidence."""
    labels: dict[str, str] = {}
    for signal in case.signals:
        matches = signal.evidence.get("matches")
        for m in matches if isinstance(matches, list) else []:
            if isinstance(m, dict) and m.get("label"):
                labels[f"{m.get('signal_type', 'pdq')}:{m.get('hash')}"] = str(m["label"])
    return labels


def vics_media(case: Case) -> list[dict[str, Any]]:
    """One VICS media item per bank hash of ``case`` (its ``media:`` identifiers)."""
    labels = bank_labels(case)
    items: list[dict[str, Any]] = []
    for media in case.entities_of(EntityKind.MEDIA):
        signal_type, _, digest = media.value.partition(":")
        if signal_type not in _VICS_HASH_FIELDS:
            continue
        item: dict[str, Any] = {"MediaID": len(items) + 1}
        upper = signal_type in _VICS_UPPER_CASE
        item[_VICS_HASH_FIELDS[signal_type]] = digest.upper() if upper else digest
        label = labels.get(media.value, "")
        if label:
            item["Category" if label.isdigit() else "Tags"] = int(label) if label.isdigit() \
                else label
        items.append(item)
    return items


class VicsCaseExporter(CaseFileExporter):
    name = "vics"
    media_type = "application/json"
    description = "The cases' bank hashes as Project VIC VICS 2.0 JSON (#Cases)"

    def render(self, cases: Sequence[Case], context: ExportContext) -> str:
        value = [{"CaseID": str(uuid.uuid5(VIGIL_NAMESPACE, case.id)), "CaseNumber": case.id,
                  "SourceApplicationName": "vigil", "Media": vics_media(case)}
                 for case in cases]
        document = {"@odata.context": VICS_CASES_CONTEXT, "value": value}
        return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
