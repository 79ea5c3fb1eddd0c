"""Where deliveries go: destinations from a YAML file, their credentials from a secrets file.

The destinations file names each receiver, its kind, URL, export format and the name of the
secret (in a separate JSON file, like ``VIGIL_SHARE_KEYS``) sent as its authorisation header, so
the destinations file can be reviewed and versioned without holding a credential.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml


class DestinationKind(StrEnum):
    """A partner's webhook, a clearing house (the US CyberTipline), or a MISP instance."""

    WEBHOOK = "webhook"
    CLEARING_HOUSE = "clearing_house"
    MISP = "misp"


class DestinationError(ValueError):
    """A destinations or secrets file that cannot be used; the message names file and field."""


@dataclass(frozen=True)
class Destination:
    """One receiver. ``ack_field``: the field of its JSON answer that must echo the delivery id
    (the ``Idempotency-Key``) for the delivery to count as acknowledged."""

    name: str
    kind: DestinationKind
    url: str
    format: str
    auth_secret: str = ""
    auth_header: str = "Authorization"
    ack_field: str = "delivery_id"


_FIELDS = ("name", "kind", "url", "format", "auth_secret", "auth_header", "ack_field")


def load_destinations(path: Path | None) -> dict[str, Destination]:
    """The destinations in ``path`` (``destinations:`` a list of mappings), by name."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DestinationError(f"{path}: cannot read the destinations: {exc}") from exc
    items = data.get("destinations") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise DestinationError(f"{path}: expected 'destinations:' with a list of destinations")
    found: dict[str, Destination] = {}
    for position, item in enumerate(items, start=1):
        destination = _destination(path, position, item)
        if destination.name in found:
            raise DestinationError(f"{path}: destination {position}: name "
                                   f"{destination.name!r} is used twice")
        found[destination.name] = destination
    return found


def _destination(path: Path, position: int, item: object) -> Destination:
    where = f"{path}: destination {position}"
    if not isinstance(item, dict):
        raise DestinationError(f"{where}: expected a mapping")
    unknown = sorted(set(item) - set(_FIELDS))
    if unknown:
        raise DestinationError(f"{where}: unknown field(s) {', '.join(unknown)}")
    for required in ("name", "kind", "url", "format"):
        if not isinstance(item.get(required), str) or not item[required].strip():
            raise DestinationError(f"{where}: field {required!r} is required (text)")
    if not item["url"].startswith(("https://", "http://")):
        raise DestinationError(f"{where}: field 'url' must be an http(s) URL")
    try:
        kind = DestinationKind(item["kind"])
    except ValueError:
        known = ", ".join(k.value for k in DestinationKind)
        raise DestinationError(f"{where}: field 'kind' must be one of {known}") from None
    text = {k: str(v) for k, v in item.items() if k != "kind"}
    return Destination(kind=kind, **text)


def load_secrets(path: Path | None) -> dict[str, str]:
    """Secret name to header value, from a JSON object; never logged or stored by vigil."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DestinationError(f"{path}: cannot read the secrets: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise DestinationError(f"{path}: expected a JSON object of secret name to text")
    return {str(k): v for k, v in data.items()}
