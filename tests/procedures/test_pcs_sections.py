"""ICD-10-PCS beyond the Medical and Surgical section: words derived from the Index and
Definitions, and the axes of Imaging (contrast), Administration (substance) and
Extracorporeal Assistance and Performance (duration), on a tiny excerpt in the official
layouts (tests/fixtures/icd10pcs_sections, written for these tests)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from medcoder.codesets.pcs.store import PcsRelease
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.procedures.pcs import PcsCoder
from medcoder.procedures.pcs_sections import (
    _label_range,
    _quantities,
    section_entries,
    substance_words,
)
from medcoder.results import StageFindings
from tests.procedures.runner import StageRunner

PCS_FIXTURE = "icd10pcs_sections"  # tests/fixtures/icd10pcs_sections, written for these tests


@pytest.fixture(scope="module")
def runner(small_pcs_home: Path) -> StageRunner:
    return StageRunner(PcsCoder(), small_pcs_home)


def _code(runner: StageRunner, text: str) -> StageFindings:
    document = ClinicalDocument(text, setting=Setting.INPATIENT, date_of_service=date(2026, 2, 1))
    return runner(document)


def test_index_references_to_other_sections_become_entries(small_pcs: PcsRelease) -> None:
    entries = {w: e for e in section_entries(small_pcs) for w in e.words}
    # A code of four characters gives the table and the body part.
    assert entries["hemodialysis"].table == "5A1"
    assert entries["hemodialysis"].body_part == "urinary"
    # Sent to a table this release does not have: nothing to code it to.
    assert "hyperbaric oxygenation" not in entries
    # No code: every table of that type in its section.
    assert (entries["cat scan"].section, entries["cat scan"].operation) == (
        "B",
        "Computerized Tomography (CT Scan)",
    )
    assert entries["echography"].operation == "Ultrasonography"
    # Sent to two types (Plain Radiography or Fluoroscopy): the statement must decide.
    assert "cystography" not in entries
    # The type labels themselves and their abbreviations.
    assert entries["ct scan"].operation == "Computerized Tomography (CT Scan)"
    assert entries["magnetic resonance imaging"].operation == "Magnetic Resonance Imaging (MRI)"
    assert entries["mri"].section == "B"


def test_findings_are_not_procedure_words(small_pcs: PcsRelease) -> None:
    words = {w for e in section_entries(small_pcs, frozenset({"blood pressure"})) for w in e.words}
    assert "blood pressure" not in words


def test_substance_words_come_from_the_definitions(small_pcs: PcsRelease) -> None:
    assert substance_words(small_pcs) == {"4-Factor Prothrombin Complex Concentrate": ("kcentra",)}


def test_ranges_of_duration_and_energy_labels() -> None:
    assert _label_range("24-96 Consecutive Hours") == (24.0, 96.5)
    assert _label_range("Less than 24 Consecutive Hours") == (0.0, 24.0)
    assert _label_range("Greater than 96 Consecutive Hours") == (96.5, float("inf"))
    assert _label_range("Photons 1 - 10 MeV") == (1.0, 10.5)
    assert _label_range("Photons <1 MeV") == (0.0, 1.0)
    assert _label_range("Red Blood Cells") is None
    assert _quantities("ventilated for 3 days") == [(72.0, "hours")]
    assert _quantities("for more than 96 consecutive hours") == [(96.5, "hours")]
    assert _quantities("photons of 6 MeV") == [(6.0, "mev")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Imaging: contrast None when the study is plain; the kind when it is written;
        # "Unenhanced and Enhanced" when images were taken before and after.
        ("CT of the abdomen without contrast.", "BW20ZZZ"),
        ("CAT scan of the abdomen and pelvis with low osmolar contrast.", "BW211ZZ"),
        ("CT of the head with and without iohexol.", "BW2810Z"),
        ("MRI of the brain with and without gadolinium.", "B030Y0Z"),
        ("MRI of the brain.", "B030ZZZ"),
        ("Pelvic echography.", "BW4GZZZ"),
        # Administration: site, substance and the residual qualifier.
        ("Transfusion of fresh frozen plasma through a central line.", "30243K1"),
        ("Platelets were transfused via a peripheral IV.", "30233R1"),
        ("Intravenous chemotherapy.", "3E03305"),
        ("Thrombolysis was given.", "3E03317"),
        # Extracorporeal: the duration the statement gives, the function it names.
        ("Mechanical ventilation for 3 days.", "5A1945Z"),
        ("Mechanical ventilation for more than 96 consecutive hours.", "5A1955Z"),
        ("Hemodialysis for 4 hours.", "5A1D70Z"),
        ("Continuous renal replacement therapy.", "5A1D90Z"),
    ],
)
def test_codes_outside_medical_and_surgical(runner: StageRunner, text: str, expected: str) -> None:
    assert [p.code for p in _code(runner, text).procedures] == [expected]


def test_contrast_of_unwritten_kind_is_named_uncertain(runner: StageRunner) -> None:
    (found,) = _code(runner, "CT of the abdomen with intravenous contrast.").procedures
    assert found.code[:4] == "BW20" and found.code[4] != "Z"
    assert "contrast" in found.uncertain_axes


def test_a_route_not_written_is_named_uncertain(runner: StageRunner) -> None:
    (found,) = _code(runner, "Thrombolysis was given.").procedures
    assert "body part" in found.uncertain_axes


def test_oral_chemotherapy_has_no_route_to_code(runner: StageRunner) -> None:
    # Only substances put in through a documented site are coded (Administration axes).
    assert _code(runner, "Chemotherapy with capecitabine tablets was continued.").procedures == ()


def test_a_word_that_only_starts_longer_phrases_gates_on_the_next_word() -> None:
    from medcoder.procedures.pcs_lexicon import procedure_hits
    from medcoder.procedures.pcs_vocabulary import PhraseIndex, norm_phrase

    index = PhraseIndex([(norm_phrase("heart catheterization"), "x"), (norm_phrase("ct"), "y")])
    assert procedure_hits("Heart rate 80, heart sounds normal.", index) == []
    assert procedure_hits("Heart catheterizations were done.", index) == [0]
    assert procedure_hits("A CT was done.", index) == [2]
