"""The guideline rules over hand-made candidates: one behaviour per test."""

from __future__ import annotations

from dataclasses import replace

from medcoder.codesets.store import Release
from medcoder.coding.candidate import Candidate
from medcoder.coding.rules import apply_rules
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.results import Evidence

TEXT = "ASSESSMENT\n" + "x" * 400


def _candidate(code: str, start: int, *, sentence: int = 1, **flags: object) -> Candidate:
    base = Candidate(
        code=code,
        title="",
        evidence=Evidence(start, start + 3, "xxx", "assessment"),
        index_path="test",
        source="index",
        tabular_checks=(),
        section="assessment",
        sentence=sentence,
    )
    return replace(base, **flags)  # type: ignore[arg-type]


def _codes(release: Release, candidates: list[Candidate], setting: Setting = Setting.OUTPATIENT):
    document = ClinicalDocument(TEXT, setting)
    codes, dropped = apply_rules(document, release, candidates, has_assessment=True)
    return [c.code for c in codes], {d.rule.rule for d in dropped}


def test_negated_family_and_hypothetical_are_dropped(release_2026: Release) -> None:
    codes, rules = _codes(
        release_2026,
        [
            _candidate("J18.9", 20, negated=True),
            _candidate("C50.919", 40, family=True),
            _candidate("R07.9", 60, hypothetical=True),
            _candidate("I10", 80),
        ],
    )
    assert codes == ["I10"]
    assert {"negated.v1", "family-history.v1", "hypothetical.v1"} <= rules


def test_uncertain_depends_on_the_setting(release_2026: Release) -> None:
    possible = [_candidate("J18.9", 20, uncertain=True)]
    assert _codes(release_2026, possible)[0] == []
    assert _codes(release_2026, possible, Setting.INPATIENT)[0] == ["J18.9"]


def test_hypertension_with_ckd_and_heart_failure_combination(release_2026: Release) -> None:
    codes, rules = _codes(
        release_2026,
        [_candidate("I10", 20, sentence=1), _candidate("I50.9", 40, sentence=2),
         _candidate("N18.31", 60, sentence=3)],
    )  # fmt: skip
    # I.C.9.a.3; the combination code comes before the codes its notes ask for.
    assert codes[0] == "I13.0" and set(codes) == {"I13.0", "I50.9", "N18.31"}
    assert "hypertension-heart-ckd.v1" in rules


def test_diabetes_with_ckd_is_linked(release_2026: Release) -> None:
    codes, _ = _codes(
        release_2026, [_candidate("N18.4", 20, sentence=1), _candidate("E11.9", 60, sentence=2)]
    )
    assert codes == ["E11.22", "N18.4"]


def test_symptom_after_with_is_integral(release_2026: Release) -> None:
    document_text = "ASSESSMENT\nReflux with nausea."
    document = ClinicalDocument(document_text)
    reflux = replace(_candidate("K21.9", 11), evidence=Evidence(11, 17, "Reflux", "assessment"))
    nausea = replace(_candidate("R11.0", 23), evidence=Evidence(23, 29, "nausea", "assessment"))
    codes, dropped = apply_rules(document, release_2026, [reflux, nausea], has_assessment=True)
    assert [c.code for c in codes] == ["K21.9"]
    assert dropped[0].rule.rule == "integral-symptom.v1"


def test_unspecified_code_gives_way_to_a_specific_one(release_2026: Release) -> None:
    codes, rules = _codes(release_2026, [_candidate("E11.9", 20), _candidate("E11.65", 40)])
    assert codes == ["E11.65"] and "specificity.v1" in rules


def test_outside_the_assessment_is_not_reported(release_2026: Release) -> None:
    hpi = replace(_candidate("R05.9", 5), section="history_of_present_illness")
    codes, rules = _codes(release_2026, [hpi, _candidate("J20.9", 40)])
    assert codes == ["J20.9"] and "addressed-conditions.v1" in rules


def test_every_reported_code_has_a_calibrated_confidence(release_2026: Release) -> None:
    document = ClinicalDocument(TEXT)
    codes, _ = apply_rules(document, release_2026, [_candidate("I10", 20)], has_assessment=True)
    assert 0 < codes[0].confidence < 1


def test_instructional_notes_name_codes_ranges_and_categories() -> None:
    from medcoder.coding.instructions import note_refers_to

    assert note_refers_to("stage of chronic kidney disease (N18.1-N18.6)", "N18.4")
    assert not note_refers_to("stage of chronic kidney disease (N18.1-N18.6)", "N18.9")
    assert note_refers_to("traumatic amputation of hip and thigh (S78.-)", "S78.011A")
    assert note_refers_to("birth trauma (P10-P15)", "P12.0")
    assert note_refers_to("essential hypertension (I10)", "I10")
    assert not note_refers_to("essential hypertension (I10)", "I11.0")


def _in_text(code: str, text: str, phrase: str) -> Candidate:
    start = text.index(phrase)
    return replace(
        _candidate(code, start), evidence=Evidence(start, start + len(phrase), phrase, "assessment")
    )


def test_integral_symptoms_only_those_with_attaches() -> None:
    """I.B.5: "reflux with nausea and vomiting" drops both symptoms; a sign listed later
    in the sentence, after another finding's "with", is kept."""
    from medcoder.coding.symptoms import integral_symptoms

    text = "ASSESSMENT\nReflux with nausea and vomiting. Mydriasis with normal cranial nerves, weak limbs on testing and hyporeflexia."  # noqa: E501
    reflux = _in_text("K21.9", text, "Reflux")
    nausea = _in_text("R11.0", text, "nausea")
    vomiting = _in_text("R11.10", text, "vomiting")
    mydriasis = replace(_in_text("H57.04", text, "Mydriasis"), sentence=2)
    hyporeflexia = replace(_in_text("R29.2", text, "hyporeflexia"), sentence=2)
    kept, dropped = integral_symptoms(
        ClinicalDocument(text), [reflux, nausea, vomiting, mydriasis, hyporeflexia]
    )
    assert {d.code for d in dropped} == {"R11.0", "R11.10"}
    assert "R29.2" in {c.code for c in kept}


def test_specificity_compares_codes_under_one_parent(release_2026: Release) -> None:
    codes, _ = _codes(
        release_2026,
        [_candidate("E87.20", 20, sentence=1), _candidate("E87.6", 40, sentence=2),
         _candidate("E11.9", 60, sentence=3), _candidate("E11.65", 80, sentence=4)],
    )  # fmt: skip
    assert "E87.20" in codes and "E87.6" in codes  # acidosis beside hypokalemia
    assert "E11.9" not in codes and "E11.65" in codes
