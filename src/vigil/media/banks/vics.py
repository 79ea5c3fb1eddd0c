"""Project VIC VICS 2.0 JSON (OData) bank files.

A VICS hash set (``value`` = media) or case export (``value[*].Media``) (Project VIC VICS
data model 2.0). MD5 is imported, and ``SHA256``/``PDQ`` fields where an exporter added them
(they are not in the VICS 2.0 model); ``Category`` becomes the label. PhotoDNA hashes are counted
and left out: vigil has no PhotoDNA licence. Device file names and paths (``MediaFiles``,
``RelativeFilePath``) are not kept: matching needs none of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from vigil.importers import safe_json
from vigil.media.banks.files import (
    BankFileError,
    BankImport,
    BankSpec,
    EntryCollector,
    normalise_hash,
)
from vigil.media.banks.format_base import BankFormat, sorted_entries
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.signal_types import Md5Signal, PdqSignal, Sha256Signal

VICS_CONTEXT = ("http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/"
                "$metadata#Media")
_VICS_HASH_FIELDS = {kind.name: kind.label for kind in (Md5Signal, Sha256Signal, PdqSignal)}
"""vigil type -> VICS field, in the order VICS lists them (and entries are read)."""
_VICS_UPPER_CASE = frozenset({Md5Signal.name})
"""Types whose digests Project VIC distributes in upper case (MD5)."""
_VICS_KEPT = ("MediaID", "Category", "SHA1", "MediaSize", "MimeType", "Series", "Tags",
              "VictimIdentified", "OffenderIdentified", "IsDistributed", "DateUpdated")


def _vics_media(document: Any, spec: BankSpec) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, media item)`` from a hash set (``value`` = media) or a case export."""
    value = document.get("value") if isinstance(document, dict) else None
    if not isinstance(value, list):
        raise BankFileError(f"{spec.origin}: not a VICS file: no top-level 'value' list")
    for i, item in enumerate(value):
        media = item.get("Media") if isinstance(item, dict) else None
        if isinstance(media, list):
            yield from ((f"value[{i}].Media[{j}]", m) for j, m in enumerate(media))
        else:
            yield f"value[{i}]", item


def _vics_hashes(collected: EntryCollector, where: str, media: dict[str, Any]) -> None:
    fields = {str(key).lower(): value for key, value in media.items()}
    category, tags = fields.get("category"), fields.get("tags")
    label = str(category) if category is not None else (tags if isinstance(tags, str) else "")
    only = collected.spec.only_categories
    if only is not None and label not in only:
        collected.skipped[f"VICS Category {label or 'none'} (not among those chosen)"] += 1
        return
    if fields.get("photodna"):
        collected.skipped["PhotoDNA hash (vigil has no PhotoDNA licence)"] += 1
    found = [(kind, fields[name.lower()]) for kind, name in _VICS_HASH_FIELDS.items()
             if fields.get(name.lower())]
    if not found:
        collected.skipped["media item with no MD5, SHA256 or PDQ (SHA1 or PhotoDNA only)"] += 1
    kept = {k: media[k] for k in _VICS_KEPT
            if k in media and (media[k] is None or isinstance(media[k], str | int | float))}
    for signal_type, raw in found:
        hashed = (signal_type, raw if isinstance(raw, str) else repr(raw))
        collected.add(where, hashed, normalise_hash, label, collected.spec.source,
                      {"vics": kept})


class VicsBankFormat(BankFormat):
    """Project VIC VICS 2.0 JSON (OData); written as a ``#Media`` hash set."""

    name = "vics"
    description = "Project VIC VICS 2.0 JSON (OData), written as a #Media hash set"
    extensions = (".json",)

    def sniff(self, head: str) -> bool:
        start = head.lstrip()[:1024].lower()
        return start.startswith("{") and ("odata" in start or '"value"' in start)

    def read(self, text: str, spec: BankSpec) -> BankImport:
        try:
            document = safe_json.loads(text)
        except json.JSONDecodeError as exc:
            raise BankFileError(f"{spec.origin}: line {exc.lineno}: not JSON: {exc.msg}") from None
        except safe_json.JsonTooDeepError as exc:
            raise BankFileError(f"{spec.origin}: {exc}") from None
        collected = EntryCollector(spec)
        for where, media in _vics_media(document, spec):
            if isinstance(media, dict):
                _vics_hashes(collected, where, media)
            else:
                collected.problem(where, "a media item must be a JSON object")
        return collected.result()

    def write(self, info: BankInfo, entries: Iterable[BankEntry]) -> str:
        ordered = sorted_entries(entries)
        ids = [e.metadata.get("vics", {}).get("MediaID") for e in ordered]
        next_id = max([i for i in ids if isinstance(i, int)] + [0]) + 1
        items: dict[Any, dict[str, Any]] = {}
        for entry, media_id in zip(ordered, ids, strict=True):
            if media_id is None:
                media_id, next_id = next_id, next_id + 1
            item = items.setdefault(media_id, {**entry.metadata.get("vics", {}),
                                               "MediaID": media_id})
            if "Category" not in item and "Tags" not in item and entry.label:
                item["Category" if entry.label.isdigit() else "Tags"] = (
                    int(entry.label) if entry.label.isdigit() else entry.label)
            upper = entry.signal_type in _VICS_UPPER_CASE
            item[_VICS_HASH_FIELDS[entry.signal_type]] = entry.hash.upper() if upper else entry.hash
        document = {"@odata.context": VICS_CONTEXT, "value": list(items.values())}
        return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
