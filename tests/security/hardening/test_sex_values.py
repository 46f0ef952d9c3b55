"""Issue 17 item 9 (the rest): every input takes a sex by exact value. "Mujer" was stored
as M and "Femme" as F where a parser kept the first letter; one parser now serves the CLI,
batch lines, claims, the API and imports."""

from __future__ import annotations

import pytest

from medcoder.batch import parse_line
from medcoder.edits.claim import parse_claim
from medcoder.errors import ClaimFormatError, InvalidInputError
from medcoder.kinds import Sex
from medcoder.pipeline import make_document

GOOD = {"F": Sex.FEMALE, "female": Sex.FEMALE, " Male ": Sex.MALE, "m": Sex.MALE}
UNKNOWN = ("U", "unknown", "", None)
BAD = ("Mujer", "Masc", "Femme", "x", "FM", "0")


@pytest.mark.parametrize(("value", "sex"), GOOD.items())
def test_exact_values_parse(value: str, sex: Sex) -> None:
    assert Sex.parse(value) is sex
    assert make_document("note", sex=value).sex is sex


@pytest.mark.parametrize("value", UNKNOWN)
def test_unknown_is_no_sex(value: str | None) -> None:
    assert Sex.parse(value) is None


@pytest.mark.parametrize("value", BAD)
def test_other_values_are_refused_everywhere(value: str) -> None:
    with pytest.raises(InvalidInputError, match="not F, M or U"):
        Sex.parse(value)
    with pytest.raises(InvalidInputError):
        make_document("note", sex=value)
    with pytest.raises(InvalidInputError):
        parse_line({"id": "1", "text": "note", "sex": value})
    claim = {"id": "c", "date_of_service": "2026-05-01", "sex": value, "codes": []}
    with pytest.raises(ClaimFormatError, match="sex"):
        parse_claim(claim)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_batch_reads_a_file_with_a_byte_order_mark(tmp_path: object, encoding: str) -> None:
    """Issue 17 item 17 for batch files: a BOM is read, not a JSON error on line 1."""
    from pathlib import Path

    from medcoder.batch import _read_lines

    path = Path(str(tmp_path)) / "in.jsonl"
    lines = ['{"id": "1", "text": "cough"}', '{"id": "2", "text": "fever"}']
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    read = [(n, (line or "").strip()) for n, line in _read_lines(path)]
    assert read == [(1, lines[0]), (2, lines[1])]
