"""Golden operative snippets (synthetic, written here) coded to ICD-10-PCS axis by axis."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from medcoder.errors import SourceFormatError
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.procedures.pcs import PcsCoder
from medcoder.procedures.pcs_vocabulary import load_vocabulary
from medcoder.results import StageFindings
from tests.procedures.runner import StageRunner

DAY = date(2026, 2, 1)


@pytest.fixture(scope="module")
def coder(pcs_home: Path) -> StageRunner:
    return StageRunner(PcsCoder(), pcs_home)


def code(coder: StageRunner, text: str, setting: Setting = Setting.INPATIENT) -> StageFindings:
    return coder(ClinicalDocument(text, setting=setting, date_of_service=DAY))


GOLDEN = [
    ("PROCEDURE: Laparoscopic appendectomy.", ["0DTJ4ZZ"]),
    ("OPERATION: Open cholecystectomy was performed without complication.", ["0FT40ZZ"]),
    ("Colonoscopy was performed and showed diverticulosis only.", ["0DJD8ZZ"]),
    ("Chest x-ray showed no infiltrate.", ["BW03ZZZ"]),
    ("CT of the abdomen and pelvis showed no acute findings.", ["BW21ZZZ"]),
    ("An ECG showed sinus rhythm.", ["4A02X4Z"]),
    ("Renal ultrasound was normal.", ["BT43ZZZ"]),
    ("He underwent a percutaneous liver biopsy.", ["0FB03ZX"]),
    ("She required endotracheal intubation in the emergency room.", ["0BH17EZ"]),
    ("A transesophageal echocardiogram was performed on day two.", ["B246ZZ4"]),
    ("A laparoscopic left nephrectomy was performed.", ["0TT14ZZ"]),
    ("MRI of the brain showed a small infarct.", ["B030ZZZ"]),
]


@pytest.mark.parametrize(("text", "expected"), GOLDEN, ids=[g[1][0] for g in GOLDEN])
def test_golden_snippets(coder: StageRunner, text: str, expected: list[str]) -> None:
    found = code(coder, text)
    assert [c.code for c in found.procedures] == expected
    for assignment in found.procedures:
        assert assignment.system == "icd10pcs" and assignment.release == "icd10pcs-2026"
        assert assignment.title and assignment.evidence and assignment.rules
        assert assignment.uncertain_axes == ()


def test_biopsy_at_colonoscopy_is_excision_and_the_inspection_is_integral(
    coder: StageRunner,
) -> None:
    found = code(coder, "The patient underwent colonoscopy with biopsy of the sigmoid colon.")
    assert [c.code for c in found.procedures] == ["0DBN8ZX"]
    biopsy = found.procedures[0]
    assert {r.rule for r in biopsy.rules} >= {"pcs-axes.v1", "pcs-biopsy.v1"}
    assert "approach 8 Via Natural or Artificial Opening Endoscopic" in biopsy.path
    assert any(d.code == "0DJD8ZZ" and d.rule.rule == "pcs-inspection-integral.v1"
               for d in found.dropped)  # fmt: skip


def test_both_sides_without_a_bilateral_value_are_coded_each(coder: StageRunner) -> None:
    found = code(coder, "Bilateral fundoscopy was normal.")
    assert [c.code for c in found.procedures] == ["08J0XZZ", "08J1XZZ"]
    assert all("pcs-bilateral.v1" in {r.rule for r in c.rules} for c in found.procedures)


def test_defaulted_axes_are_named_and_lower_confidence(coder: StageRunner) -> None:
    found = code(coder, "A right nephrectomy was performed.")
    assert [c.code for c in found.procedures] == ["0TT00ZZ"]
    assert found.procedures[0].uncertain_axes == ("approach",)
    certain = code(coder, "A laparoscopic right nephrectomy was performed.").procedures[0]
    assert certain.code == "0TT04ZZ" and certain.confidence > found.procedures[0].confidence
    dialysis = code(coder, "He was started on hemodialysis.").procedures
    assert dialysis[0].code.startswith("5A1D") and "duration" in dialysis[0].uncertain_axes


def test_not_performed_procedures_are_dropped_with_the_reason(coder: StageRunner) -> None:
    found = code(coder, "She did not undergo thoracentesis.")
    assert found.procedures == ()
    assert [d.reason for d in found.dropped] == ["procedure negated"]
    assert code(coder, "PLAN: MRI of the brain next week.").procedures == ()
    # A negation after the procedure words is about its findings: the test was done.
    negative = code(coder, "Chest x-ray was negative for pneumonia.")
    assert [c.code for c in negative.procedures] == ["BW03ZZZ"]
    assert code(coder, "PAST SURGICAL HISTORY: Appendectomy.").procedures == ()
    # Before a test, a negation of the findings read on it leaves the test coded; one
    # that negates the test itself drops it.
    on_it = code(coder, "No metastases were detected on the chest x-ray.")
    assert [c.code for c in on_it.procedures] == ["BW03ZZZ"]
    in_it = code(coder, "In the renal ultrasound no hydronephrosis was seen.")
    assert [c.code for c in in_it.procedures] == ["BT43ZZZ"]
    for text in ("No chest x-ray was obtained.", "Neither MRI of the brain nor CT was done."):
        assert code(coder, text).procedures == (), text
    assert code(coder, "No appendectomy was needed.").procedures == ()
    assert code(coder, "A biopsy was taken.").procedures == ()  # no body part documented


def test_only_inpatient_and_only_in_a_covering_release(coder: StageRunner) -> None:
    text = "PROCEDURE: Laparoscopic appendectomy."
    assert code(coder, text, Setting.OUTPATIENT).procedures == ()
    old = ClinicalDocument(text, setting=Setting.INPATIENT, date_of_service=date(2020, 1, 1))
    found = coder(old)
    assert found.procedures == ()
    # The coder is told why: no PCS release covers the date of service.
    assert found.notices and "ICD-10-PCS not coded" in found.notices[0]
    assert "2020-01-01" in found.notices[0]


def test_one_code_per_procedure_with_every_mention_as_evidence(coder: StageRunner) -> None:
    text = "Chest x-ray on admission was clear. A repeat chest x-ray was unchanged."
    found = code(coder, text)
    assert [c.code for c in found.procedures] == ["BW03ZZZ"]
    assert len(found.procedures[0].evidence) == 2


def test_vocabulary_rejects_unknown_keys() -> None:
    with pytest.raises(SourceFormatError, match="unknown keys"):
        load_vocabulary({"procedures": [{"words": ["x"], "code": "4A02X4Z", "typo": 1}]})
    with pytest.raises(SourceFormatError, match="needs 'code', 'table' or 'operation'"):
        load_vocabulary({"procedures": [{"words": ["x"]}]})
    assert len(load_vocabulary().procedures) > 50


def test_default_stages_include_pcs_only_when_installed(pcs_home: Path, tmp_path: Path) -> None:
    from medcoder.codesets.in_force import CodeSetChooser
    from medcoder.codesets.registry import Registry
    from medcoder.procedures.coders import procedure_stages

    stages = procedure_stages(CodeSetChooser(Registry(pcs_home, quiet=True)))
    assert "PcsCoder" in [type(s).__name__ for s in stages]
    empty = procedure_stages(CodeSetChooser(Registry(tmp_path, quiet=True)))
    assert "PcsCoder" not in [type(s).__name__ for s in empty]


def test_side_written_elsewhere_in_the_note(coder: StageRunner) -> None:
    found = code(coder, "Ultrasound showed a left renal mass. A nephrectomy was performed.")
    assert [c.code for c in found.procedures] == ["BT42ZZZ", "0TT10ZZ"]
    nephrectomy = found.procedures[1]
    assert nephrectomy.uncertain_axes == ("approach",)
    assert "left side from elsewhere in the note" in nephrectomy.path
    both = code(coder, "Left renal cyst and right renal stone. A nephrectomy was performed.")
    assert both.procedures[-1].uncertain_axes == ("body part", "approach")


def test_imaging_of_listed_regions_codes_each_region(coder: StageRunner) -> None:
    """B3.2a: the same imaging of regions written as one list is coded per region, and a
    table value that names the regions together is used when there is one."""
    both = code(coder, "Simple chest and abdominal x-rays were normal.")
    assert sorted(c.code for c in both.procedures) == ["BW00ZZZ", "BW03ZZZ"]
    together = code(coder, "Thoracic, abdominal and pelvic CT showed no metastases.")
    assert [c.code for c in together.procedures] == ["BW25ZZZ"]
    apart = code(coder, "Cranial, thoracic and abdominal CT showed no metastases.")
    assert sorted(c.code for c in apart.procedures) == ["BN20ZZZ", "BW24ZZZ"]
    # A finding's site after the modality is not a listed region.
    one = code(coder, "A chest x-ray showed a right pleural effusion.")
    assert [c.code for c in one.procedures] == ["BW03ZZZ"]
