"""The error hierarchy: stable codes, and source errors that name file and line."""

from __future__ import annotations

from pathlib import Path

from medcoder import errors
from medcoder.errors import (
    CodeSetError,
    MedcoderError,
    SourceFormatError,
    UnknownCodeError,
)


def test_source_format_error_names_file_and_line() -> None:
    error = SourceFormatError("data/icd10cm_order_2026.txt", "bad flag", line=12, hint="use 0/1")
    assert str(error) == "data/icd10cm_order_2026.txt:12: bad flag"
    assert error.path == Path("data/icd10cm_order_2026.txt")
    assert error.line == 12
    assert error.hint == "use 0/1"
    assert error.code == "E204"
    assert isinstance(error, CodeSetError)


def test_source_format_error_without_a_line() -> None:
    error = SourceFormatError(Path("tabular.xml"), "no chapters found")
    assert str(error) == "tabular.xml: no chapters found"
    assert error.line is None


def test_unknown_code_error_suggests_codes() -> None:
    error = UnknownCodeError("E11.99", "icd10cm-2026-04", ["E11.9", "E11.69"])
    assert str(error) == "E11.99 is not a code in icd10cm-2026-04"
    assert error.hint == "nearest valid codes: E11.9, E11.69"
    assert UnknownCodeError("E11.99", "icd10cm-2026-04").hint is None


def test_every_error_has_its_own_stable_code() -> None:
    classes = [
        obj
        for obj in vars(errors).values()
        if isinstance(obj, type) and issubclass(obj, MedcoderError)
    ]
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    assert all(code.startswith("E") and len(code) == 4 for code in codes)
