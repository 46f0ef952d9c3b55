"""Code a Spark DataFrame of notes, and a Parquet table of them into another.

:func:`code_dataframe` maps each partition's Arrow record batches (``mapInArrow``)
through :func:`medcoder.batch.code_record`, the function ``medcoder batch`` codes each
line with, so a row's result is the record batch writes for the same note (as a row of
:mod:`medcoder.spark.rows`). Each Python worker process builds its engine once, on its
first row (:func:`medcoder.pipeline.engine_for`, cached per process and home), and keeps
it for every partition it runs (Spark reuses its Python workers). A row that cannot be
coded becomes an error row, never a failed task.

pyspark (and pandas, pyarrow, which ``mapInArrow`` needs) are imported when a function
here runs: ``pip install 'medcoder[spark]'``, and a Java 17+ runtime.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from medcoder.errors import ConfigurationError, InvalidInputError, JavaRuntimeError
from medcoder.settings import pyspark_python
from medcoder.spark.rows import (
    check_columns,
    note_fields,
    output_ddl,
    output_fields,
    output_row,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["LINE_COLUMN", "code_dataframe", "code_parquet", "session"]

#: The column :func:`code_parquet` numbers each file's rows in (1-based).
LINE_COLUMN = "__medcoder_line"
#: The JVM's options on a local master, where the driver JVM is the executor too. The
#: JVM only moves rows between Parquet, the shuffle and the Python workers (these do the
#: coding), so HotSpot's optimising C2 compiler costs far more CPU than it saves within a
#: job: its compiler threads took more CPU than all the JVM's other threads over a
#: 2,000-note job (bench/bench_spark.py). C1 alone compiles the hot paths cheaply.
LOCAL_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1"


def _columns(df: DataFrame) -> dict[str, str]:
    return {field.name: field.dataType.simpleString() for field in df.schema.fields}


def code_dataframe(
    df: DataFrame, *, home: Path | str | None = None, line_column: str | None = None
) -> DataFrame:
    """``df``'s notes coded, one output row per row (schema: :mod:`medcoder.spark.rows`).

    ``df`` has the columns of a batch line (``text``; optionally ``id``, ``setting``,
    ``date``, ``age``, ``sex``, ``patient_status``), and ``line_column``, when given, the
    row's number for the output's ``line``. ``home`` is the MEDCODER_HOME every executor
    reads its releases from (default: each executor's own default). Lazy, as any
    DataFrame: nothing is coded until the result is written or collected. E300 for a
    table batch could not read (no ``text``, a column no note has, a wrong type)."""
    columns = _columns(df)
    check_columns(columns, where="the notes table", line=line_column)
    home_text = None if home is None else str(home)
    schema = _arrow_schema(output_fields(columns))

    def code_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _code_batches(batches, home_text, line_column, schema)

    return df.mapInArrow(code_batches, output_ddl(columns))


def _arrow_schema(fields: tuple[tuple[str, str], ...]) -> pa.Schema:
    """The output fields (Spark SQL type names) as the Arrow schema the workers fill."""
    import pyarrow as pa

    kinds = {"string": pa.string(), "bigint": pa.int64(), "double": pa.float64()}
    return pa.schema([pa.field(name, kinds[kind]) for name, kind in fields])


def _code_batches(
    batches: Iterator[pa.RecordBatch], home: str | None, line_column: str | None, schema: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """In a Python worker: each record batch of notes coded into one of results."""
    import pyarrow as pa

    from medcoder.batch import code_record

    for batch in batches:
        rows = []
        for row in batch.to_pylist():
            line = row.get(line_column) if line_column else None
            record = code_record(note_fields(row), line=line, home=home)
            rows.append(output_row(record, line))
        yield pa.RecordBatch.from_pylist(rows, schema=schema)


def session(master: str = "local[*]", *, partitions: int = 8) -> SparkSession:
    """A Spark session for the CLI: ``master`` (``local[2]``, ``spark://host:7077``...),
    ``partitions`` shuffle partitions, no web UI, no console progress bars, warnings
    only. Workers run this interpreter unless PYSPARK_PYTHON names another. E102 without
    pyspark (medcoder[spark]); E103 when Spark's Java gateway does not start."""
    try:
        from pyspark.errors import PySparkRuntimeError
        from pyspark.sql import SparkSession
    except ImportError as exc:  # the CLI checks first; this is the API's answer
        from medcoder.errors import MissingExtraError

        raise MissingExtraError("Spark coding", "spark", ("pyspark", "pyarrow", "pandas")) from exc
    if pyspark_python() is None:
        import os

        os.environ["PYSPARK_PYTHON"] = sys.executable  # workers import medcoder as we do
    builder = (
        SparkSession.builder.master(master)
        .appName("medcoder spark-code")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(partitions))
    )
    if master.startswith("local"):
        builder = builder.config("spark.driver.extraJavaOptions", LOCAL_JAVA_OPTIONS)
    try:
        spark = builder.getOrCreate()
    except PySparkRuntimeError as exc:
        if exc.getCondition() != "JAVA_GATEWAY_EXITED":
            raise ConfigurationError(f"Spark did not start: {exc}") from exc
        found = shutil.which("java")
        raise JavaRuntimeError(
            "Spark's Java gateway did not start: no Java runtime it could run (Spark runs "
            f"$JAVA_HOME/bin/java, else java on PATH: {found or 'none'})",
            hint="install a Java 17+ runtime (Debian: apt-get install default-jre-headless) "
            "or set JAVA_HOME",
        ) from exc
    except Exception as exc:  # a master URL Spark cannot parse, a refused cluster
        raise ConfigurationError(
            f"Spark did not start with master {master!r}: {str(exc).splitlines()[0]}",
            hint="--master local[N] runs on N cores of this machine",
        ) from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def code_parquet(
    spark: SparkSession,
    source: Path,
    output: Path,
    *,
    home: Path | None = None,
    partitions: int | None = None,
) -> tuple[int, int]:
    """Code the Parquet table ``source`` (a file or a folder of them) into the Parquet
    folder ``output``; returns (rows coded, rows failed). ``line`` is each row's 1-based
    position in its file. ``partitions``: split the notes into that many tasks (default:
    twice the session's parallelism), so that every core codes whatever the file's
    row groups."""
    if not source.exists():
        raise InvalidInputError(f"no Parquet table at {source}", hint="give a .parquet file or "
                                "a folder of them")  # fmt: skip
    if output.exists():
        raise InvalidInputError(
            f"{output} already exists", hint="give a new folder: Spark writes a folder of parts"
        )
    from pyspark.errors import AnalysisException
    from pyspark.sql import Observation
    from pyspark.sql import functions as F

    try:
        df = spark.read.parquet(str(source))
    except AnalysisException as exc:
        message = str(exc).splitlines()[0]
        raise InvalidInputError(f"{source} is not a Parquet table Spark reads: {message}") from exc
    check_columns(_columns(df), where=str(source))
    df = df.withColumn(LINE_COLUMN, F.col("_metadata.row_index") + 1)
    tasks = partitions or 2 * spark.sparkContext.defaultParallelism
    coded = code_dataframe(df.repartition(tasks), home=home, line_column=LINE_COLUMN)
    # The counts come with the write (metrics observed as the rows go by), not from a
    # second job reading the output back.
    counts = Observation("medcoder counts")
    coded = coded.observe(counts, F.count(F.lit(1)).alias("rows"), F.count("error").alias("failed"))
    coded.write.parquet(str(output))
    metrics = counts.get
    total, failed = int(metrics["rows"]), int(metrics["failed"])
    return total - failed, failed
