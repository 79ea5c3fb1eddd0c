"""The door to the PDQ indexes: pick one by name (brute, mih, gpu, auto) and fill it.

Everything that builds a PDQ index goes through :func:`make_pdq_index`, so the configured name
(``VIGIL_MEDIA_INDEX``) means the same everywhere and a missing torch or GPU falls back the same
way.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from vigil.media.banks.records import BankEntry
from vigil.media.index.base import HashIndex
from vigil.media.index.brute import BruteForcePdqIndex
from vigil.media.index.segmented import GpuPdqIndex, MihPdqIndex

INDEX_DESCRIPTIONS = {
    "brute": "NumPy brute force: the reference every other index is tested against",
    "mih": "exact multi-index hashing on the CPU",
    "gpu": "PyTorch search, on CUDA when present (mih without torch)",
    "auto": "gpu where torch sees a CUDA device, else mih",
}
"""Every PDQ index name ``VIGIL_MEDIA_INDEX`` takes; all give the same matches."""
INDEX_NAMES = tuple(INDEX_DESCRIPTIONS)


class BuildsPdqIndex(Protocol):
    """What the code that builds an index needs of a registered index plug-in
    (:class:`vigil.plugin.IndexPlugin`): its name, and how to build it unless it is a built-in."""

    @property
    def name(self) -> str: ...

    @property
    def build(self) -> Callable[[Sequence[BankEntry]], HashIndex] | None: ...


PdqIndexChoice = str | BuildsPdqIndex
"""An index by configured name, or the registry's plug-in for it."""


def torch_installed() -> bool:
    return importlib.util.find_spec("torch") is not None


def nvidia_driver_visible() -> bool:
    """Whether an NVIDIA driver is loaded: checked before importing torch, which takes about a
    second, so that ``auto`` costs nothing on the (usual) machine without a GPU."""
    return Path("/dev/nvidiactl").exists() or Path("/proc/driver/nvidia").exists()


def resolve_index_name(name: str) -> str:
    """The index ``name`` means here: ``gpu`` falls back to ``mih`` without torch, ``auto``
    is ``gpu`` only with a CUDA device."""
    if name not in INDEX_NAMES:
        raise ValueError(f"unknown PDQ index {name!r}; expected one of {', '.join(INDEX_NAMES)}")
    if name == "auto" and not nvidia_driver_visible():
        return "mih"
    if name in ("gpu", "auto") and torch_installed():
        import torch

        if name == "gpu" or torch.cuda.is_available():
            return "gpu"
    return "mih" if name in ("gpu", "auto") else name


def make_pdq_index(index: PdqIndexChoice, entries: Sequence[BankEntry] = ()) -> HashIndex:
    """A PDQ index of ``entries``, by configured name (see :func:`resolve_index_name`) or as the
    registry's plug-in (``registry.indexes[name]``): one with a ``build`` builds itself, so a
    third-party index is used, not only listed; the built-ins go by their name."""
    if not isinstance(index, str):
        if index.build is not None:
            return index.build(entries)
        index = index.name
    chosen = resolve_index_name(index)
    if chosen == "brute":
        return BruteForcePdqIndex.build(entries)
    return (GpuPdqIndex if chosen == "gpu" else MihPdqIndex).build(entries)
