"""Rows in and out of a Spark job: the input table's columns, each row as a batch line,
each batch record as an output row, and back. Nothing here imports Spark, so the shapes
are tested without a Java runtime.

Input: the keys of a batch line (:data:`medcoder.batch.BATCH_KEYS`) as columns: ``text``
(string) required; ``id`` (string or integer), ``setting``, ``sex``,
``patient_status`` (string), ``date`` (string YYYY-MM-DD or a date), ``age`` (integer)
optional. Any other column is refused by name, as batch refuses an unknown key (a
misspelt ``settting`` would otherwise code under the outpatient rules): select the
columns first.

Output (:func:`output_fields`), one row per input row, the fields of a batch record:

- ``id``: the row's id, of the input column's type (string or 64-bit integer), so that
  an integer id stays an integer as batch keeps it;
- ``line``: the row's number (1-based; the CLI numbers the rows of each Parquet file in
  their order there, as batch numbers the lines of its file), or null;
- ``error``: ``[Exxx] message`` for a row that could not be coded, else null;
- ``codes``, ``dropped``, ``procedures``, ``em_level``: the batch record's lists and
  object as JSON text (``json.dumps``, as batch writes them), so that every nested field,
  optional keys included (``poa`` on inpatient codes), round-trips exactly; null on an
  error row;
- ``release`` (string) and ``encounter_confidence`` (double), null on an error row.

:func:`batch_record` turns an output row back into the record batch writes for the
same note: a coded row without ``line`` and ``error``, an error row with ``id``,
``line`` and ``error`` only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from medcoder.batch import BATCH_KEYS
from medcoder.errors import InvalidInputError

#: The Spark SQL type names (``DataType.simpleString()``) each input column may have.
STRING = ("string",)
INTEGER = ("tinyint", "smallint", "int", "bigint")
INPUT_TYPES: dict[str, tuple[str, ...]] = {
    "id": STRING + INTEGER,
    "text": STRING,
    "setting": STRING,
    "date": (*STRING, "date"),
    "age": INTEGER,
    "sex": STRING,
    "patient_status": STRING,
}
assert tuple(INPUT_TYPES) == BATCH_KEYS  # one list of keys, batch's
#: The batch record's fields written as JSON text.
JSON_FIELDS = ("codes", "dropped", "procedures", "em_level")
#: The output row's fields after ``id`` and their Spark SQL types.
RESULT_FIELDS: tuple[tuple[str, str], ...] = (
    ("line", "bigint"),
    ("error", "string"),
    *((name, "string") for name in JSON_FIELDS),
    ("release", "string"),
    ("encounter_confidence", "double"),
)


def check_columns(columns: Mapping[str, str], *, where: str, line: str | None = None) -> None:
    """E300 naming the table and column for a table batch could not read: no ``text``
    column, a column that is no key of a batch line, or one of the wrong type.
    ``columns`` maps each column to its Spark SQL type name; ``line`` names the column
    that numbers the rows, which is not a note field."""
    fields = {name: kind for name, kind in columns.items() if name != line}
    if "text" not in fields:
        raise InvalidInputError(
            f"{where} has no 'text' column (columns: {', '.join(columns) or 'none'})",
            hint="a notes table needs a string column 'text' and may carry "
            + ", ".join(k for k in BATCH_KEYS if k != "text"),
        )
    unknown = [name for name in fields if name not in INPUT_TYPES]
    if unknown:
        named = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise InvalidInputError(
            f"{where} has column(s) {named} that are no field of a note "
            f"(allowed: {', '.join(BATCH_KEYS)})",
            hint="select the note columns first, e.g. df.select('id', 'text', 'date')",
        )
    for name, kind in fields.items():
        if kind not in INPUT_TYPES[name]:
            raise InvalidInputError(
                f"{where}: column {name!r} is {kind}, not {' or '.join(INPUT_TYPES[name])}"
            )


def id_type(columns: Mapping[str, str]) -> str:
    """The output ``id`` column's Spark SQL type: bigint for an integer id column."""
    return "bigint" if columns.get("id") in INTEGER else "string"


def output_fields(columns: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The output columns and their Spark SQL types, for an input of ``columns``."""
    return (("id", id_type(columns)), *RESULT_FIELDS)


def output_ddl(columns: Mapping[str, str]) -> str:
    """:func:`output_fields` as a Spark DDL schema string."""
    return ", ".join(f"`{name}` {kind}" for name, kind in output_fields(columns))


def note_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """An input row as the batch line it stands for: the note's keys only (a null is an
    absent key, as batch reads ``null``); a date column's value as YYYY-MM-DD."""
    data = {key: row[key] for key in BATCH_KEYS if row.get(key) is not None}
    day = data.get("date")
    if isinstance(day, dt.date):
        data["date"] = day.isoformat()
    return data


def output_row(record: Mapping[str, Any], line: int | None) -> dict[str, Any]:
    """A batch record (:func:`medcoder.batch.code_record`) as an output row."""
    row: dict[str, Any] = {"id": record.get("id"), "line": line, "error": record.get("error")}
    coded = "error" not in record
    for name in JSON_FIELDS:
        row[name] = json.dumps(record[name], ensure_ascii=False) if coded else None
    row["release"] = record.get("release")
    row["encounter_confidence"] = record.get("encounter_confidence")
    return row


def batch_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """An output row as the record ``medcoder batch`` writes for the same note."""
    if row.get("error") is not None:
        return {"id": row.get("id"), "line": row.get("line"), "error": row["error"]}
    return {
        "id": row.get("id"),
        **{name: json.loads(row[name]) for name in ("codes", "dropped", "procedures")},
        "em_level": json.loads(row["em_level"]),
        "release": row.get("release"),
        "encounter_confidence": row.get("encounter_confidence"),
    }
