"""Batch coding on Apache Spark: a DataFrame (or a Parquet table) of notes coded with
one engine per executor Python process, each row exactly as ``medcoder batch`` codes a
JSONL line.

``medcoder.spark.code_dataframe(df)`` (:mod:`medcoder.spark.job`) and
``medcoder spark-code IN OUT``; the input and output columns are described in
:mod:`medcoder.spark.rows`. Needs ``pip install 'medcoder[spark]'`` (pyspark, pyarrow,
pandas) and a Java 17+ runtime, which the functions import and start when they run:
importing this package loads neither.
"""

from __future__ import annotations

from medcoder.spark.job import code_dataframe, code_parquet, session

__all__ = ["code_dataframe", "code_parquet", "session"]
