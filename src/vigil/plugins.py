"""The explicit list of built-in plug-ins, published through the ``vigil.plugins`` entry point."""

from __future__ import annotations

from vigil.registry import PluginClass


def builtin_plugins() -> list[PluginClass]:
    """Every plug-in vigil ships; imported lazily so start-up stays cheap."""
    return []
