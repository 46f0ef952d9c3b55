"""The rows of a Spark job without Spark: the input table's columns, a row as a batch
line, a batch record as an output row and back (medcoder.spark.rows)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from medcoder.batch import BATCH_KEYS, code_record
from medcoder.errors import InvalidInputError
from medcoder.spark.rows import (
    JSON_FIELDS,
    batch_record,
    check_columns,
    note_fields,
    output_ddl,
    output_fields,
    output_row,
)

# A coded record in the shape batch writes; nested values written for this test.
CODED: dict[str, Any] = {
    "id": "n-1",
    "codes": [
        {"code": "E11.9", "system": "icd10cm", "confidence": 0.9123456789012345,
         "evidence": [{"text": "type 2 diabetes – café", "start": 3, "end": 20}],
         "poa": {"indicator": "Y", "reason": "stated"}},
        {"code": "I10", "system": "icd10cm", "confidence": 1e-05, "rules": []},
    ],
    "dropped": [{"code": None, "text": "rule out flu", "evidence": None}],
    "procedures": [],
    "em_level": None,
    "release": "icd10cm-2026-04",
    "encounter_confidence": 0.3333333333333333,
}  # fmt: skip


def test_a_table_without_text_is_refused_by_name() -> None:
    with pytest.raises(InvalidInputError, match=r"notes\.parquet has no 'text' column \(columns: "
                       r"id, note\)") as caught:  # fmt: skip
        check_columns({"id": "string", "note": "string"}, where="notes.parquet")
    assert caught.value.code == "E300"


def test_a_column_no_note_has_is_refused_by_name() -> None:
    with pytest.raises(InvalidInputError, match=r"'settting'.*allowed: id, text"):
        check_columns({"text": "string", "settting": "string"}, where="t")


@pytest.mark.parametrize(
    ("column", "kind"), [("text", "binary"), ("age", "string"), ("date", "timestamp"),
                         ("id", "double"), ("setting", "int")],
)  # fmt: skip
def test_a_column_of_the_wrong_type_is_refused(column: str, kind: str) -> None:
    columns = {"text": "string", column: kind}
    with pytest.raises(InvalidInputError, match=f"column '{column}' is {kind}, not "):
        check_columns(columns, where="t")


def test_every_note_field_and_the_line_column_are_accepted() -> None:
    columns = {"id": "bigint", "text": "string", "setting": "string", "date": "date",
               "age": "int", "sex": "string", "patient_status": "string",
               "n": "bigint"}  # fmt: skip
    check_columns(columns, where="t", line="n")
    with pytest.raises(InvalidInputError, match="'n'"):
        check_columns(columns, where="t")


def test_the_id_keeps_its_kind() -> None:
    assert output_fields({"id": "bigint", "text": "string"})[0] == ("id", "bigint")
    assert output_fields({"id": "int", "text": "string"})[0] == ("id", "bigint")
    assert output_fields({"id": "string", "text": "string"})[0] == ("id", "string")
    assert output_fields({"text": "string"})[0] == ("id", "string")
    assert output_ddl({"text": "string"}) == (
        "`id` string, `line` bigint, `error` string, `codes` string, `dropped` string, "
        "`procedures` string, `em_level` string, `release` string, "
        "`encounter_confidence` double"
    )


def test_a_row_is_the_batch_line_it_stands_for() -> None:
    row = {"id": 7, "text": "Gout.", "setting": None, "date": dt.date(2026, 5, 1),
           "age": 40, "sex": None, "patient_status": "new", "__line": 3}  # fmt: skip
    assert note_fields(row) == {"id": 7, "text": "Gout.", "date": "2026-05-01", "age": 40,
                                "patient_status": "new"}  # fmt: skip
    assert set(note_fields(row)) <= set(BATCH_KEYS)
    assert note_fields({"text": None}) == {}


def test_a_coded_record_round_trips_exactly() -> None:
    row = output_row(CODED, 4)
    assert row["line"] == 4 and row["error"] is None
    assert all(isinstance(row[name], str) for name in JSON_FIELDS)
    assert "café" in row["codes"]  # written as batch writes it (ensure_ascii=False)
    assert batch_record(row) == CODED


def test_an_error_record_round_trips_exactly() -> None:
    record = {"id": 12, "line": 9, "error": "[E300] age must be a whole number 0-130"}
    row = output_row(record, 9)
    assert [row[name] for name in (*JSON_FIELDS, "release", "encounter_confidence")] == [None] * 6
    assert batch_record(row) == record


@pytest.mark.parametrize(
    ("data", "error"),
    [({"id": 5, "text": 3}, "[E300] text must be a string, not a number"),
     ({"id": "x"}, '[E300] missing "text"'),
     ({"id": True, "text": "a"}, "[E300] id must be a string or a whole number, not true/false"),
     ({"id": "y", "text": "a", "age": 131}, "[E300] age must be a whole number 0-130")],
)  # fmt: skip
def test_a_row_batch_cannot_code_is_an_error_row(data: dict[str, Any], error: str) -> None:
    record = code_record(data, line=2, home=None)
    reported = data["id"] if not isinstance(data["id"], bool) else None
    assert record == {"id": reported, "line": 2, "error": error}
    assert batch_record(output_row(record, 2)) == record
