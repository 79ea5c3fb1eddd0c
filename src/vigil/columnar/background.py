"""The API's background step with ``VIGIL_RECORD_STORE=parquet``: move, then read both places.

``vigil serve`` commits every record it accepts to the operational store and brings cases up to
date with a debounced run a few seconds later (:mod:`vigil.intake.rerun`). Before that run reads
records, :func:`records_for_run` moves what waits in the ``records`` table into Parquet parts
(:func:`~vigil.columnar.mover.move_records`, crash-safe), so the server moves arrivals in
batches as it goes, and the run reads the split store (parts, plus anything that arrived since).
"""

from __future__ import annotations

from vigil.columnar.mover import move_records
from vigil.columnar.split import SplitRecordStore, columnar_records
from vigil.settings import Settings
from vigil.store.interfaces import RecordStore
from vigil.store.sql import SqlStore


def records_for_run(store: RecordStore, settings: Settings) -> RecordStore:
    """``store`` itself with ``VIGIL_RECORD_STORE=sql`` (or a store without a table to move
    from); with ``parquet``, the split store, after moving the waiting records into its parts."""
    if settings.record_store == "sql" or not isinstance(store, SqlStore):
        return store
    url = store.engine.url.render_as_string(hide_password=False)
    columnar = columnar_records(settings, url)
    move_records(store, columnar)
    return SplitRecordStore(store, columnar)


__all__ = ["records_for_run"]
