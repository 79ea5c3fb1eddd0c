"""The plug-in registry: plain dicts keyed by stable names, checked unique at start-up.

Built-ins are one explicit list (:func:`vigil.plugins.builtin_plugins`) published through the
``vigil.plugins`` entry-point group, the same door third-party packages use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from vigil.plugin import Detector, Exporter, Importer, Plugin

ENTRY_POINT_GROUP = "vigil.plugins"
PluginClass = type[Detector] | type[Importer] | type[Exporter]


class DuplicatePluginError(ValueError):
    """Two plug-ins claimed the same name."""


@dataclass
class Registry:
    """Detectors, importers and exporters by name."""

    detectors: dict[str, type[Detector]] = field(default_factory=dict)
    importers: dict[str, type[Importer]] = field(default_factory=dict)
    exporters: dict[str, type[Exporter]] = field(default_factory=dict)

    def register(self, plugin: PluginClass) -> None:
        table: dict[str, PluginClass] = self._table_for(plugin)  # type: ignore[assignment]
        existing = table.get(plugin.name)
        if existing is not None and existing is not plugin:
            raise DuplicatePluginError(
                f"plug-in name {plugin.name!r} is claimed by {_qualname(existing)} "
                f"and {_qualname(plugin)}"
            )
        table[plugin.name] = plugin

    def register_all(self, plugins: Iterable[PluginClass]) -> None:
        for plugin in plugins:
            self.register(plugin)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """``(kind, name, version, description)`` for every plug-in, sorted."""
        tables: list[tuple[str, Mapping[str, type[Plugin]]]] = [
            ("detector", self.detectors), ("importer", self.importers),
            ("exporter", self.exporters)]
        return [(kind, name, plugin.version, plugin.description)
                for kind, table in tables for name, plugin in sorted(table.items())]

    def _table_for(self, plugin: PluginClass) -> dict[str, type[object]]:
        if issubclass(plugin, Detector):
            return self.detectors  # type: ignore[return-value]
        if issubclass(plugin, Importer):
            return self.importers  # type: ignore[return-value]
        if issubclass(plugin, Exporter):
            return self.exporters  # type: ignore[return-value]
        raise TypeError(f"{_qualname(plugin)} is not a Detector, Importer or Exporter")


def _qualname(plugin: type[object]) -> str:
    return f"{plugin.__module__}.{plugin.__qualname__}"


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
