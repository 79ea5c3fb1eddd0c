"""Streaming ISO 20022 XML safely: one credit-transfer transaction at a time, no DTD, no entities.

The parser is defusedxml's (expat underneath) with DTDs forbidden outright, so an XXE attempt
(``<!ENTITY x SYSTEM "file:///...">``) or a billion-laughs entity bomb stops the file at its
DOCTYPE, before any entity is declared, and nothing is fetched from the network. Transactions
(``CdtTrfTxInf``) are handed over as they close and detached from the tree, and each payment
information block (``PmtInf``) is detached when it closes, so memory holds one transaction plus
the headers, whatever the file's size.

Elements in the message's own namespace are renamed to their local name (``Dbtr/Nm``), so the
mapping reads the same for every version of a message; elements of other namespaces keep their
``{namespace}`` and are ignored by the mapping.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from vigil.importers.lines import media_signature

ISO_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(?P<message>[a-z]{4}\.[0-9]{3})"
                           r"\.001\.(?P<version>[0-9]{2})$")
SUPPORTED: dict[str, range] = {"pacs.008": range(8, 13), "pain.001": range(3, 12)}
"""Message versions read: pacs.008.001.08 to .12, pain.001.001.03 to .11 (the fields used are
the same in each; older and newer versions are refused rather than half-read)."""

CHUNK_BYTES = 64 * 1024
MAX_TXN_CHARS = 256 * 1024
"""Most text one transaction may hold; a real one holds well under 4 KB."""
MAX_DEPTH = 64


@dataclass(frozen=True)
class Transaction:
    """One ``CdtTrfTxInf`` with what encloses it: the message header and (pain.001) ``PmtInf``."""

    line: int
    index: int
    element: Element
    header: Element | None
    payment_info: Element | None
    message: str = "pacs.008"
    span: tuple[int, int] = (0, 0)
    """Byte offsets of its start tag and of its end tag in the file."""
    raw: bytes = b""
    """The file's own bytes of the transaction (for a quarantine entry's excerpt and hash)."""


@dataclass(frozen=True)
class XmlProblem:
    """Why reading stopped (the transactions before it were handed over)."""

    line: int
    reason: str


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Target:
    """Builds the tree, renaming the message namespace away and detaching done transactions."""

    def __init__(self) -> None:
        self.builder = TreeBuilder()
        self.stack: list[Element] = []
        self.ready: list[Transaction] = []
        self.namespace: str | None = None
        self.message = ""
        self.count = 0
        self.txn_line = 0
        self.txn_start = 0
        self.txn_chars = -1
        self.line_of: Any = lambda: 0
        self.byte_of: Any = lambda: 0

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        namespace, _, local = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
        if local == "Document" and self.namespace is None:
            self._document(namespace)
        if len(self.stack) >= MAX_DEPTH:
            raise _Refused(f"elements nested deeper than {MAX_DEPTH}: file refused")
        name = local if namespace == self.namespace else tag
        if name == "CdtTrfTxInf":
            self.txn_line, self.txn_start, self.txn_chars = self.line_of(), self.byte_of(), 0
        element = self.builder.start(name, attrib)
        self.stack.append(element)
        return element

    def _document(self, namespace: str) -> None:
        match = ISO_NAMESPACE.match(namespace)
        versions = SUPPORTED.get(match["message"]) if match else None
        if match is None or versions is None or int(match["version"]) not in versions:
            known = "pacs.008.001.08-12, pain.001.001.03-11"
            raise _Refused(f"namespace {namespace[:80]!r} is not a supported ISO 20022 message "
                           f"({known}): file refused")
        self.namespace, self.message = namespace, f"{match['message']}.001.{match['version']}"

    def end(self, tag: str) -> Element:
        element = self.builder.end(tag)
        self.stack.pop()
        if element.tag == "CdtTrfTxInf" and self.stack:
            self.count += 1
            self.ready.append(Transaction(
                self.txn_line, self.count, element, self._find("GrpHdr"),
                self._enclosing("PmtInf"), self.message[:8], (self.txn_start, self.byte_of())))
            self.stack[-1].remove(element)
            self.txn_chars = -1
        elif element.tag == "PmtInf" and self.stack:
            self.stack[-1].remove(element)
        return element

    def _enclosing(self, name: str) -> Element | None:
        return next((e for e in reversed(self.stack) if e.tag == name), None)

    def _find(self, name: str) -> Element | None:
        return next((f for e in reversed(self.stack) if (f := e.find(name)) is not None), None)

    def data(self, text: str) -> None:
        if self.txn_chars >= 0:
            self.txn_chars += len(text)
            if self.txn_chars > MAX_TXN_CHARS:
                raise _Refused(f"transaction {self.count + 1} holds more than "
                               f"{MAX_TXN_CHARS:,} characters: file refused from here")
        self.builder.data(text)

    def close(self) -> Element:
        return self.builder.close()


def read_transactions(path: Path) -> Generator[Transaction | XmlProblem, None, int]:
    """Each transaction of ``path`` as it closes; damage or refusal ends it with a problem.
    Returns the number of lines the parser read."""
    target = _Target()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    expat = parser.parser  # the pure-Python parser's expat object: line numbers of elements
    target.line_of = lambda: expat.CurrentLineNumber
    target.byte_of = lambda: expat.CurrentByteIndex
    window = _Window()
    with path.open("rb") as handle:
        head = handle.read(CHUNK_BYTES)
        what = media_signature(head[:16])
        if what is not None:
            yield XmlProblem(0, f"{path.name} is {what}, not XML: file refused, nothing kept")
            return 0
        try:
            chunk = head
            while chunk:
                window.data += chunk
                parser.feed(chunk)
                yield from _drain(target, window)
                chunk = handle.read(CHUNK_BYTES)
            parser.close()
        except _Refused as exc:
            yield from _drain(target, window)
            yield XmlProblem(expat.CurrentLineNumber, exc.reason)
            return int(expat.CurrentLineNumber)
        except DefusedXmlException as exc:
            yield XmlProblem(expat.CurrentLineNumber, f"{_refusal(exc)}: file refused")
            return int(expat.CurrentLineNumber)
        except ParseError as exc:
            yield from _drain(target, window)
            yield XmlProblem(exc.position[0], f"XML not well-formed ({exc}); transactions "
                             "before this line were read")
            return int(exc.position[0])
    yield from _drain(target, window)
    if target.namespace is None:
        yield XmlProblem(0, "no ISO 20022 Document element (pacs.008 or pain.001): "
                         "nothing imported")
    # expat counts the empty line after a final newline; a line count does not
    return int(expat.CurrentLineNumber) - (1 if expat.CurrentColumnNumber == 0 else 0)


class _Window:
    """The file's bytes from the open transaction on (or the last few KB between transactions),
    so that each transaction's raw bytes are the file's own rather than a re-serialisation."""

    KEEP = 4096

    def __init__(self) -> None:
        self.data = bytearray()
        self.base = 0

    def raw(self, t: Transaction) -> bytes:
        start, end_tag = t.span
        end = self.data.find(b">", end_tag - self.base) if start >= self.base else -1
        return bytes(self.data[start - self.base:end + 1]) if end >= 0 else tostring(t.element)

    def trim(self, open_start: int | None) -> None:
        keep = open_start if open_start is not None else self.base + len(self.data) - self.KEEP
        if keep > self.base:
            del self.data[:keep - self.base]
            self.base = keep


def _drain(target: _Target, window: _Window) -> Iterator[Transaction]:
    ready, target.ready = target.ready, []
    for transaction in ready:
        yield replace(transaction, raw=window.raw(transaction))
    window.trim(target.txn_start if target.txn_chars >= 0 else None)


def _refusal(exc: DefusedXmlException) -> str:
    name = type(exc).__name__
    if name == "DTDForbidden":
        return "DOCTYPE refused (a DTD could declare external or expanding entities: XXE)"
    if name == "EntitiesForbidden":
        return "entity declaration refused (XXE or entity expansion)"
    return f"external reference refused ({name})"


def message_of(path: Path) -> str | None:
    """Cheap check for auto-detection: the supported message named in the first 4 KB, or None."""
    with path.open("rb") as handle:
        head = handle.read(4096).decode("utf-8", "replace")
    for match in re.finditer(r"urn:iso:std:iso:20022:tech:xsd:([a-z]{4}\.[0-9]{3})\.001\.", head):
        if match.group(1) in SUPPORTED:
            return match.group(1)
    return None
