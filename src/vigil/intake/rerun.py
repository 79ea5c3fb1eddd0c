"""A debounced background run: a burst of intake requests costs one run, seconds after it ends.

Messages and payments only mean something beside other records (a conversation, a payment
pattern), so cases are brought up to date by a full run (:func:`vigil.runs.run`) over the store,
exactly as ``vigil run`` would; that is what makes the service's cases and ``vigil run``'s the
same. The run waits until requests have been quiet for ``delay_s`` (so a batch sent as many
requests runs once), but never longer than ``max_wait_s`` after the first unprocessed request
(so steady traffic still updates cases). One run at a time, under a lock, on a worker thread;
a run that fails is tried again at the next request, and records are committed before any of
this, so a failed run loses nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class DebouncedRun:
    """Calls ``action`` on a worker thread after a quiet spell; :meth:`poke` asks for a run."""

    def __init__(self, action: Callable[[], object], delay_s: float,
                 max_wait_s: float | None = None) -> None:
        self._action = action
        self._delay_s = delay_s
        self._max_wait_s = max_wait_s if max_wait_s is not None else 5 * delay_s
        self._wake = threading.Condition()
        self._first: float | None = None
        self._last = 0.0
        self._running = threading.Lock()
        self._closed = False
        self.runs = 0
        self.failures = 0
        self._thread = threading.Thread(target=self._loop, name="vigil-rerun", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """Ask for a run after the next quiet spell."""
        with self._wake:
            now = time.monotonic()
            self._last = now
            if self._first is None:  # else the worker is timed already: it re-reads _last
                self._first = now
                self._wake.notify()

    @property
    def pending(self) -> bool:
        """Whether a requested run has not started yet."""
        with self._wake:
            return self._first is not None

    @property
    def waiting_s(self) -> float:
        """Seconds the oldest request not yet covered by a run has waited (0 when none)."""
        with self._wake:
            return 0.0 if self._first is None else time.monotonic() - self._first

    def flush(self) -> None:
        """Run now, on the caller's thread, if a run is pending (tests, graceful shutdown)."""
        with self._wake:
            if self._first is None:
                return
            self._first = None
        self._run_once()

    def close(self) -> None:
        """Stop the worker; a pending run is done first, so shutdown leaves cases current."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join()
        self.flush()

    def _due(self) -> float | None:
        """Seconds until the pending run is due (``None``: nothing pending)."""
        if self._first is None:
            return None
        now = time.monotonic()
        return max(0.0, min(self._last + self._delay_s, self._first + self._max_wait_s) - now)

    def _loop(self) -> None:
        while True:
            with self._wake:
                due = self._due()
                while not self._closed and (due is None or due > 0):
                    self._wake.wait(timeout=due)
                    due = self._due()
                if self._closed:
                    return
                self._first = None
            self._run_once()

    def _run_once(self) -> None:
        with self._running:
            try:
                self._action()
                self.runs += 1
            except Exception:  # the next request asks again; records are already committed
                self.failures += 1
                logger.exception("background run failed; it is tried again at the next request")
