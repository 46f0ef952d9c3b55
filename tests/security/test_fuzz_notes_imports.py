"""Issue 17 (Measure): fuzz over note text and import lines. Coding any text ends in a
result whose evidence quotes the text exactly, or a deliberate ``MedcoderError``; an
import line ends in a document or an ``ImportFormatError`` naming the line, never an
exception. 300 examples each by default; the 10,000-case run::

    MEDCODER_FUZZ_EXAMPLES=10000 pytest tests/security/test_fuzz_notes_imports.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcoder.errors import ImportFormatError, MedcoderError
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.pipeline import CodingEngine
from medcoder.records.importer import OPTIONAL, REQUIRED, ImportDocument, _jsonl_line

EXAMPLES = int(os.environ.get("MEDCODER_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
DAY = dt.date(2026, 5, 1)

# Clinical words, headings and the characters that have broken parsers before (synthetic).
_WORDS = st.sampled_from(
    ["ASSESSMENT AND PLAN:", "HPI:", "1.", "no", "denies", "without", "with", "history of",
     "type 2 diabetes", "fracture of the left wrist", "pneumonia", "S. pneumoniae", "fell",
     "chest pain", "J1885", "ketorolac 30 mg IM", "99214", "laparoscopic cholecystectomy",
     "\u200b", "\ufeff", "\u0301", "\r\n", "\n\n", "\t", ":", ";", ",", ".", "(", ")", "/",
     "-", "'", '"', "%", "mg", "x", "3/15", "2026-05-01", "🙂", "\x00", "\x85", "\u2028"]
)  # fmt: skip
_NOTE = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_WORDS, st.text(max_size=6)), max_size=60).map(" ".join),
    st.lists(_WORDS, max_size=80).map("".join),
)


@FUZZ
@given(_NOTE, st.sampled_from(list(Setting)))
def test_coding_any_text_quotes_it_exactly_or_fails_cleanly(
    coding_engine: CodingEngine, text: str, setting: Setting
) -> None:
    document = ClinicalDocument(text=text, setting=setting, date_of_service=DAY)
    try:
        result = coding_engine.code(document)
    except MedcoderError as exc:
        assert exc.code.startswith("E") and exc.message
        return
    for code in result.codes:
        for e in code.evidence:
            assert text[e.start : e.end] == e.text
    for procedure in result.procedures:
        for e in procedure.evidence:
            assert text[e.start : e.end] == e.text


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2026-05-01", "1899-01-01", "9999-12-31", "1950-02-30", "outpatient",
                     "inpatient", "F", "Mujer", "u", "E-1", "A/B", "..", "", "01", "note"]),
)  # fmt: skip
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
_import_line = st.fixed_dictionaries(
    {}, optional={key: _json for key in (*REQUIRED, *OPTIONAL, "payor")}
)


@FUZZ
@given(_import_line)
def test_an_import_line_is_a_document_or_an_error_naming_it(line: dict[str, Any]) -> None:
    found = _jsonl_line(Path("in.jsonl"), 7, json.dumps(line))
    assert isinstance(found, ImportDocument | ImportFormatError)
    if isinstance(found, ImportFormatError):
        assert "in.jsonl" in found.message and "7" in found.message


@FUZZ
@given(st.text(max_size=200) | st.sampled_from(["[" * 5000, "{" * 3000, "9" * 6000]))
def test_raw_import_text_is_a_document_or_an_error(text: str) -> None:
    found = _jsonl_line(Path("in.jsonl"), 1, text)
    assert isinstance(found, ImportDocument | ImportFormatError)
