"""The E/M stage end to end: which notes get a level, patient status, time, 99211,
modifier 25, what it reports, and the flag at every entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from medcoder.cli import main
from medcoder.codesets.in_force import CodeSetChooser
from medcoder.codesets.registry import Registry
from medcoder.errors import PatientStatusError
from medcoder.kinds import PatientStatus
from medcoder.nlp.sections import find_sections
from medcoder.pipeline import CodingEngine, default_stages, make_document
from medcoder.procedures.em import EMCoder
from medcoder.results import StageFindings
from medcoder.serialize import result_json

VISIT = """CHIEF COMPLAINT: Follow-up of blood pressure.
HPI: Established patient, returns for hypertension follow-up. No chest pain.
EXAM: BP 128/78.
ASSESSMENT: Essential hypertension, stable.
PLAN: Continue lisinopril 20 mg daily. Return in 6 months.
"""


def em(text: str, **flags: str) -> StageFindings:
    return EMCoder().findings(make_document(text, **flags), find_sections(text))  # type: ignore[arg-type]


def test_an_office_visit_gets_a_level_with_evidence_and_rules() -> None:
    found = em(VISIT)
    level = found.em_level
    assert level is not None
    assert (level.code, level.patient_status, level.basis, level.mdm_level) == (
        "99213", "established", "mdm", "low"
    )  # fmt: skip
    assert [m.element for m in level.elements] == ["problems", "data", "risk"]
    problems, _, risk = level.elements
    assert problems.evidence[0].text == "Essential hypertension, stable."
    assert risk.level == "moderate" and "lisinopril" in risk.detail
    assert {r.rule for r in level.rules} >= {"em-mdm.v1", "em-patient-status.v1"}
    (code,) = found.procedures
    assert (code.code, code.system, code.title, code.release) == ("99213", "cpt", "", "em-2021-ama")
    assert code.evidence and code.rules == level.rules and code.modifiers == ()


def test_inpatient_notes_and_empty_text_get_no_level() -> None:
    inpatient = em(VISIT, setting="inpatient")
    assert inpatient.em_level is None and not inpatient.procedures
    (drop,) = inpatient.dropped
    assert "inpatient setting" in drop.reason and drop.rule.rule == "em-office-visit.v1"
    assert em("") == StageFindings()
    nothing = em("Patient called to confirm the time of tomorrow's appointment.")
    assert nothing.em_level is None and "nothing to level" in nothing.dropped[0].reason


def test_too_little_to_level_gets_a_low_confidence_level_naming_what_it_lacks() -> None:
    level = em("ASSESSMENT: Hypertension.").em_level
    assert level is not None and level.code == "99212" and level.confidence <= 0.35
    (lacks,) = [r for r in level.rules if r.rule == "em-documented.v1"]
    assert "data reviewed or ordered" in lacks.detail
    assert "management decisions (risk)" in lacks.detail


def test_a_paragraph_without_headings_is_leveled_by_mdm() -> None:
    text = (
        "Established patient, 64, returns for type 2 diabetes; her A1c today is 9.2%, up "
        "from 7.9%. Type 2 diabetes, worsening. Start glipizide 5 mg daily and recheck the "
        "A1c in 3 months."
    )
    level = em(text).em_level
    assert level is not None and (level.code, level.basis) == ("99214", "mdm")
    assert level.elements[0].level == "moderate"
    assert level.confidence < 0.9


def test_a_paragraph_with_total_time_is_leveled_by_time() -> None:
    text = (
        "New patient, 40, with a stable skin tag she wants looked at. Benign skin tag. "
        "Reassured. I spent a total of 46 minutes on the date of the encounter."
    )
    level = em(text).em_level
    assert level is not None and (level.code, level.basis) == ("99204", "time")


def test_an_operative_paragraph_is_declined_with_the_reason() -> None:
    found = em("OPERATIVE REPORT. Laparoscopic cholecystectomy performed under general "
               "anesthesia without complications.")  # fmt: skip
    assert found.em_level is None and "not an office visit" in found.dropped[0].reason


@pytest.mark.parametrize(
    "headline",
    [
        "OPERATIVE REPORT",
        "HOSPITAL DAY 2 PROGRESS NOTE",
        "DISCHARGE SUMMARY",
        "EMERGENCY DEPARTMENT NOTE",
    ],
)
def test_notes_that_are_not_office_visits_say_why(headline: str) -> None:
    found = em(f"{headline}\n{VISIT}")
    assert found.em_level is None and found.procedures == ()
    (drop,) = found.dropped
    assert drop.rule.rule == "em-office-visit.v1" and "not an office visit" in drop.reason


def test_patient_status_from_the_note_and_from_the_flag() -> None:
    new = VISIT.replace("Established patient, returns for", "New patient, here to establish care;")
    level = em(new).em_level
    assert level is not None and (level.patient_status, level.code) == ("new", "99203")
    flagged = em(VISIT, patient_status="new").em_level
    assert flagged is not None and (flagged.patient_status, flagged.code) == ("new", "99203")
    assert "from the flag" in flagged.rules[0].detail
    # "new to the <specialty> clinic": new (CPT: new to the specialty in the group).
    specialty = VISIT.replace(
        "Established patient, returns for", "New to our sleep clinic, seen for"
    )
    level = em(specialty).em_level
    assert level is not None and level.patient_status == "new"


def test_no_status_in_the_note_is_assumed_established_with_less_confidence() -> None:
    bare = VISIT.replace("Established patient, returns for hypertension follow-up. ", "")
    bare = bare.replace("Follow-up of blood pressure.", "Blood pressure.")
    level, sure = em(bare).em_level, em(VISIT).em_level
    assert level is not None and sure is not None
    assert level.patient_status == "established" and "assumed" in level.rules[0].detail
    assert level.confidence < sure.confidence


def test_time_wins_when_it_supports_a_higher_level() -> None:
    timed = VISIT + "I spent a total of 41 minutes on the date of the encounter.\n"
    level = em(timed).em_level
    assert level is not None
    assert (level.code, level.basis, level.time_minutes) == ("99215", "time", 41)
    assert level.time_evidence is not None and "41 minutes" in level.time_evidence.text
    short = em(VISIT + "Total time: 12 minutes.\n").em_level
    assert short is not None and (short.code, short.basis, short.time_minutes) == (
        "99213", "mdm", 12
    )  # fmt: skip


def test_durations_that_are_not_visit_time_are_ignored() -> None:
    text = VISIT.replace("No chest pain.", "Walks 45 minutes daily; headaches last 30 minutes.")
    level = em(text).em_level
    assert level is not None and level.time_minutes is None and level.basis == "mdm"


def test_a_staff_only_visit_is_99211() -> None:
    text = "NURSE VISIT\nEstablished patient here for a blood pressure check. BP 128/80.\n"
    found = em(text)
    assert found.em_level is not None and found.em_level.code == "99211"
    assert any(r.rule == "em-99211.v1" for r in found.em_level.rules)


PROCEDURE = """HPI: Established patient returns for a wart on the left thumb.
EXAM: 4 mm verruca on the left thumb.
PROCEDURE: Cryotherapy of the wart, left thumb, 2 freeze-thaw cycles. Tolerated well.
ASSESSMENT AND PLAN:
1. Verruca vulgaris, left thumb - treated with cryotherapy today.
"""


def test_a_procedure_only_visit_has_no_separate_em() -> None:
    found = em(PROCEDURE)
    assert found.em_level is None and found.procedures == ()
    (drop,) = found.dropped
    assert drop.rule.rule == "em-modifier-25.v1" and "separately identifiable" in drop.reason


def test_modifier_25_for_a_separate_problem_the_same_day() -> None:
    text = PROCEDURE + "2. Type 2 diabetes, stable. Continue metformin 500 mg twice daily.\n"
    found = em(text)
    assert found.em_level is not None
    (code,) = found.procedures
    assert code.modifiers == ("25",)
    assert any(r.rule == "em-modifier-25.v1" for r in code.rules)
    problems = found.em_level.elements[0]
    assert "diabetes" in problems.detail and "verruca" not in problems.detail.split("(")[0]


def test_patient_status_flag_is_validated() -> None:
    with pytest.raises(PatientStatusError) as info:
        make_document("x", patient_status="returning")
    assert info.value.code == "E320"
    assert make_document("x", patient_status="New").patient_status is PatientStatus.NEW
    assert make_document("x", patient_status="").patient_status is None


def test_default_coders_include_the_em_stage(registry: Registry) -> None:
    chooser = CodeSetChooser(registry)
    engine = CodingEngine(chooser, stages=default_stages(chooser))
    result = engine.code(make_document(VISIT, date_of_service="2026-05-01"))
    assert result.em_level is not None and result.em_level.code == "99213"
    data = result_json(result)
    assert data["em_level"]["code"] == "99213"
    assert [p["code"] for p in data["procedures"]] == ["99213"]
    assert data["procedures"][0]["sequence"] == 1


def test_cli_patient_status_option(built_home: Path, tmp_path: Path) -> None:
    note = tmp_path / "visit.txt"
    note.write_text(VISIT, encoding="utf-8")
    args = ["--home", str(built_home), "code", str(note), "--date", "2026-05-01"]
    result = CliRunner().invoke(main, [*args, "--patient-status", "new", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["em_level"]["code"] == "99203"
    table = CliRunner().invoke(main, args)
    assert "E/M 99213 (established, by mdm" in table.stdout
    timed = tmp_path / "timed.txt"
    timed.write_text(PROCEDURE + "2. Gout, stable. Continue allopurinol 300 mg daily.\n"
                     "Total time: 25 minutes.\n", encoding="utf-8")  # fmt: skip
    args[3] = str(timed)
    shown = CliRunner().invoke(main, args).stdout
    assert "time: 25 min - 'Total time: 25 minutes'" in shown
    assert "modifiers: 25" in shown
    bad = CliRunner().invoke(main, [*args, "--patient-status", "old"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_batch_accepts_a_patient_status(built_home: Path, tmp_path: Path) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [
        {"id": "a", "text": VISIT, "patient_status": "new"},
        {"id": "b", "text": VISIT, "patient_status": "someday"},
    ]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--home", str(built_home), "batch", str(source), "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    good, bad = (json.loads(x) for x in output.read_text(encoding="utf-8").splitlines())
    assert "error" not in good
    assert bad["error"].startswith("[E320]")


_PIECES = st.sampled_from(
    ["ASSESSMENT:", "PLAN:", "HPI:", "A:", "P:", "1.", "#2", "\n", " ", "new patient",
     "returns", "hypertension", "stable", "worsening", "CBC ordered.", "I spent 35 minutes",
     "total time", "admit", "lisinopril 10 mg", "PROCEDURE:", "cryotherapy performed",
     "İ", "ß", "30-39 minutes", "2.5 hours", ".", ",", "Dr."]
)  # fmt: skip
_CODES = {"99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215"}


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=8), max_size=40).map(" ".join))
def test_any_text_gives_a_valid_level_or_none(text: str) -> None:
    found = em(text)
    spans = [e for c in found.procedures for e in c.evidence]
    spans += [d.evidence for d in found.dropped if d.evidence is not None]
    assert all(text[e.start : e.end] == e.text for e in spans)
    if found.em_level is not None:
        level = found.em_level
        assert level.code in _CODES
        assert level.basis in ("mdm", "time") and 0 < level.confidence <= 1
        for element in level.elements:
            for span in element.evidence:
                assert text[span.start : span.end] == span.text
        if level.time_evidence is not None:
            span = level.time_evidence
            assert text[span.start : span.end] == span.text


def test_the_one_call_api_takes_a_patient_status(built_home: Path) -> None:
    import medcoder

    result = medcoder.code(VISIT, date="2026-05-01", home=built_home, patient_status="new")
    assert result.em_level is not None and result.em_level.code == "99203"


@pytest.mark.parametrize(
    ("statement", "minutes"),
    [
        ("I spent a total of 42 minutes on the date of the encounter.", 42),
        ("Total time spent on the day of the visit: 35 minutes.", 35),
        ("Time: 1 hour, including documentation.", 60),
        ("I spent 30-39 minutes on this visit today.", 30),
        ("25 minutes face-to-face, more than half in counseling.", 25),
        ("She walks 45 minutes a day; symptoms last 20 minutes.", None),
        ("Counseling took more than 50% of the visit.", None),
    ],
)
def test_time_statements(statement: str, minutes: int | None) -> None:
    level = em(VISIT + statement + "\n").em_level
    assert level is not None and level.time_minutes == minutes


def test_established_written_out_wins_over_new_cues() -> None:
    text = VISIT.replace(
        "Established patient,", "Established patient (new patient paperwork done),"
    )
    level = em(text).em_level
    assert level is not None and level.patient_status == "established"


def test_a_case_report_paragraph_is_not_an_office_visit() -> None:
    found = em(
        "We report a 52-year-old woman with abdominal pain who was admitted for an "
        "appendectomy; she was discharged on postoperative day 2."
    )
    assert found.em_level is None
    assert "case report or hospital narrative" in found.dropped[0].reason
