"""ICD-10-PCS Official Guidelines applied by the stage, on the full FY2026 release (with
the partial Index) from ../shared/data; statements synthetic, written here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.procedures.pcs import PcsCoder
from medcoder.results import ProcedureAssignment
from tests.procedures.runner import StageRunner


@pytest.fixture(scope="module")
def coder(pcs_home: Path) -> StageRunner:
    return StageRunner(PcsCoder(), pcs_home)


def coded(coder: StageRunner, text: str) -> list[ProcedureAssignment]:
    document = ClinicalDocument(text, setting=Setting.INPATIENT, date_of_service=date(2026, 2, 1))
    return list(coder(document).procedures)


def rules(assignment: ProcedureAssignment) -> set[str]:
    return {r.rule for r in assignment.rules}


def test_b3_4a_biopsy_is_excision_with_the_diagnostic_qualifier(coder: StageRunner) -> None:
    [found] = coded(coder, "Percutaneous needle biopsy of the left kidney.")
    assert found.code == "0TB13ZX" and "pcs-biopsy.v1" in rules(found)


def test_b3_4a_diagnostic_aspiration_is_drainage_diagnostic(coder: StageRunner) -> None:
    [found] = coded(coder, "Diagnostic arthrocentesis of the right knee joint.")
    assert found.code == "0S9C3ZX"


def test_b3_8_whole_body_part_is_resection_a_portion_is_excision(coder: StageRunner) -> None:
    [whole] = coded(coder, "Laparoscopic splenectomy.")
    [portion] = coded(coder, "Laparoscopic partial splenectomy.")
    assert whole.code == "07TP4ZZ" and "pcs-resection.v1" in rules(whole)
    assert portion.code == "07BP4ZZ" and "pcs-excision-portion.v1" in rules(portion)


def test_b3_8_the_specific_body_part_is_resected(coder: StageRunner) -> None:
    # Resection of the sigmoid colon, not Excision of the large intestine.
    [found] = coded(coder, "Laparoscopic sigmoid colectomy.")
    assert found.code == "0DTN4ZZ"


def test_solid_matter_taken_out_is_extirpation(coder: StageRunner) -> None:
    [found] = coded(coder, "Cystoscopic removal of a bladder stone.")
    assert found.code == "0TCB8ZZ" and "pcs-extirpation-matter.v1" in rules(found)
    # Without solid matter the same words take out tissue: Excision.
    [tissue] = coded(coder, "Cystoscopic removal of a bladder lesion.")
    assert tissue.code == "0TBB8ZZ"


def test_b4_3_bilateral_value_when_the_table_has_one(coder: StageRunner) -> None:
    [found] = coded(coder, "Bilateral open orchiectomy.")
    assert found.code == "0VTC0ZZ"  # Testes, Bilateral: one code, not one per side


def test_b6_1a_device_left_in_is_coded(coder: StageRunner) -> None:
    [found] = coded(coder, "Open reduction and internal fixation of a left radius fracture.")
    assert found.code == "0PSJ04Z"
    [closed] = coded(coder, "Closed reduction of a left radius fracture.")
    assert closed.code == "0PSJXZZ"


def test_qualifier_from_the_statement_words(coder: StageRunner) -> None:
    [found] = coded(coder, "Right below-knee amputation, mid tibia (mid).")
    assert found.code == "0Y6H0Z2"


def test_an_axis_without_evidence_is_named_uncertain(coder: StageRunner) -> None:
    [found] = coded(coder, "Excision of a lesion of the right kidney.")
    assert found.code == "0TB00ZZ" and found.uncertain_axes == ("approach",)
    [certain] = coded(coder, "Open excision of a lesion of the right kidney.")
    assert certain.uncertain_axes == () and certain.confidence > found.confidence


def test_derived_root_operation_words(coder: StageRunner) -> None:
    assert [c.code for c in coded(coder, "Cystoscopic fulguration of a bladder tumor.")] == [
        "0T5B8ZZ"
    ]
    assert [c.code for c in coded(coder, "Open reattachment of the severed left thumb.")] == [
        "0XMM0ZZ"
    ]
    assert [c.code for c in coded(coder, "Open right kidney transplant, allogeneic.")] == [
        "0TY00Z0"
    ]


def test_findings_named_like_operations_are_not_coded(coder: StageRunner) -> None:
    # "Coagulation" is a laboratory panel here, "bone destruction" a finding.
    assert coded(coder, "Coagulation studies of the liver panel were normal.") == []
    found = coded(coder, "The CT showed bone destruction of the left femur.")
    assert all(c.code[0] != "0" for c in found)


def test_b6_1c_irrigating_a_catheter_is_irrigation_not_a_drainage(coder: StageRunner) -> None:
    [found] = coded(coder, "Bladder irrigation through the indwelling urinary catheter.")
    assert found.code == "3E1K78Z"
    # Without the irrigation the catheter is a Drainage Device put in (B6.2).
    assert [f.code for f in coded(coder, "A urinary catheter was placed for drainage.")] == [
        "0T9B70Z"
    ]


def test_measurement_at_a_point_monitoring_over_a_period(coder: StageRunner) -> None:
    # Definitions, section 4: Measurement at a point in time, Monitoring repetitively.
    assert [f.code for f in coded(coder, "An EEG was recorded.")] == ["4A00X4Z"]
    assert [f.code for f in coded(coder, "Continuous EEG monitoring for 48 hours.")] == ["4A10X4Z"]


def test_imaging_contrast_axis(coder: StageRunner) -> None:
    # Section B character 5: the contrast given; "None" for a plain study; the
    # qualifier Unenhanced and Enhanced when images are taken before and after.
    assert [f.code for f in coded(coder, "Noncontrast CT of the abdomen and pelvis.")] == [
        "BW21ZZZ"
    ]
    assert [f.code for f in coded(coder, "MRI of the brain with and without gadolinium.")] == [
        "B030Y0Z"
    ]
    [unknown] = coded(coder, "CT of the abdomen with IV contrast.")
    assert unknown.code[:4] == "BW20" and "contrast" in unknown.uncertain_axes


def test_imaging_body_part_follows_the_index(coder: StageRunner) -> None:
    # Index: Computerized Tomography, Head BW28; the side written apart from the organ
    # (Ultrasonography, Veins, Lower Extremity, Right B54B).
    assert [f.code for f in coded(coder, "Head CT without contrast.")] == ["BW28ZZZ"]
    [veins] = coded(coder, "Duplex ultrasound of the right lower extremity veins.")
    assert veins.code == "B54BZZZ"


def test_b3_16_stem_cells_are_administration(coder: StageRunner) -> None:
    # Putting in autologous or nonautologous stem cells is Administration (B3.16).
    [found] = coded(coder, "Autologous hematopoietic stem cell transplant via central line.")
    assert found.code[:3] == "302"


def test_a_procedure_said_not_done_after_its_words_is_dropped(coder: StageRunner) -> None:
    assert coded(coder, "Thrombolysis was not given because of the bleeding risk.") == []
    assert coded(coder, "Hemodialysis was not required.") == []
    # A negation about the findings leaves the study coded.
    assert [f.code for f in coded(coder, "Chest x-ray was not remarkable.")] == ["BW03ZZZ"]


def test_ventilation_duration_from_the_days_written(coder: StageRunner) -> None:
    # 5A19 character 5: the consecutive hours of ventilation (5 days > 96 hours).
    found = coded(coder, "She was intubated and mechanically ventilated for 5 days.")
    assert "5A1955Z" in [f.code for f in found]
