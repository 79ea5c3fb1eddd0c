"""Colours and short labels shared by the case views (one place, so the legend matches the plot).

The signal-kind colours are the static report's (:mod:`vigil.netpicture`), so a case looks the same
in the report and in the workspace. The entity colours are the Okabe-Ito palette (Okabe & Ito,
"Color Universal Design", 2008), chosen to stay apart for readers with colour-vision deficiency.
"""

from __future__ import annotations

from vigil.identifiers import EntityKind
from vigil.model import EntityRef, SignalKind
from vigil.netpicture import KIND_COLOURS

SIGNAL_COLOURS: dict[str, str] = {kind.value: KIND_COLOURS[kind.value] for kind in SignalKind}

ENTITY_COLOURS: dict[str, str] = {
    EntityKind.ACCOUNT.value: "#0072b2",
    EntityKind.PAYMENT_ACCOUNT.value: "#009e73",
    EntityKind.PHONE.value: "#e69f00",
    EntityKind.EMAIL.value: "#cc79a7",
    EntityKind.IP.value: "#56b4e9",
    EntityKind.DEVICE.value: "#d55e00",
    EntityKind.WALLET.value: "#8c6d00",
    EntityKind.MEDIA.value: "#555555",
    EntityKind.CONVERSATION.value: "#7d3c98",
}

ENTITY_SHAPES: dict[str, str] = {
    EntityKind.ACCOUNT.value: "ellipse",
    EntityKind.PAYMENT_ACCOUNT.value: "round-rectangle",
    EntityKind.WALLET.value: "round-rectangle",
    EntityKind.PHONE.value: "diamond",
    EntityKind.EMAIL.value: "diamond",
    EntityKind.IP.value: "triangle",
    EntityKind.DEVICE.value: "triangle",
    EntityKind.MEDIA.value: "rectangle",
    EntityKind.CONVERSATION.value: "hexagon",
}
"""Cytoscape.js node shapes per entity kind (shape and colour together tell kinds apart)."""

SERIES_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
                  "#8c6d00", "#555555")
"""Colours of the payment timeline's series, in order; later series reuse them."""

LABEL_CHARS = 28
"""Longest node label drawn; the full identifier stays in the node's data and the text table."""
HASH_CHARS = 12
"""Media hashes are shown by their first 12 hex digits (enough to tell a case's hashes apart)."""


def short_label(entity: EntityRef) -> str:
    """A label short enough to draw: a media hash cut to its prefix, long values cut with ``…``.

    Only the label is cut; the identifier itself is kept whole wherever the view names it.
    """
    value = entity.value
    if entity.kind is EntityKind.MEDIA:
        kind, _, digest = value.partition(":")
        value = f"{kind}:{digest[:HASH_CHARS]}…" if len(digest) > HASH_CHARS else value
    if len(value) > LABEL_CHARS:
        value = value[: LABEL_CHARS - 1] + "…"
    return value
