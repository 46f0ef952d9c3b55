"""The same notes through ``medcoder batch`` and through Spark (local[2]) give the same
records; bad input is one E-coded line. Runs Spark in local mode: about half a minute."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from medcoder.cli import main
from medcoder.errors import InvalidInputError
from medcoder.spark.rows import batch_record
from tests.spark.conftest import require_spark

pytestmark = pytest.mark.spark

# Synthetic notes written for this test; the last three cannot be coded.
NOTES: list[dict[str, Any]] = [
    {"id": 101, "text": "ASSESSMENT\nType 2 diabetes mellitus with diabetic chronic kidney "
     "disease, stage 3a.\nEssential hypertension.", "date": "2026-05-01", "age": 67, "sex": "F"},
    {"id": 102, "text": "HISTORY: Wheezing for two days.\nASSESSMENT: Mild intermittent "
     "asthma with acute exacerbation. Gout of the right foot.", "setting": "outpatient",
     "date": "2026-05-02", "patient_status": "established"},
    {"id": 103, "text": "ADMISSION DIAGNOSIS: Community-acquired pneumonia, right lower lobe."
     "\nDISCHARGE DIAGNOSES:\n1. Pneumonia.\n2. Acute kidney injury.\n3. Hyperlipidemia.",
     "setting": "inpatient", "date": "2026-05-03", "age": 74, "sex": "M"},
    {"id": 104, "text": "Follow-up visit. Hypothyroidism on levothyroxine. Obesity, BMI 31."},
    {"id": 105, "text": ""},
    {"id": 106, "text": "Migraine without aura.", "date": "2026-05-04", "sex": "X"},
    {"id": 107, "text": "Low back pain.", "age": 140},
    {"id": 108, "text": "Acute sinusitis.", "setting": "sideways"},
]  # fmt: skip
COLUMNS = ("id", "text", "setting", "date", "age", "sex", "patient_status")


def _write_parquet(path: Path, notes: list[dict[str, Any]]) -> None:
    """The notes as a Parquet table: integer ids, dates as Parquet dates."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{k: note.get(k) for k in COLUMNS} for note in notes]
    for row in rows:
        row["date"] = dt.date.fromisoformat(row["date"]) if row["date"] else None
    pq.write_table(pa.Table.from_pylist(rows), path)


def _batch(home: Path, tmp_path: Path, notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    source, output = tmp_path / "notes.jsonl", tmp_path / "batch.jsonl"
    source.write_text("".join(json.dumps(n) + "\n" for n in notes), encoding="utf-8")
    done = CliRunner().invoke(main, ["--home", str(home), "batch", str(source), "-o", str(output)])
    assert done.exit_code == 0, done.output
    return [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]


def _key(record: dict[str, Any]) -> str:
    return json.dumps(record["id"])


def test_spark_codes_as_batch_does(spark: Any, built_home: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from medcoder.spark.job import code_parquet

    expected = _batch(built_home, tmp_path, NOTES)
    source, output = tmp_path / "notes.parquet", tmp_path / "coded"
    _write_parquet(source, NOTES)
    assert str(pq.read_schema(source).field("date").type) == "date32[day]"
    coded, failed = code_parquet(spark, source, output, home=built_home, partitions=3)
    rows = pq.read_table(output).to_pylist()
    got = sorted((batch_record(row) for row in rows), key=_key)
    assert got == sorted(expected, key=_key)
    assert (coded, failed) == (5, 3)
    assert {row["id"]: row["line"] for row in rows} == {n["id"]: i for i, n in
                                                        enumerate(NOTES, 1)}  # fmt: skip
    assert "E11.22" in [c["code"] for c in json.loads(rows_by_id(rows)[101]["codes"])]


def rows_by_id(rows: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def test_a_dataframe_with_string_ids(spark: Any, built_home: Path, tmp_path: Path) -> None:
    from medcoder.spark import code_dataframe

    notes = [{"id": "a-1", "text": "ASSESSMENT\nGout.", "date": "2026-05-01"},
             {"id": None, "text": None, "date": "2026-05-01"}]  # fmt: skip
    expected = _batch(built_home, tmp_path, notes)
    df = spark.createDataFrame(notes, "id string, text string, date string")
    rows = [row.asDict() for row in code_dataframe(df, home=built_home).collect()]
    got = [batch_record({**row, "line": 2 if row["error"] else None}) for row in rows]
    assert sorted(got, key=_key) == sorted(expected, key=_key)


def test_an_empty_table_counts_nothing(spark: Any, built_home: Path, tmp_path: Path) -> None:
    """The counts observed during the write: none for no rows (and no wait for them)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from medcoder.spark.job import LOCAL_JAVA_OPTIONS, code_parquet

    source = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"id": pa.array([], pa.int64()), "text": pa.array([], pa.string())}),
                   source)  # fmt: skip
    assert code_parquet(spark, source, tmp_path / "out", home=built_home) == (0, 0)
    # a local master's JVM runs C1 only (the JVM moves rows; the workers code them)
    java_options = spark.sparkContext.getConf().get("spark.driver.extraJavaOptions")
    assert LOCAL_JAVA_OPTIONS in java_options


def test_a_table_without_text_is_refused(spark: Any, tmp_path: Path) -> None:
    from medcoder.spark.job import code_parquet

    source = tmp_path / "bad.parquet"
    _write_parquet(source, [{"id": 1, "text": "x"}])
    spark.read.parquet(str(source)).drop("text").write.parquet(str(tmp_path / "notext"))
    with pytest.raises(InvalidInputError, match="has no 'text' column"):
        code_parquet(spark, tmp_path / "notext", tmp_path / "out")
    with pytest.raises(InvalidInputError, match="already exists"):
        code_parquet(spark, source, tmp_path / "notext")
    with pytest.raises(InvalidInputError, match="no Parquet table at"):
        code_parquet(spark, tmp_path / "missing.parquet", tmp_path / "out")


def _cli(*args: str, prelude: str = "", env: dict[str, str] | None = None) -> Any:
    code = f"import sys\n{prelude}from medcoder.cli import main\nmain(sys.argv[1:])\n"
    import os

    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})  # fmt: skip


def test_the_cli_names_what_is_missing(tmp_path: Path) -> None:
    require_spark()
    done = CliRunner().invoke(main, ["spark-code", str(tmp_path / "no.parquet"), str(tmp_path)])
    assert done.exit_code == 2 and "error[E300]: no Parquet table at" in done.stderr
    source = tmp_path / "notes.parquet"
    _write_parquet(source, [{"id": 1, "text": "x"}])
    no_pyspark = _cli("spark-code", str(source), str(tmp_path / "o1"),
                      prelude="sys.modules['pyspark'] = None\n")  # fmt: skip
    assert no_pyspark.returncode == 2, no_pyspark.stderr
    assert no_pyspark.stderr.splitlines()[0].startswith("error[E102]: ")
    assert "pip install 'medcoder[spark]'" in no_pyspark.stderr
    no_java = _cli("spark-code", str(source), str(tmp_path / "o2"),
                   env={"JAVA_HOME": str(tmp_path / "no-java")})  # fmt: skip
    assert no_java.returncode == 2, no_java.stderr
    assert "error[E103]: Spark's Java gateway did not start" in no_java.stderr
    assert "Traceback" not in no_java.stderr
    assert not (tmp_path / "o2").exists()
