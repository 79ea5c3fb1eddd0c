"""Bank files in the formats partners already have: vigil CSV, python-threatexchange, Project VIC.

Each format is a :class:`BankFormat` with a stable name (``csv``, ``pytx``, ``pytx-text``,
``vics``) in :data:`BANK_FORMATS`; :func:`sniff_bank_format` tells them apart by content, then by
file extension. As with vigil's CSV, a file with a malformed hash is refused whole, naming every
bad row; rows left out on purpose are counted in :attr:`BankImport.skipped`.

- ``pytx``: what python-threatexchange's CLI writes with ``threatexchange dataset -P --csv``
  (``signal_type,signal_str,collab,category,tags``; tags space-separated; category the aggregate
  opinion, e.g. ``POSITIVE_CLASS``) (pytx ``cli/dataset_cmd.py``). It also reads ``pytx-text``.
  ``NEGATIVE_CLASS`` rows (pytx: signals that "match the wrong content") go only into a negative
  bank, every other category only into a positive one; ``DISPUTED`` rows stay positive, with the
  category kept in the entry's metadata for the analyst.
- ``pytx-text``: one ``<signal_type> <signal>`` a line, as pytx's local-file exchange reads and
  writes (``exchanges/impl/file_api.py``) and ``threatexchange hash`` prints (``cli/hash_cmd.py``;
  with ``--photo-preprocess rotations`` a rotation name comes first; it is kept as metadata).
- ``vics``: a Project VIC VICS OData JSON hash set (``value`` = media) or case export
  (``value[*].Media``) (cases-and-sharing.md §2.4). MD5 is imported, and ``SHA256``/``PDQ``
  fields where an exporter added them (they are not in the VICS 2.0 model); ``Category`` becomes
  the label. PhotoDNA hashes are counted and left out: vigil has no PhotoDNA licence. Device file
  names and paths (``MediaFiles``, ``RelativeFilePath``) are not kept: matching needs none of them.

pytx signal types vigil cannot match (url, raw_text, vpdq...) are counted, not refused: a pytx
dataset mixes many types, and only the hash types are bank material.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from vigil.importers import safe_json
from vigil.media.banks import (
    BANK_CSV_COLUMNS,
    BankFileError,
    BankImport,
    BankSpec,
    EntryCollector,
    bank_csv_text,
    csv_rows,
    normalise_hash,
    read_bank_csv,
)
from vigil.store.interfaces import BankEntry, BankInfo, BankKind

PYTX_SIGNAL_TYPES = {"pdq": "pdq", "md5": "video_md5", "sha256": "video_sha256"}
"""vigil signal type -> pytx ``SignalType.get_name()`` (PdqSignal, VideoMD5Signal, ...)."""
_FROM_PYTX = {**{name: vigil for vigil, name in PYTX_SIGNAL_TYPES.items()},
              "md5": "md5", "sha256": "sha256"}  # the short names pytx's docs also use
PYTX_CSV_COLUMNS = ("signal_type", "signal_str", "collab", "category", "tags")
PYTX_CATEGORIES = ("NEGATIVE_CLASS", "INVESTIGATION_SEED", "POSITIVE_CLASS", "DISPUTED")
"""pytx ``AggregateSignalOpinionCategory`` names (``exchanges/fetch_state.py``)."""
_PYTX_ROTATIONS = frozenset({"ORIGINAL", "ROTATE90", "ROTATE180", "ROTATE270", "FLIPX", "FLIPY",
                             "FLIPPLUS1", "FLIPMINUS1"})  # pytx content_base.RotationType names
VICS_CONTEXT = ("http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/"
                "$metadata#Media")
_VICS_HASH_FIELDS = {"md5": "MD5", "sha256": "SHA256", "pdq": "PDQ"}  # vigil type -> field
_VICS_KEPT = ("MediaID", "Category", "SHA1", "MediaSize", "MimeType", "Series", "Tags",
              "VictimIdentified", "OffenderIdentified", "IsDistributed", "DateUpdated")
_SNIFF_CHARS = 4096


class BankFormat(ABC):
    """One bank file format; ``name`` is its stable key in :data:`BANK_FORMATS`."""

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]

    @abstractmethod
    def sniff(self, head: str) -> bool:
        """Whether the first few thousand characters of a file look like this format."""

    @abstractmethod
    def read(self, text: str, spec: BankSpec) -> BankImport: ...

    @abstractmethod
    def write(self, info: BankInfo, entries: Iterable[BankEntry]) -> str:
        """The entries as file text; equal banks give equal text (sorted by type and hash)."""


def _sorted(entries: Iterable[BankEntry]) -> list[BankEntry]:
    return sorted(entries, key=lambda e: (e.signal_type, e.hash, e.label, e.source))


class CsvBankFormat(BankFormat):
    """vigil's own ``hash,signal_type,label,source`` (:mod:`vigil.media.banks`)."""

    name = "csv"
    extensions = (".csv",)

    def sniff(self, head: str) -> bool:
        first = head.partition("\n")[0]
        return sorted(c.strip() for c in first.split(",")) == sorted(BANK_CSV_COLUMNS)

    def read(self, text: str, spec: BankSpec) -> BankImport:
        return read_bank_csv(text, spec)

    def write(self, info: BankInfo, entries: Iterable[BankEntry]) -> str:
        return bank_csv_text(entries)


@functools.cache
def _pytx_checks() -> dict[str, Callable[[str], str]]:
    """pytx's own ``validate_signal_str`` per vigil type, or none if threatexchange is absent."""
    # The package is optional, so mypy may not find it; the ignores cover that case only.
    try:
        from threatexchange.signal_type.md5 import (  # type: ignore[import-not-found,unused-ignore]
            VideoMD5Signal,
        )
        from threatexchange.signal_type.pdq.signal import (  # type: ignore[import-not-found,unused-ignore]
            PdqSignal,
        )
        from threatexchange.signal_type.sha256 import (  # type: ignore[import-not-found,unused-ignore]
            VideoSHA256Signal,
        )
    except ImportError:  # optional: vigil's own checks below accept exactly the same hashes
        return {}
    return {"pdq": PdqSignal.validate_signal_str, "md5": VideoMD5Signal.validate_signal_str,
            "sha256": VideoSHA256Signal.validate_signal_str}


def validate_pytx_signal(pytx_type: str, signal: str) -> tuple[str, str]:
    """``(vigil signal type, hash)`` for a pytx signal; ``ValueError`` if pytx would refuse it."""
    vigil_type = _FROM_PYTX.get(pytx_type.strip().lower())
    if vigil_type is None:
        raise ValueError(f"pytx signal type {pytx_type!r} is not one vigil matches")
    signal_type, digest = normalise_hash(vigil_type, signal)
    check = _pytx_checks().get(signal_type)
    return signal_type, check(digest) if check else digest


def _pytx_type_known(collected: EntryCollector, where: str, pytx_type: str) -> bool:
    """False (and the row counted) for a pytx signal type vigil has no matcher for."""
    if not pytx_type:
        collected.problem(where, "no signal type")
        return False
    if pytx_type.lower() in _FROM_PYTX:
        return True
    known = ", ".join(sorted(PYTX_SIGNAL_TYPES.values()))
    collected.skipped[f"pytx signal type {pytx_type!r} (vigil matches {known})"] += 1
    return False


def _category_fits(collected: EntryCollector, category: str) -> bool:
    """Known false positives go only into a negative bank, everything else only a positive one."""
    negative = collected.spec.kind is BankKind.NEGATIVE
    if (category == "NEGATIVE_CLASS") == negative:
        return True
    reason = ("rows other than NEGATIVE_CLASS (a negative bank holds known false positives only)"
              if negative else
              "NEGATIVE_CLASS rows (known false positives: import them into a negative bank)")
    collected.skipped[reason] += 1
    return False


def _read_pytx_csv(text: str, spec: BankSpec) -> BankImport:
    collected = EntryCollector(spec)
    for where, values in csv_rows(text, PYTX_CSV_COLUMNS, collected):
        category = values["category"].upper()
        if category not in PYTX_CATEGORIES:
            collected.problem(where, f"unknown category {values['category']!r}")
        elif _pytx_type_known(collected, where, values["signal_type"]) and _category_fits(
                collected, category):
            metadata = {"pytx": {"category": category, "tags": values["tags"].split()}}
            collected.add(where, (values["signal_type"], values["signal_str"]),
                          validate_pytx_signal, values["tags"], values["collab"], metadata)
    return collected.result()


def _read_pytx_text(text: str, spec: BankSpec) -> BankImport:
    collected = EntryCollector(spec)
    for number, line in enumerate(text.splitlines(), start=1):
        tokens, where, details = line.split(), f"line {number}", {}
        if not tokens:
            continue
        if tokens[0].upper() in _PYTX_ROTATIONS and len(tokens) >= 3:
            details["rotation"] = tokens.pop(0).upper()
        if len(tokens) < 2:
            collected.problem(where, "expected '<signal_type> <hash>'")
            continue
        if len(tokens) > 2:
            details["extra"] = " ".join(tokens[2:])
        if _pytx_type_known(collected, where, tokens[0]):
            collected.add(where, (tokens[0], tokens[1]), validate_pytx_signal,
                          source=spec.source, metadata={"pytx": details} if details else None)
    return collected.result()


def _looks_like_pytx_text(head: str) -> bool:
    tokens = next((line.split() for line in head.splitlines() if line.strip()), [])
    if tokens and tokens[0].upper() in _PYTX_ROTATIONS:
        tokens = tokens[1:]
    return len(tokens) >= 2 and tokens[0].lower() in _FROM_PYTX


class PytxBankFormat(BankFormat):
    """python-threatexchange's ``dataset -P --csv`` CSV (written); reads pytx-text lines too."""

    name = "pytx"
    extensions = (".csv",)

    def sniff(self, head: str) -> bool:
        first = head.partition("\n")[0]
        return [c.strip() for c in first.split(",")] == list(PYTX_CSV_COLUMNS) or (
            _looks_like_pytx_text(head))

    def read(self, text: str, spec: BankSpec) -> BankImport:
        if _looks_like_pytx_text(text[:_SNIFF_CHARS]):
            return _read_pytx_text(text, spec)
        return _read_pytx_csv(text, spec)

    def write(self, info: BankInfo, entries: Iterable[BankEntry]) -> str:
        default = "NEGATIVE_CLASS" if info.kind is BankKind.NEGATIVE else "POSITIVE_CLASS"
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(PYTX_CSV_COLUMNS)
        for entry in _sorted(entries):
            pytx = entry.metadata.get("pytx") or {}
            writer.writerow([PYTX_SIGNAL_TYPES[entry.signal_type], entry.hash, entry.source,
                             pytx.get("category", default), entry.label])
        return buffer.getvalue()


class PytxTextBankFormat(BankFormat):
    """One ``<signal_type> <signal>`` a line: pytx's local-file exchange format."""

    name = "pytx-text"
    extensions = (".txt",)

    def sniff(self, head: str) -> bool:
        return _looks_like_pytx_text(head)

    def read(self, text: str, spec: BankSpec) -> BankImport:
        return _read_pytx_text(text, spec)

    def write(self, info: BankInfo, entries: Iterable[BankEntry]) -> str:
        return "".join(f"{PYTX_SIGNAL_TYPES[e.signal_type]} {e.hash}\n" for e in _sorted(entries))


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
        ordered = _sorted(entries)
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
            digest = entry.hash.upper() if entry.signal_type == "md5" else entry.hash
            item[_VICS_HASH_FIELDS[entry.signal_type]] = digest  # MD5 upper-case, as distributed
        document = {"@odata.context": VICS_CONTEXT, "value": list(items.values())}
        return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


BANK_FORMATS: dict[str, BankFormat] = {
    fmt.name: fmt
    for fmt in (VicsBankFormat(), PytxBankFormat(), CsvBankFormat(), PytxTextBankFormat())
}
"""Every format by name, in the order :func:`sniff_bank_format` tries them."""


def bank_format(name: str) -> BankFormat:
    try:
        return BANK_FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown bank format {name!r}: use one of "
                         f"{', '.join(sorted(BANK_FORMATS))}") from None


def sniff_bank_format(text: str, filename: str = "") -> BankFormat:
    """The format ``text`` looks like; failing that, the one its file extension names."""
    head = text.lstrip("\ufeff")[:_SNIFF_CHARS]
    for fmt in BANK_FORMATS.values():
        if fmt.sniff(head):
            return fmt
    suffix = Path(filename).suffix.lower()
    for fmt in BANK_FORMATS.values():
        if suffix in fmt.extensions and suffix != ".csv":  # two CSV formats: content decides
            return fmt
    raise BankFileError(f"{filename or '<bank file>'}: cannot tell the bank format; name one of "
                        f"{', '.join(sorted(BANK_FORMATS))}")


def read_bank(text: str, spec: BankSpec, format: str | None = None) -> BankImport:
    """Parse bank ``text`` in the named format (sniffed when ``None``) into ``spec``'s bank."""
    text = text.lstrip("\ufeff")
    fmt = bank_format(format) if format else sniff_bank_format(text, spec.origin)
    return fmt.read(text, spec)


def load_bank(path: Path, spec: BankSpec, format: str | None = None) -> BankImport:
    """Read a bank file (UTF-8, optional BOM); errors and the default source name the path."""
    if spec.origin == BankSpec.origin:
        spec = replace(spec, origin=str(path))
    return read_bank(Path(path).read_text(encoding="utf-8-sig"), spec, format)


def export_bank(info: BankInfo, entries: Iterable[BankEntry], path: Path,
                format: str | None = None) -> None:
    """Write a bank; without ``format``, ``.json`` is VICS, ``.txt`` pytx-text, else csv."""
    if format is None:
        by_suffix = {".json": "vics", ".txt": "pytx-text"}
        format = by_suffix.get(Path(path).suffix.lower(), "csv")
    text = bank_format(format).write(info, entries)
    Path(path).write_text(text, encoding="utf-8", newline="")
