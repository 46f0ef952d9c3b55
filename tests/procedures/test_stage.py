"""The engine runs procedure stages after the diagnoses and serialises their output."""

from __future__ import annotations

from medcoder.codesets.in_force import CodeSetChooser, CodeSetsInForce
from medcoder.codesets.registry import Registry
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.note import ParsedNote
from medcoder.pipeline import CodingEngine, diagnosis_stages
from medcoder.results import (
    DroppedCandidate,
    EMLevel,
    Evidence,
    MDMElement,
    ProcedureAssignment,
    RuleApplied,
    StageFindings,
)
from medcoder.serialize import result_json

RULE = RuleApplied("fake.v1", "test", "a fake stage")


class FakeStage:
    """Reports one code per occurrence of ``word``, and drops 'no WORD'."""

    def __init__(self, word: str, system: str, *, em: bool = False) -> None:
        self.word, self.system, self.em = word, system, em
        self.name = word
        self.seen_sections: list[int] = []
        self.seen_before: list[int] = []

    def __call__(
        self, note: ParsedNote, code_sets: CodeSetsInForce, so_far: StageFindings
    ) -> StageFindings:
        self.seen_sections.append(len(note.sections))
        self.seen_before.append(len(so_far.procedures))
        start = note.text.find(self.word)
        if start < 0:
            return StageFindings()
        span = Evidence(start, start + len(self.word), self.word, "other")
        code = ProcedureAssignment(
            code=self.word.upper(),
            system=self.system,
            title="",
            release="r",
            sequence=0,
            confidence=0.5,
            evidence=(span,),
            path="fake",
            rules=(RULE,),
        )
        level = (
            EMLevel(
                "99213",
                "established",
                "mdm",
                "low",
                (MDMElement("problems", "low", "one stable chronic illness"),),
                None,
                None,
                0.7,
            )
            if self.em
            else None
        )
        drop = DroppedCandidate(None, "no " + self.word, "not performed", RULE, span)
        return StageFindings(procedures=(code,), em_level=level, dropped=(drop,))


def test_stages_run_in_order_numbered_once(registry: Registry) -> None:
    first, second = FakeStage("biopsy", "icd10pcs"), FakeStage("visit", "cpt", em=True)
    chooser = CodeSetChooser(registry)
    engine = CodingEngine(chooser, stages=(*diagnosis_stages(chooser), first, second))
    text = "ASSESSMENT: Hypertension.\nPROCEDURE: skin biopsy at this visit."
    result = engine.code(ClinicalDocument(text=text))
    assert [(p.code, p.sequence) for p in result.procedures] == [("BIOPSY", 1), ("VISIT", 2)]
    assert result.em_level is not None and result.em_level.code == "99213"
    assert first.seen_sections == [2]
    assert first.seen_before == [0] and second.seen_before == [1]  # the findings so far
    assert {d.text for d in result.dropped} >= {"no biopsy", "no visit"}
    data = result_json(result)
    assert [p["system"] for p in data["procedures"]] == ["icd10pcs", "cpt"]
    assert data["em_level"]["elements"][0]["element"] == "problems"
    assert any(c["code"].startswith("I10") for c in data["codes"])


def test_no_stages_means_no_procedures(registry: Registry) -> None:
    result = CodingEngine(registry).code(ClinicalDocument(text="ASSESSMENT: Hypertension."))
    assert result.procedures == () and result.em_level is None
    assert result_json(result)["procedures"] == []
