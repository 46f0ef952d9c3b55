"""POA proposals (ICD-10-CM Official Guidelines, Appendix I), one rule at a time, on
short synthetic inpatient notes; then through the engine and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcoder.cli import main
from medcoder.codesets.registry import Registry
from medcoder.coding.poa import PoaProposer
from medcoder.kinds import CodeSystem, PoaIndicator, Setting
from medcoder.nlp.assertion import AssertionDetector
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.note import ParsedNote, parse_note
from medcoder.pipeline import CodingEngine
from medcoder.results import (
    CodeAssignment,
    DroppedCandidate,
    Evidence,
    PoaProposal,
    RuleApplied,
)

DETECTOR = AssertionDetector()
PROPOSER = PoaProposer()


def _note(text: str, setting: Setting = Setting.INPATIENT) -> ParsedNote:
    return parse_note(ClinicalDocument(text=text, setting=setting), DETECTOR)


def _assignment(
    note: ParsedNote, code: str, words: str, title: str = "", nth: int = -1
) -> CodeAssignment:
    """A coded diagnosis whose evidence is the ``nth`` place ``words`` are written
    (the last by default: the discharge diagnoses)."""
    starts = [i for i in range(len(note.text)) if note.text.startswith(words, i)]
    start = starts[nth]
    evidence = Evidence(start, start + len(words), words, "diagnoses")
    return CodeAssignment(
        code, title or words, CodeSystem.ICD10CM, "icd10cm-test", 1, 0.9, (evidence,), "", ()
    )


def _propose(
    text: str, code: str, words: str, *, principal: bool = False, title: str = ""
) -> PoaProposal:
    note = _note(text)
    proposal = PROPOSER.propose(note, _assignment(note, code, words, title), principal=principal)
    for quote in proposal.evidence:
        assert note.text[quote.start : quote.end] == quote.text
    return proposal


DX = "\nDISCHARGE DIAGNOSES:\n1. {}.\n"


def test_exempt_code_is_1() -> None:
    p = _propose(
        "HISTORY OF PRESENT ILLNESS: Old myocardial infarction."
        + DX.format("Old myocardial infarction"),
        "I25.2",
        "Old myocardial infarction",
    )
    assert p.indicator is PoaIndicator.EXEMPT and p.confidence >= 0.95
    assert p.rule is not None and p.rule.rule == "poa-exempt.v1"
    assert "Appendix I" in p.rule.guideline and "I25.2" in p.reason


@pytest.mark.parametrize(
    "story",
    [
        "CHIEF COMPLAINT: Pneumonia.\n",
        "HISTORY OF PRESENT ILLNESS: 70-year-old man with fever.\n"
        "HOSPITAL COURSE: He presented with pneumonia and was treated.\n",
        "HOSPITAL COURSE: Admitted for pneumonia; antibiotics given.\n",
        "HOSPITAL COURSE: Pneumonia was seen on the chest film in the emergency department.\n",
        "ADMISSION DIAGNOSIS: Pneumonia.\n",
    ],
)
def test_documented_at_admission_is_y(story: str) -> None:
    p = _propose(story + DX.format("Pneumonia"), "J18.9", "Pneumonia")
    assert p.indicator is PoaIndicator.YES
    assert p.rule is not None and p.rule.rule == "poa-stated-on-admission.v1"
    assert p.evidence and p.evidence[0].start < p.evidence[0].end


@pytest.mark.parametrize(
    "course",
    [
        "On hospital day 3 she developed atrial fibrillation.",
        "Postoperatively the patient went into atrial fibrillation.",
        "She developed atrial fibrillation after the surgery.",
        "On the third day atrial fibrillation with rapid rate occurred.",
        "Atrial fibrillation occurred during the hospitalization.",
        "The course was complicated by atrial fibrillation.",
    ],
)
def test_onset_during_the_stay_is_n(course: str) -> None:
    text = f"HOSPITAL COURSE: Treated for cellulitis. {course}" + DX.format("Atrial fibrillation")
    p = _propose(text, "I48.91", "Atrial fibrillation")
    assert p.indicator is PoaIndicator.NO, p.reason
    assert p.rule is not None and p.rule.rule == "poa-developed-during-stay.v1"
    assert "fibrillation" in p.evidence[0].text


def test_admission_beats_a_later_worsening() -> None:
    """Appendix I: a condition present at admission that worsens is still Y."""
    text = (
        "HISTORY OF PRESENT ILLNESS: Admitted with pneumonia.\n"
        "HOSPITAL COURSE: On hospital day 2 the pneumonia worsened." + DX.format("Pneumonia")
    )
    assert _propose(text, "J18.9", "Pneumonia").indicator is PoaIndicator.YES


def test_nearest_clue_of_a_shared_sentence_decides() -> None:
    text = (
        "HOSPITAL COURSE: Admitted with pneumonia, and on hospital day 2 developed "
        "atrial fibrillation." + DX.format("Atrial fibrillation")
    )
    assert _propose(text, "I48.91", "Atrial fibrillation").indicator is PoaIndicator.NO


def test_fall_in_hospital_is_n() -> None:
    text = "HOSPITAL COURSE: While hospitalized he fell out of bed.\n"
    assert _propose(text, "W19.XXXA", "fell").indicator is PoaIndicator.NO


def test_chronic_condition_is_y_with_lower_confidence() -> None:
    p = _propose(
        "HOSPITAL COURSE: Antibiotics." + DX.format("Chronic kidney disease stage 3"),
        "N18.30",
        "Chronic kidney disease stage 3",
    )
    assert p.indicator is PoaIndicator.YES and p.confidence == pytest.approx(0.75)
    assert p.rule is not None and p.rule.rule == "poa-chronic.v1"


def test_chronic_condition_developed_in_stay_wording_wins() -> None:
    text = "HOSPITAL COURSE: On hospital day 4 asthma was diagnosed." + DX.format("Asthma")
    assert _propose(text, "J45.909", "Asthma").indicator is PoaIndicator.NO


def test_congenital_condition_is_y() -> None:
    p = _propose(
        DX.format("Congenital syphilis"),
        "A50.9",
        "Congenital syphilis",
        title="Congenital syphilis, unspecified",
    )
    assert p.indicator is PoaIndicator.YES
    assert p.rule is not None and p.rule.rule == "poa-congenital.v1"


def test_congenital_anomaly_q_code_is_exempt() -> None:
    """Appendix I: congenital conditions are Y except Q00-Q99, which are on the exempt list."""
    assert _propose(DX.format("Down syndrome"), "Q90.9", "Down syndrome").indicator == "1"


def test_provider_unable_to_determine_is_w() -> None:
    text = (
        "HOSPITAL COURSE: Hyperkalemia was found; the attending is unable to clinically "
        "determine whether it was present on admission." + DX.format("Hyperkalemia")
    )
    p = _propose(text, "E87.5", "Hyperkalemia")
    assert p.indicator is PoaIndicator.CLINICALLY_UNDETERMINED


@pytest.mark.parametrize(
    ("sentence", "indicator"),
    [
        ("The nodule was not present on admission.", PoaIndicator.NO),
        ("The nodule was present on admission per radiology.", PoaIndicator.YES),
    ],
)
def test_explicit_statement_decides(sentence: str, indicator: PoaIndicator) -> None:
    text = f"HOSPITAL COURSE: A lung nodule was seen. {sentence}" + DX.format("Lung nodule")
    note = _note(text)
    code = _assignment(note, "R91.1", "Lung nodule")
    # the course mentions the nodule in other words: found as a mention the rules dropped
    start = text.rindex("nodule was")
    other = DroppedCandidate(
        "R91.1",
        "nodule",
        "elsewhere",
        RuleApplied("addressed-conditions.v1", "", ""),
        Evidence(start, start + 6, "nodule", "hospital_course"),
    )
    assert PROPOSER.propose(note, code, (other,)).indicator is indicator


def test_no_clue_is_u_and_says_to_query() -> None:
    p = _propose(DX.format("Gastroesophageal reflux disease") + "2. Anxiety.\n", "F41.9", "Anxiety")
    assert p.indicator is PoaIndicator.UNKNOWN and p.confidence < 0.5
    assert "query" in p.reason


def test_principal_diagnosis_without_onset_is_y() -> None:
    p = _propose(DX.format("Anxiety"), "F41.9", "Anxiety", principal=True)
    assert p.indicator is PoaIndicator.YES
    assert p.rule is not None and p.rule.rule == "poa-principal-diagnosis.v1"


def test_negated_mention_elsewhere_is_not_a_clue() -> None:
    text = "HISTORY OF PRESENT ILLNESS: No anxiety on admission.\n" + DX.format("Anxiety")
    assert _propose(text, "F41.9", "Anxiety").indicator is PoaIndicator.UNKNOWN


def test_outpatient_passes_through_untouched() -> None:
    for setting in (Setting.OUTPATIENT, Setting.EMERGENCY):
        note = _note("CHIEF COMPLAINT: Pneumonia." + DX.format("Pneumonia"), setting)
        codes = (_assignment(note, "J18.9", "Pneumonia"),)
        assert PROPOSER(note, codes) is codes


# --- through the engine and the CLI ---------------------------------------------------

INPATIENT_NOTE = (
    "CHIEF COMPLAINT: Cough.\n"
    "HISTORY OF PRESENT ILLNESS: 70-year-old man with type 2 diabetes presented with "
    "pneumonia.\n"
    "HOSPITAL COURSE: On hospital day 3 he developed atrial fibrillation.\n"
    "DISCHARGE DIAGNOSES:\n1. Pneumonia.\n2. Atrial fibrillation.\n3. Type 2 diabetes.\n"
    "4. Old myocardial infarction.\n"
)


@pytest.fixture(scope="module")
def engine(registry: Registry) -> CodingEngine:
    return CodingEngine(registry)


def test_engine_proposes_poa_for_every_inpatient_diagnosis(engine: CodingEngine) -> None:
    doc = ClinicalDocument(text=INPATIENT_NOTE, setting=Setting.INPATIENT)
    result = engine.code(doc)
    poa = {c.code: c.poa.indicator for c in result.codes if c.poa is not None}
    assert len(poa) == len(result.codes)
    assert poa["J18.9"] is PoaIndicator.YES
    assert poa["I25.2"] is PoaIndicator.EXEMPT
    assert next(v for k, v in poa.items() if k.startswith("I48")) is PoaIndicator.NO
    assert next(v for k, v in poa.items() if k.startswith("E11")) is PoaIndicator.YES


def test_engine_leaves_outpatient_without_poa(engine: CodingEngine) -> None:
    for setting in (Setting.OUTPATIENT, Setting.EMERGENCY):
        result = engine.code(ClinicalDocument(text=INPATIENT_NOTE, setting=setting))
        assert result.codes and all(c.poa is None for c in result.codes)


def test_cli_json_shows_poa_inpatient_only(built_home: Path, tmp_path: Path) -> None:
    note = tmp_path / "stay.txt"
    note.write_text(INPATIENT_NOTE, encoding="utf-8")
    runner = CliRunner()
    args = ["--home", str(built_home), "code", str(note), "--format", "json", "--setting"]
    inpatient = json.loads(runner.invoke(main, [*args, "inpatient"]).stdout)
    for item in inpatient["codes"]:
        poa = item["poa"]
        assert poa["indicator"] in {"Y", "N", "U", "W", "1"} and poa["rule"].startswith("poa-")
        for span in poa["evidence"]:
            assert INPATIENT_NOTE[span["start"] : span["end"]] == span["text"]
    outpatient = json.loads(runner.invoke(main, [*args, "outpatient"]).stdout)
    assert all("poa" not in item for item in outpatient["codes"])


_SENTENCES = [
    "Presented with pneumonia.",
    "On hospital day 2 developed atrial fibrillation.",
    "Known chronic kidney disease stage 3.",
    "Postoperatively urinary retention.",
    "History of old myocardial infarction.",
    "Hyperkalemia, unable to determine if present on admission.",
    "Type 2 diabetes.",
    "Fell in the bathroom while hospitalized.",
    "Anxiety.",
    "No cough.",
    "Down syndrome.",
    "Long term use of insulin.",
]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(_SENTENCES), min_size=1, max_size=6), st.booleans())
def test_every_inpatient_diagnosis_gets_exactly_one_indicator(
    engine: CodingEngine, course: list[str], headed: bool
) -> None:
    text = ("HOSPITAL COURSE: " if headed else "") + " ".join(course)
    text += "\nDISCHARGE DIAGNOSES:\n" + "\n".join(course) + "\n"
    result = engine.code(ClinicalDocument(text=text, setting=Setting.INPATIENT))
    for c in result.codes:
        assert c.poa is not None and isinstance(c.poa.indicator, PoaIndicator)
        assert 0 < c.poa.confidence <= 1 and c.poa.rule is not None


def test_long_after_surgery_is_not_this_stay() -> None:
    text = (
        "HOSPITAL COURSE: Three months after surgery the chest film showed a lung nodule.\n"
        + DX.format("Anxiety")
        + "2. Lung nodule.\n"
    )
    assert _propose(text, "R91.1", "Lung nodule").indicator is PoaIndicator.UNKNOWN


def test_referred_to_our_center_is_at_admission() -> None:
    text = "The patient was referred to our center for a bowel perforation.\n" + DX.format(
        "Bowel perforation"
    )
    assert _propose(text, "K63.1", "Bowel perforation").indicator is PoaIndicator.YES


def test_mentions_found_in_text_whose_lower_case_is_longer() -> None:
    """'İ' lowers to two characters: the words are then found by a regex, offsets intact."""
    text = "İstanbul. HISTORY OF PRESENT ILLNESS: Presented with gout.\n" + DX.format("Gout")
    p = _propose(text, "M10.9", "Gout")
    assert p.indicator is PoaIndicator.YES
    assert "Presented with gout" in p.evidence[0].text
