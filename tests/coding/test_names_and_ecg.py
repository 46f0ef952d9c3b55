"""A person's name is not an eponym, and an ECG's ST depression is not depression.

Found by a helper comparing notes: "Mr. Dawson" gave A81.1 (Dawson's encephalitis) and
"ST depressions" gave F32.A. Synthetic notes written here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from medcoder.codesets.in_force import CodeSetChooser
from medcoder.codesets.registry import Registry
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.pipeline import CodingEngine


@pytest.fixture(scope="module")
def engine(built_home: Path) -> CodingEngine:
    return CodingEngine(CodeSetChooser(Registry(built_home, quiet=True)))


def _codes(engine: CodingEngine, text: str) -> list[str]:
    document = ClinicalDocument(
        text=text, setting=Setting.OUTPATIENT, date_of_service=dt.date(2026, 5, 1)
    )
    return [c.code for c in engine.code(document).codes]


def test_a_name_after_a_title_is_a_person(engine: CodingEngine) -> None:
    codes = _codes(engine, "Mr. Dawson is seen for COPD, stable. Dr Parkinson agrees.")
    assert "A81.1" not in codes and not any(c.startswith("G20") for c in codes)
    assert "J44.9" in codes


def test_the_eponym_itself_is_still_coded(engine: CodingEngine) -> None:
    assert any(c.startswith("G20") for c in _codes(engine, "Assessment: Parkinson's disease."))


def test_st_depression_is_an_ecg_finding(engine: CodingEngine) -> None:
    codes = _codes(engine, "ECG shows ST depressions in the lateral leads.")
    assert "R94.31" in codes and not any(c.startswith("F32") for c in codes)
