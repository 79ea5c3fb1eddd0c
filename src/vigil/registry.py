"""The plug-in registry: plain dicts keyed by stable names, checked unique at start-up.

Nine kinds share one door: detectors, importers, exporters, bank formats, PDQ indexes, SQL
engines, triage scorers, signal types and payment rules. Built-ins are one explicit list
(:func:`vigil.plugins.builtin_plugins`) published through the ``vigil.plugins`` entry-point group,
the same door third-party packages use; ``vigil plugins`` lists every table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, TypeVar

from vigil.engines import Engine
from vigil.media.banks.format_base import BankFormat
from vigil.payments.rule_base import PaymentRule
from vigil.plugin import Detector, Exporter, Importer, IndexPlugin, ScorerPlugin
from vigil.signal_types import SignalType

if TYPE_CHECKING:
    from vigil.settings import Settings

T = TypeVar("T")
ENTRY_POINT_GROUP = "vigil.plugins"
PluginClass = (type[Detector] | type[Importer] | type[Exporter] | type[Engine] | type[SignalType]
               | type[PaymentRule[Any]] | BankFormat | IndexPlugin | ScorerPlugin)
"""Anything :meth:`Registry.register` takes: a class for six kinds, else an object."""


class DuplicatePluginError(ValueError):
    """Two plug-ins of one kind claimed the same name."""


class UnknownPluginError(ValueError):
    """A setting or option named a plug-in that is not registered; the message lists the known."""


@dataclass(frozen=True)
class PluginKind:
    """One table of the registry: its label in ``vigil plugins``, attribute and base type."""

    label: str
    attribute: str
    base: type[object]
    is_class: bool

    def holds(self, plugin: object) -> bool:
        if self.is_class:
            return isinstance(plugin, type) and issubclass(plugin, self.base)
        return isinstance(plugin, self.base)


KINDS: tuple[PluginKind, ...] = (
    PluginKind("detector", "detectors", Detector, True),
    PluginKind("importer", "importers", Importer, True),
    PluginKind("exporter", "exporters", Exporter, True),
    PluginKind("bank format", "bank_formats", BankFormat, False),
    PluginKind("index", "indexes", IndexPlugin, False),
    PluginKind("engine", "engines", Engine, True),
    PluginKind("scorer", "scorers", ScorerPlugin, False),
    PluginKind("signal type", "signal_types", SignalType, True),
    PluginKind("payment rule", "payment_rules", PaymentRule, True),
)
"""Every kind, in the order ``vigil plugins`` lists them."""


@dataclass
class Registry:
    """Every plug-in by kind and name."""

    detectors: dict[str, type[Detector]] = field(default_factory=dict)
    importers: dict[str, type[Importer]] = field(default_factory=dict)
    exporters: dict[str, type[Exporter]] = field(default_factory=dict)
    bank_formats: dict[str, BankFormat] = field(default_factory=dict)
    indexes: dict[str, IndexPlugin] = field(default_factory=dict)
    engines: dict[str, type[Engine]] = field(default_factory=dict)
    scorers: dict[str, ScorerPlugin] = field(default_factory=dict)
    signal_types: dict[str, type[SignalType]] = field(default_factory=dict)
    payment_rules: dict[str, type[PaymentRule[Any]]] = field(default_factory=dict)

    def register(self, plugin: PluginClass) -> None:
        kind = _kind_of(plugin)
        table: dict[str, object] = getattr(self, kind.attribute)
        name: str = plugin.name
        existing = table.get(name)
        if existing is not None and existing is not plugin:
            raise DuplicatePluginError(
                f"{kind.label} name {name!r} is claimed by {_qualname(existing)} "
                f"and {_qualname(plugin)}")
        table[name] = plugin

    def register_all(self, plugins: Iterable[PluginClass]) -> None:
        for plugin in plugins:
            self.register(plugin)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """``(kind, name, version, description)`` for every plug-in, by kind then name."""
        rows = []
        for kind in KINDS:
            table: dict[str, object] = getattr(self, kind.attribute)
            rows += [(kind.label, name, str(getattr(plugin, "version", "1")),
                      _description(plugin)) for name, plugin in sorted(table.items())]
        return rows

    def exporter(self, name: str) -> type[Exporter]:
        return _lookup(self.exporters, name, "exporter")

    def index(self, name: str) -> IndexPlugin:
        """The PDQ index ``VIGIL_MEDIA_INDEX`` names; unknown names list the known ones."""
        return _lookup(self.indexes, name, "index")

    def bank_format(self, name: str) -> BankFormat:
        """The bank format ``name``; unknown names list the known ones."""
        return _lookup(self.bank_formats, name, "bank format")

    def engine(self, name: str) -> type[Engine]:
        """The engine class ``VIGIL_ENGINE`` names; unknown names list the known ones."""
        return _lookup(self.engines, name, "engine")

    def enabled_detectors(self, names: Sequence[str] | None = None) -> list[type[Detector]]:
        """The detectors ``names`` selects (all, by name, when ``None``), in name order.

        Unknown names are an error listing the known ones, so a typo in ``VIGIL_DETECTORS``
        cannot silently switch a detector off.
        """
        if names is None:
            return [self.detectors[name] for name in sorted(self.detectors)]
        return [_lookup(self.detectors, name, "detector") for name in sorted(set(names))]

    def detectors_for(self, settings: Settings) -> list[Detector]:
        """The detectors ``settings.detectors`` enables, each built from ``settings``.

        Each is built by :meth:`Detector.from_registry`, so a detector that needs another plug-in
        (the payments detector's engine and rules) takes it from this registry.
        ``settings.engine`` is checked here too, so an unknown engine stops a run before it starts.
        """
        self.engine(settings.engine)
        return [cls.from_registry(settings, self)
                for cls in self.enabled_detectors(settings.detector_names())]


def _lookup(table: dict[str, T], name: str, kind: str) -> T:
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted(table)) or "none registered"
        raise UnknownPluginError(f"unknown {kind} {name!r}; known: {known}") from None


def _kind_of(plugin: object) -> PluginKind:
    for kind in KINDS:
        if kind.holds(plugin):
            return kind
    labels = ", ".join(kind.label for kind in KINDS)
    raise TypeError(f"{_qualname(plugin)} is not a plug-in of any kind ({labels})")


def _description(plugin: object) -> str:
    """The plug-in's ``description``, else the first line of its class's docstring."""
    described = getattr(plugin, "description", "")
    if described:
        return str(described)
    doc = (plugin if isinstance(plugin, type) else type(plugin)).__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def _qualname(plugin: object) -> str:
    cls = plugin if isinstance(plugin, type) else type(plugin)
    return f"{cls.__module__}.{cls.__qualname__}"


def load_registry(
    sources: Iterable[Callable[[], Iterable[PluginClass]]] | None = None,
) -> Registry:
    """Build the registry from the entry-point group (or from ``sources`` when given, for tests)."""
    if sources is None:
        sources = [ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)]
    registry = Registry()
    for source in sources:
        registry.register_all(source())
    return registry
