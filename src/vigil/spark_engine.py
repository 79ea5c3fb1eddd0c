"""Spark as an engine: the same SQL as DuckDB, on a local Spark or a cluster (``--master``).

PySpark is an optional extra (``pip install 'vigil[spark]'``, Java 17 needed) and is imported only
when a Spark engine is built, so ``import vigil`` and the default DuckDB path never need Java.
One SparkSession serves the whole process: starting one takes seconds, an engine object is cheap.
Tables are temporary views over DataFrames built with an explicit schema (typed as the DuckDB
engine types them), timestamps are UTC (``spark.sql.session.timeZone``), and ``unix_seconds`` is
Spark's own built-in.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from vigil.engines import Columns, Engine, EngineError, Rows, typed_columns

if TYPE_CHECKING:
    from vigil.settings import Settings

# Local mode on a 2-core machine: Spark's default of 200 shuffle partitions makes every GROUP BY
# of a few thousand rows schedule 200 tiny tasks (https://spark.apache.org/docs/latest/
# sql-performance-tuning.html); 4 keeps both cores busy without that overhead.
LOCAL_SHUFFLE_PARTITIONS = 4
DEFAULT_MASTER = "local[*]"

_session_lock = threading.Lock()
_session: Any = None
_session_master: str | None = None


def spark_session(master: str | None = None) -> Any:
    """The process's one SparkSession, started on first use on ``master`` (else
    ``VIGIL_SPARK_MASTER``, else local); with no ``master``, whichever session is running."""
    global _session, _session_master
    wanted = master or os.environ.get("VIGIL_SPARK_MASTER") or DEFAULT_MASTER
    with _session_lock:
        if _session is not None:
            if master is not None and master != _session_master:
                raise ValueError(f"a Spark session on {_session_master!r} is already running; "
                                 f"one process holds one session (asked for {wanted!r})")
            return _session
        from pyspark.sql import SparkSession

        quiet = resources.files("vigil.config").joinpath("spark-log4j2.properties")
        _session = (SparkSession.builder.master(wanted).appName("vigil")
                    .config("spark.driver.extraJavaOptions",
                            f"-Dlog4j2.configurationFile=file:{quiet}")
                    .config("spark.sql.session.timeZone", "UTC")
                    .config("spark.sql.shuffle.partitions", str(LOCAL_SHUFFLE_PARTITIONS))
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .getOrCreate())
        _session.sparkContext.setLogLevel("ERROR")
        _session_master = wanted
        return _session


def _spark_schema(types: dict[str, str]) -> Any:
    from pyspark.sql import types as t

    spark_types = {"BOOLEAN": t.BooleanType(), "BIGINT": t.LongType(), "DOUBLE": t.DoubleType(),
                   "VARCHAR": t.StringType(), "TIMESTAMP": t.TimestampType(),
                   "DATE": t.DateType()}
    return t.StructType([t.StructField(name, spark_types[sql], nullable=True)
                         for name, sql in types.items()])


def _as_spark_value(value: Any, sql_type: str) -> Any:
    """Ints in a DOUBLE column as floats (Spark's schema check is strict), naive times as UTC."""
    if value is None:
        return None
    if sql_type == "DOUBLE":
        return float(value)
    if sql_type == "TIMESTAMP" and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _from_spark(value: Any) -> Any:
    """Spark hands timestamps back as naive local (here UTC) datetimes: make them aware."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class SparkEngine(Engine):
    """Temporary views in the process's SparkSession; the views go when the engine closes."""

    name = "spark"
    description = "Apache Spark SQL (pip install 'vigil[spark]', Java 17); local or --master"

    @classmethod
    def prepare(cls, settings: Settings) -> None:
        """Start the process's session on ``settings.spark_master`` before any engine is built."""
        spark_session(settings.spark_master)

    def __init__(self, master: str | None = None) -> None:
        self._spark = spark_session(master)
        self._views: set[str] = set()

    def register_table(self, name: str, rows: Rows | Columns) -> None:
        """Load rows (or equal-length columns) as view ``name``, typed as DuckDB types them."""
        columns, types = typed_columns(name, rows)
        converted = [[_as_spark_value(v, sql) for v in values]
                     for values, sql in zip(columns.values(), types.values(), strict=True)]
        frame = self._spark.createDataFrame(list(zip(*converted, strict=True)),
                                            schema=_spark_schema(types))
        frame.createOrReplaceTempView(name)
        self._views.add(name)

    def register_parquet(self, name: str, paths: Sequence[str], columns: Sequence[str],
                         filesystem: Any = None) -> None:
        """Make ``name`` a view of ``columns`` over the Parquet files ``paths`` (Spark reads
        them where they lie; ``filesystem`` is unused, Spark resolves the paths itself).
        Timestamps without a zone are read as UTC (the session's zone)."""
        from pyspark.sql import functions, types

        frame = self._spark.read.parquet(*paths).select(*columns)
        for field in frame.schema.fields:
            if isinstance(field.dataType, types.TimestampNTZType):
                frame = frame.withColumn(field.name, functions.col(field.name).cast("timestamp"))
        frame.createOrReplaceTempView(name)
        self._views.add(name)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        try:
            rows = self._spark.sql(sql, args=list(params) if params else None).collect()
        except Exception as exc:  # py4j and Spark raise many unrelated types
            raise EngineError(self.name, sql, exc) from exc
        return [{key: _from_spark(value) for key, value in row.asDict().items()} for row in rows]

    def create_table(self, name: str, sql: str) -> None:
        """Keep SELECT ``sql`` as view ``name``, computed now and cut from its lineage, so an
        iteration (linking's label propagation) does not replan every earlier round."""
        try:
            frame = self._spark.sql(sql).localCheckpoint(eager=True)
        except Exception as exc:  # py4j and Spark raise many unrelated types
            raise EngineError(self.name, sql, exc) from exc
        frame.createOrReplaceTempView(name)
        self._views.add(name)

    def drop_table(self, name: str) -> None:
        self._spark.catalog.dropTempView(name)
        self._views.discard(name)

    def close(self) -> None:
        """Drop this engine's views; the session stays for the next engine of the process."""
        for view in sorted(self._views):
            self._spark.catalog.dropTempView(view)
        self._views.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


__all__ = ["SparkEngine", "spark_session"]
