"""The door to the PDQ indexes: pick one by name (brute, mih, gpu, auto) and fill it.

Everything that builds a PDQ index goes through :func:`make_pdq_index`, so the configured name
(``VIGIL_MEDIA_INDEX``) means the same everywhere and a missing torch or GPU falls back the same
way.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

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


def make_pdq_index(name: str, entries: Sequence[BankEntry] = ()) -> HashIndex:
    """A PDQ index of ``entries`` by configured name (see :func:`resolve_index_name`)."""
    chosen = resolve_index_name(name)
    if chosen == "brute":
        return BruteForcePdqIndex.build(entries)
    return (GpuPdqIndex if chosen == "gpu" else MihPdqIndex).build(entries)
