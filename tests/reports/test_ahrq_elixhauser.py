"""AHRQ Elixhauser Comorbidity Software Refined v2026.1: the workbook read row by row
against a second reading of it, the SAS mapping program's POA rules, CBVD derivation and
exclusions, the index weights against the wheel's own transcription, and hand-worked
patients."""

from __future__ import annotations

import ast
from pathlib import Path

import openpyxl
import pytest

from medcoder.errors import MissingExtraError, SourceFormatError
from medcoder.reports import ahrq_reference
from medcoder.reports.ahrq_elixhauser import CmrMapper, index_weights, mapper
from medcoder.reports.ahrq_reference import read_workbook, reference, workbook_path

from .conftest import needs_ahrq

pytestmark = needs_ahrq

# CMR_Mapping_Program_v2026-1.sas, ARRAY COMANYPOA (20) and ARRAY COMPOA (19).
COMANYPOA = {
    "AIDS", "ALCOHOL", "AUTOIMMUNE", "LUNG_CHRONIC", "DEMENTIA", "DEPRESS", "DIAB_UNCX",
    "DIAB_CX", "DRUG_ABUSE", "HTN_UNCX", "HTN_CX", "THYROID_HYPO", "THYROID_OTH",
    "CANCER_LYMPH", "CANCER_LEUK", "CANCER_METS", "OBESE", "PERIVASC", "CANCER_SOLID",
    "CANCER_NSITU",
}  # fmt: skip
COMPOA = {
    "ANEMDEF", "BLDLOSS", "HF", "COAG", "LIVER_MLD", "LIVER_SEV", "NEURO_MOVT", "NEURO_SEIZ",
    "NEURO_OTH", "PARALYSIS", "PSYCHOSES", "PULMCIRC", "RENLFL_MOD", "RENLFL_SEV",
    "ULCER_PEPTIC", "WGHTLOSS", "CBVD_POA", "CBVD_SQLA", "VALVE",
}  # fmt: skip
PRINCIPAL = ("J18.9", "Y")  # pneumonia: maps to no measure; skipped anyway


def flags(*secondary: tuple[str, str | None], inpatient: bool = True) -> set[str]:
    cmr = mapper()
    return set(cmr.flags(cmr.assign([PRINCIPAL, *secondary], poa_reported=inpatient)))


def test_every_workbook_row_maps_to_its_columns() -> None:
    """A second reading of the workbook, cell by cell, against the parsed table and the
    bits a diagnosis reported POA Y contributes before the exclusions."""
    book = openpyxl.load_workbook(workbook_path(), read_only=True, data_only=True)
    rows = list(book["DX_to_Comorb_Mapping"].iter_rows(values_only=True))
    book.close()
    header = rows[1]
    body = [r for r in rows[2:] if r[0] and r[0] != "End of Content"]
    assert len(body) == 4567
    cmr = mapper()
    assert len(cmr.reference.codes) == len(body)
    for row in body:
        expected = {str(c) for c, v in zip(header[3:], row[3:], strict=True) if v == 1}
        assert set(cmr.columns_of(row[0])) == expected, row[0]
        assert cmr.code_bits(row[0], "Y", True) == sum(cmr.bit[c] for c in expected), row[0]
        neutral = {c for c in expected if c in COMANYPOA}
        assert cmr.code_bits(row[0], None, False) == sum(cmr.bit[c] for c in neutral)


def test_measures_and_their_poa_use_are_the_sas_arrays() -> None:
    ref = reference()
    assert len(ref.measures) == 38
    neutral = {m.key for m in ref.measures if not m.uses_poa}
    dependent = {m.key for m in ref.measures if m.uses_poa}
    assert neutral == COMANYPOA
    assert dependent == (COMPOA - {"CBVD_POA", "CBVD_SQLA"}) | {"CBVD"}
    assert set(ref.columns) == COMANYPOA | COMPOA


@pytest.mark.parametrize(
    ("poa", "counted"), [("Y", True), ("W", True), ("N", False), ("U", False), (None, False)]
)
def test_poa_dependent_measure_needs_y_or_w(poa: str | None, counted: bool) -> None:
    # N18.6 end-stage renal disease: RENLFL_SEV, POA-dependent; E11.22 DIAB_CX is not.
    got = flags(("N18.6", poa), ("E11.22", poa))
    assert got == ({"RENLFL_SEV", "DIAB_CX"} if counted else {"DIAB_CX"})


def test_poa_exempt_codes_count_whatever_the_indicator() -> None:
    # I69.351 (sequela of infarction, hemiplegia) is on the POA exempt list: CBVD_SQLA and
    # PARALYSIS count with a blank indicator or "1"; Q22.0 (exempt congenital) VALVE too.
    assert flags(("I69.351", None)) == {"CBVD", "PARALYSIS"}
    assert flags(("I69.351", "1")) == {"CBVD", "PARALYSIS"}
    assert flags(("Q22.0", None)) == {"VALVE"}
    # "1" on a code the list leaves out is still the record's word for exempt.
    assert flags(("N18.6", "1")) == {"RENLFL_SEV"}


def test_cerebrovascular_disease() -> None:
    assert flags(("I63.9", "Y")) == {"CBVD"}  # CBVD_POA
    assert flags(("I63.9", "N")) == set()  # arose in the stay: CBVD_NPOA only
    assert flags(("I63.9", "U")) == set()
    assert flags(("I69.30", None)) == {"CBVD"}  # sequela alone: CBVD_SQLA
    # A new stroke in the stay with a sequela code: NPOA masks the sequela.
    assert flags(("I63.9", "N"), ("I69.30", None)) == set()
    assert flags(("I63.9", "Y"), ("I69.30", None)) == {"CBVD"}
    assert flags(("I63.9", "N"), ("I69.351", None)) == {"PARALYSIS"}


def test_exclusions() -> None:
    assert flags(("E11.9", "Y"), ("E11.22", "Y")) == {"DIAB_CX"}
    assert flags(("I10", "Y"), ("I13.0", "Y")) == {"HTN_CX", "HF"}
    assert flags(("I10", "Y"), ("I13.0", "N")) == {"HTN_CX"}  # HF needs POA, HTN_CX not
    assert flags(("C78.00", "Y"), ("C34.90", "Y"), ("D05.90", "Y")) == {"CANCER_METS"}
    assert flags(("C34.90", "Y"), ("D05.90", "Y")) == {"CANCER_SOLID"}
    assert flags(("C78.00", "Y"), ("C91.00", "Y")) == {"CANCER_METS", "CANCER_LEUK"}
    assert flags(("K70.30", "Y"), ("K72.10", "Y")) == {"LIVER_SEV"}
    assert flags(("K70.30", "Y"), ("K72.10", "N")) == {"LIVER_MLD"}
    assert flags(("N18.30", "Y"), ("N18.6", "Y")) == {"RENLFL_SEV"}


def test_principal_diagnosis_is_not_a_comorbidity() -> None:
    cmr = mapper()
    assert cmr.flags(cmr.assign([("I50.9", "Y")], poa_reported=True)) == frozenset()
    assert cmr.flags(cmr.assign([("I50.9", "Y"), ("I50.9", "Y")], poa_reported=True)) == {"HF"}


def test_without_poa_the_poa_dependent_measures_are_missing() -> None:
    # AHRQ's POA=0 (outpatient records here): HF, RENLFL_SEV, CBVD unassigned whatever
    # the indicator; neutral measures and their exclusions as ever.
    got = flags(("I50.9", "Y"), ("N18.6", "Y"), ("I63.9", "Y"), ("E11.9", None),
                ("E11.22", None), inpatient=False)  # fmt: skip
    assert got == {"DIAB_CX"}


def test_indices_on_hand_worked_patients() -> None:
    cmr = mapper()
    # HF (rw 7, mw 14), RENLFL_SEV (8, 7), DIAB_CX (4, -2), CANCER_METS (11, 22); the
    # solid tumour (7, 10) dropped under METS; RENLFL_MOD dropped under SEV.
    one = cmr.assign(
        [PRINCIPAL, ("I50.9", "Y"), ("N18.6", "W"), ("N18.30", "Y"), ("E11.22", "N"),
         ("C78.00", "Y"), ("C34.90", "Y")],
        poa_reported=True,
    )  # fmt: skip
    readmission, mortality = cmr.indices(cmr.flags(one))
    assert readmission == 7 + 8 + 4 + 11 == 30
    assert mortality == 14 + 7 - 2 + 22 == 41
    # Depression (2, -8), obesity (-2, -7), drug abuse (6, -7); HF arose in the stay.
    two = cmr.assign(
        [PRINCIPAL, ("F32.9", "N"), ("E66.01", "N"), ("F11.20", "Y"), ("I50.9", "N")],
        poa_reported=True,
    )  # fmt: skip
    assert cmr.indices(cmr.flags(two)) == (2 - 2 + 6, -8 - 7 - 7)


def test_weights_match_the_wheels_transcription() -> None:
    """The index weights against the wheel's scorer.py (read as text: importing it would
    import pandas), an independent transcription of CMR_Index_Program_v2026-1.sas."""
    scorer = workbook_path().parents[1] / "scorer.py"
    if not scorer.is_file():
        pytest.skip("the installed elixhauser-ahrq has no scorer.py")
    found: dict[str, dict[str, int]] = {}
    for node in ast.walk(ast.parse(scorer.read_text("utf-8"))):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value  # type: ignore[assignment]
    mortality = ast.literal_eval(found["MORTALITY_WEIGHTS"])  # type: ignore[arg-type]
    readmission = ast.literal_eval(found["READMISSION_WEIGHTS"])  # type: ignore[arg-type]
    weights = index_weights()
    assert weights.mortality == mortality and weights.readmission == readmission
    assert set(weights.mortality) == {m.key for m in reference().measures}


def test_missing_package_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ahrq_reference.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingExtraError) as caught:
        workbook_path()
    assert caught.value.code == "E102"
    assert "pip install 'medcoder[reports]'" in str(caught.value)
    assert "elixhauser-ahrq" in str(caught.value)


def test_parsed_tables_are_cached_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = reference(tmp_path)
    assert (tmp_path / "ahrq-cmr-v2026.1.json").is_file()
    reference.cache_clear()

    def refuse(path: Path) -> None:
        raise AssertionError("the workbook was read again")

    monkeypatch.setattr(ahrq_reference, "read_workbook", refuse)
    again = reference(tmp_path)
    assert again == first
    reference.cache_clear()


def test_a_workbook_of_another_layout_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Comorbidity_Measures"
    sheet.append(["title"])
    sheet.append(["Abbreviation", "Comorbidity Description", "Uses POA?"])
    sheet.append(["CMR_AIDS", "Acquired immune deficiency syndrome", "Maybe"])
    path = tmp_path / "CMR.xlsx"
    book.save(path)
    with pytest.raises(SourceFormatError, match=r"CMR.xlsx\[Comorbidity_Measures\]:3"):
        read_workbook(path)


def test_mapper_refuses_columns_without_a_measure() -> None:
    ref = reference()
    odd = type(ref)(ref.version, ref.measures, (*ref.columns, "NEW_MEASURE"), ref.codes)
    with pytest.raises(SourceFormatError, match="NEW_MEASURE"):
        CmrMapper(odd)
