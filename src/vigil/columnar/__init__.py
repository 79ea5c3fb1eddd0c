"""The columnar record store: high-volume record kinds as Parquet parts DuckDB reads directly.

:mod:`~vigil.columnar.parts` writes parts atomically under a folder or fsspec URL,
:mod:`~vigil.columnar.tables` turns records into Arrow tables, :mod:`~vigil.columnar.store`
deduplicates against the stored parts, :mod:`~vigil.columnar.split` puts it beside the
operational store (``VIGIL_RECORD_STORE=parquet``), :mod:`~vigil.columnar.migrate` copies today's
``records`` table into it, :mod:`~vigil.columnar.csv_lane` imports payment CSVs with DuckDB
(SQL decides the plain rows, the Python importer the rest). docs/formats.md describes the layout.
"""
