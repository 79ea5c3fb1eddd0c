"""vigil: fuse media, chat, payment and report signals into linked, explained, prioritised cases.

vigil's NumPy work is many small matrix products (PDQ on 64x64 grids), which a multi-threaded
OpenBLAS makes 10-20x slower on a busy machine (a live-stream monitor's p50 latency went from 5 ms
to about 1 s in one measurement). Importing vigil therefore asks for one BLAS thread per process
unless the caller set ``OPENBLAS_NUM_THREADS``; it takes effect only if NumPy is not loaded yet.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# The environment must be set before anything below can import NumPy.

from vigil.identifiers import EntityKind, normalise
from vigil.model import Case, CaseStatus, EntityRef, Reason, Signal, SignalKind

__version__ = "0.1.0"

__all__ = [
    "Case",
    "CaseStatus",
    "EntityKind",
    "EntityRef",
    "Reason",
    "Signal",
    "SignalKind",
    "__version__",
    "normalise",
]
