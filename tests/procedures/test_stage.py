"""The engine runs procedure stages after the diagnoses and serialises their output."""

from __future__ import annotations

from collections.abc import Sequence

from medcoder.codesets.registry import Registry
from medcoder.coding.engine import CodingEngine
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.sections import Section
from medcoder.results import (
    DroppedCandidate,
    EMLevel,
    Evidence,
    MDMElement,
    ProcedureAssignment,
    ProcedureFindings,
    RuleApplied,
)
from medcoder.serialize import result_json

RULE = RuleApplied("fake.v1", "test", "a fake stage")


class FakeStage:
    """Reports one code per occurrence of ``word``, and drops 'no WORD'."""

    def __init__(self, word: str, system: str, *, em: bool = False) -> None:
        self.word, self.system, self.em = word, system, em
        self.seen_sections: list[int] = []

    def code_procedures(
        self, document: ClinicalDocument, sections: Sequence[Section]
    ) -> ProcedureFindings:
        self.seen_sections.append(len(sections))
        start = document.text.find(self.word)
        if start < 0:
            return ProcedureFindings()
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
        return ProcedureFindings((code,), level, (drop,))


def test_stages_run_in_order_numbered_once(registry: Registry) -> None:
    first, second = FakeStage("biopsy", "icd10pcs"), FakeStage("visit", "cpt", em=True)
    engine = CodingEngine(registry, procedure_coders=(first, second))
    text = "ASSESSMENT: Hypertension.\nPROCEDURE: skin biopsy at this visit."
    result = engine.code(ClinicalDocument(text=text))
    assert [(p.code, p.sequence) for p in result.procedures] == [("BIOPSY", 1), ("VISIT", 2)]
    assert result.em_level is not None and result.em_level.code == "99213"
    assert first.seen_sections == [2]
    assert {d.text for d in result.dropped} >= {"no biopsy", "no visit"}
    data = result_json(result)
    assert [p["system"] for p in data["procedures"]] == ["icd10pcs", "cpt"]
    assert data["em_level"]["elements"][0]["element"] == "problems"
    assert any(c["code"].startswith("I10") for c in data["codes"])


def test_no_stages_means_no_procedures(registry: Registry) -> None:
    result = CodingEngine(registry).code(ClinicalDocument(text="ASSESSMENT: Hypertension."))
    assert result.procedures == () and result.em_level is None
    assert result_json(result)["procedures"] == []
