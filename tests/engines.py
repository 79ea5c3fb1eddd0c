"""Every SQL engine for any test, in the manner of splink's per-dialect test helpers.

A test that takes the ``sql_engine`` fixture runs once per engine: DuckDB always; Spark (local
mode, one session per process) when PySpark and Java are present, skipped otherwise unless
``VIGIL_REQUIRE_SPARK=1`` (as in CI), where a missing Spark fails instead. Spark cases carry the
``spark`` mark, so ``-m "not spark"`` leaves them out. Keep Spark cases few and small: each query
is a Spark job of tens of milliseconds at best.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest

from vigil.engines import DuckDBEngine

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]

TEST_SPARK_CONF = {
    # Tests load tables of tens to a few thousand rows: 2 shuffle partitions (production's
    # LOCAL_SHUFFLE_PARTITIONS is 4) still exercise multi-partition plans with fewer tasks per job.
    "spark.sql.shuffle.partitions": "2",
    # No adaptive re-planning between stages: on tables this small it only adds planning work
    # (https://spark.apache.org/docs/latest/sql-performance-tuning.html#adaptive-query-execution).
    "spark.sql.adaptive.enabled": "false",
}
"""Runtime SQL settings set on the process's one SparkSession before each test engine is built."""

TEST_JVM_OPTIONS = "-XX:TieredStopAtLevel=1"
"""The driver JVM of the tests' Spark session compiles with HotSpot's quick compiler (C1) only:
the test session lives a few minutes and runs small queries, where the optimising compiler's
threads cost more CPU than they save (the demo-world parity run took 37 instead of 69 JVM CPU-s,
docs/benchmarks.md, h-suite). JIT tiers change speed only, never results (Java 17 floating point
is strict on every tier). A ``JDK_JAVA_OPTIONS`` already set is kept as it is."""


def spark_missing() -> str | None:
    """Why Spark cannot run here, or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'vigil[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (Spark needs Java 17)"
    return None


def engine_named(name: str):  # type: ignore[no-untyped-def]
    """A fresh engine object of ``name``, or a skip (a failure under VIGIL_REQUIRE_SPARK=1)."""
    if name == "duckdb":
        return DuckDBEngine()
    reason = spark_missing()
    if reason is not None:
        if os.environ.get("VIGIL_REQUIRE_SPARK") == "1":
            pytest.fail(f"VIGIL_REQUIRE_SPARK=1 but {reason}")
        pytest.skip(reason)
    from vigil.spark_engine import SparkEngine, spark_session

    _tune_for_tests(_started_with_test_jvm_options(spark_session))
    return SparkEngine()


def _started_with_test_jvm_options(start: Callable[[], object]) -> object:
    """``start()`` (the process's Spark session; the JVM starts on the first call) with
    :data:`TEST_JVM_OPTIONS` in the environment of the ``java`` it launches, and only there."""
    added = "JDK_JAVA_OPTIONS" not in os.environ
    if added:
        os.environ["JDK_JAVA_OPTIONS"] = TEST_JVM_OPTIONS
    try:
        return start()
    finally:
        if added:
            del os.environ["JDK_JAVA_OPTIONS"]


def _tune_for_tests(session: object) -> None:
    conf = session.conf  # type: ignore[attr-defined]
    for key, value in TEST_SPARK_CONF.items():
        conf.set(key, value)


@pytest.fixture(params=ENGINES, scope="module")
def sql_engine(request: pytest.FixtureRequest) -> Iterator[object]:
    """One engine per module and engine name (module-scoped, so property tests may share it)."""
    engine = engine_named(request.param)
    yield engine
    engine.close()
