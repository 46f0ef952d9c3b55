"""ConText assertion: negation, uncertainty, history, family, hypothetical (nlp/assertion.py).

Every sentence here was written for these tests.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcoder.errors import SourceFormatError
from medcoder.nlp.assertion import (
    MODIFIERS,
    SECTION_FAMILY_HISTORY,
    SECTION_PAST_MEDICAL_HISTORY,
    SECTION_PAST_SURGICAL_HISTORY,
    SECTION_REVIEW_OF_SYSTEMS,
    Assertion,
    AssertionDetector,
    Category,
    ContextRules,
    Trigger,
)
from medcoder.nlp.text import Sentence, split_sentences, tokenize

FLAGS = ("negated", "uncertain", "historical", "family", "hypothetical")


@pytest.fixture(scope="module")
def detector() -> AssertionDetector:
    return AssertionDetector()


def sentence_of(text: str, offset: int) -> Sentence:
    for sentence in split_sentences(text):
        if sentence.start <= offset < sentence.end:
            return sentence
    raise AssertionError(f"no sentence holds offset {offset} of {text!r}")


def assess(
    detector: AssertionDetector, text: str, target: str, section: str | None = None
) -> Assertion:
    start = text.index(target)
    return detector.assert_span(text, sentence_of(text, start), start, start + len(target), section)


def flags(assertion: Assertion) -> set[str]:
    return {name for name in FLAGS if getattr(assertion, name)}


# (sentence, mention, the flags it should carry: "" for affirmed)
CASES: list[tuple[str, str, str]] = [
    # negation, forward
    ("No fever.", "fever", "negated"),
    ("Patient denies chest pain.", "chest pain", "negated"),
    ("He denied nausea.", "nausea", "negated"),
    ("Negative for hematuria.", "hematuria", "negated"),
    ("No evidence of pneumothorax.", "pneumothorax", "negated"),
    ("There are no signs of infection.", "infection", "negated"),
    ("Incision is free of erythema.", "erythema", "negated"),
    ("Abdomen soft without tenderness.", "tenderness", "negated"),
    ("She does not have diabetes.", "diabetes", "negated"),
    ("Never smoker.", "smoker", "negated"),
    ("Absence of ascites on ultrasound.", "ascites", "negated"),
    ("No acute fracture.", "fracture", "negated"),
    ("Diabetes without complications.", "complications", "negated"),
    ("Diabetes without complications.", "Diabetes", ""),
    # negation, backward
    ("Pneumonia was ruled out.", "Pneumonia", "negated"),
    ("Pulmonary embolism has been ruled out.", "Pulmonary embolism", "negated"),
    ("Influenza PCR negative.", "Influenza", "negated"),
    ("Malignancy is unlikely.", "Malignancy", "negated"),
    ("Fever: no.", "Fever", "negated"),
    ("Fever, chills and sweats were ruled out.", "Fever", "negated"),
    ("Fever, chills and sweats were ruled out.", "sweats", "negated"),
    # scope ends at a terminator
    ("No fever but has cough.", "fever", "negated"),
    ("No fever but has cough.", "cough", ""),
    ("Denies chest pain, reports palpitations.", "palpitations", ""),
    ("Negative for fever, positive for cough.", "cough", ""),
    ("No chest pain; shortness of breath on exertion.", "shortness of breath", ""),
    ("Unremarkable except for mild anemia.", "anemia", ""),
    ("The patient has no complaints other than cough.", "cough", ""),
    ("Denies chest pain. Has cough.", "cough", ""),
    # pseudo-triggers
    ("No increase in pain.", "pain", ""),
    ("No change in her rash.", "rash", ""),
    ("No improvement in cough.", "cough", ""),
    ("No further episodes of syncope.", "syncope", ""),
    ("Sepsis due to gram negative organism.", "Sepsis", ""),
    ("Breast cancer is triple negative.", "Breast cancer", ""),
    ("HISTORY OF PRESENT ILLNESS: cough for three days.", "cough", ""),
    ("Prior to admission he had fever.", "fever", ""),
    ("A 45 year old man with diabetes.", "diabetes", ""),
    # uncertainty (ICD-10-CM Guidelines II.H, IV.H)
    ("Possible pneumonia.", "pneumonia", "uncertain"),
    ("Pneumonia versus bronchitis.", "Pneumonia", "uncertain"),
    ("Pneumonia versus bronchitis.", "bronchitis", "uncertain"),
    ("Likely viral URI.", "viral URI", "uncertain"),
    ("Probable urinary tract infection.", "urinary tract infection", "uncertain"),
    ("Suspected appendicitis.", "appendicitis", "uncertain"),
    ("Findings consistent with pneumonia.", "pneumonia", "uncertain"),
    ("Rule out myocardial infarction.", "myocardial infarction", "uncertain"),
    ("R/o sepsis.", "sepsis", "uncertain"),
    ("CT cannot exclude pulmonary embolism.", "pulmonary embolism", "uncertain"),
    ("Pulmonary embolism cannot be excluded.", "Pulmonary embolism", "uncertain"),
    ("PE not ruled out.", "PE", "uncertain"),
    ("Questionable early cellulitis.", "cellulitis", "uncertain"),
    ("Concern for sepsis.", "sepsis", "uncertain"),
    ("Working diagnosis is migraine.", "migraine", "uncertain"),
    ("Not certain if this is pneumonia.", "pneumonia", "uncertain"),
    ("Pneumonia?", "Pneumonia", "uncertain"),
    ("Chest pain, ACS versus GERD.", "Chest pain", ""),
    ("Chest pain, ACS versus GERD.", "ACS", "uncertain"),
    ("Anemia, likely secondary to GI bleed.", "Anemia", ""),
    ("Anemia, likely secondary to GI bleed.", "GI bleed", "uncertain"),
    # historical
    ("History of kidney stones.", "kidney stones", "historical"),
    ("S/p appendectomy.", "appendectomy", "historical"),
    ("Status post cholecystectomy.", "cholecystectomy", "historical"),
    ("Prior stroke in 2015.", "stroke", "historical"),
    ("Former smoker.", "smoker", "historical"),
    ("Quit smoking 5 years ago.", "smoking", "historical"),
    ("Kidney stones in the past.", "Kidney stones", "historical"),
    ("Pneumonia two years ago.", "Pneumonia", "historical"),
    ("Asthma as a child.", "Asthma", "historical"),
    ("Pneumonia, now resolved.", "Pneumonia", "historical"),
    # family
    ("Mother had breast cancer.", "breast cancer", "family"),
    ("Family history of colon cancer.", "colon cancer", "family"),
    ("Her sister has lupus.", "lupus", "family"),
    ("Breast cancer in her mother.", "Breast cancer", "family"),
    ("Father with coronary artery disease.", "coronary artery disease", "family"),
    ("Diabetes runs in the family.", "Diabetes", "family"),
    ("Maternal grandmother with dementia.", "dementia", "family"),
    ("The patient's mother reports that the patient has a fever.", "fever", ""),
    # hypothetical
    ("Return if chest pain develops.", "chest pain", "hypothetical"),
    ("Call if you develop fever or shortness of breath.", "fever", "hypothetical"),
    ("Call if you develop fever or shortness of breath.", "shortness of breath", "hypothetical"),
    ("Watch for signs of bleeding.", "bleeding", "hypothetical"),
    ("At risk for falls.", "falls", "hypothetical"),
    ("Aspirin daily to prevent stroke.", "stroke", "hypothetical"),
    ("DVT prophylaxis with heparin.", "DVT", "hypothetical"),
    ("Screening for colon cancer.", "colon cancer", "hypothetical"),
    ("Should he develop chest pain, he will call.", "chest pain", "hypothetical"),
    # a conditional "should <subject> <verb>" inverted after the instruction
    ("He will call should he continue to have dyspnea.", "dyspnea", "hypothetical"),
    ("She will come back should she experience any palpitations.", "palpitations", "hypothetical"),
    ("Influenza vaccine given today.", "Influenza", "hypothetical"),
    # lists stay in scope
    ("Denies fever, chills, or night sweats.", "fever", "negated"),
    ("Denies fever, chills, or night sweats.", "chills", "negated"),
    ("Denies fever, chills, or night sweats.", "night sweats", "negated"),
    (
        "Denies fever, chills, night sweats, weight loss, nausea, vomiting, diarrhea, "
        "constipation, dysuria, or hematuria.",
        "hematuria",
        "negated",
    ),
    ("GI: No nausea, vomiting, diarrhea, or abdominal pain.", "abdominal pain", "negated"),
    ("Constitutional: Denies fevers, chills, or weight loss.", "weight loss", "negated"),
    # stacked triggers
    ("Denies history of asthma.", "asthma", "negated historical"),
    ("No family history of colon cancer.", "colon cancer", "negated family"),
    ("Mother with history of breast cancer.", "breast cancer", "family historical"),
    ("Possible pneumonia, no effusion.", "pneumonia", "uncertain"),
    ("Possible pneumonia, no effusion.", "effusion", "negated"),
    ("History of asthma, no current wheezing.", "asthma", "historical"),
    ("History of asthma, no current wheezing.", "wheezing", "negated"),
    # affirmed
    ("Patient has pneumonia.", "pneumonia", ""),
    ("Type 2 diabetes, well controlled.", "diabetes", ""),
    ("Chest x-ray shows right lower lobe consolidation.", "consolidation", ""),
]


@pytest.mark.parametrize(("text", "target", "expected"), CASES)
def test_assertion(detector: AssertionDetector, text: str, target: str, expected: str) -> None:
    assert flags(assess(detector, text, target)) == set(expected.split())


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 60
    for name in FLAGS:
        assert any(name in expected for _, _, expected in CASES), name


# -- the trace ----------------------------------------------------------------------------
def test_triggers_name_the_rule_and_its_place_in_the_document(detector: AssertionDetector) -> None:
    text = "Cough for a week. Pneumonia was ruled out. No fever."
    result = assess(detector, text, "Pneumonia")
    (trigger,) = result.triggers
    assert trigger == Trigger("ruled out", "NEGATED_EXISTENCE", 32, 41)
    assert text[trigger.start : trigger.end] == "ruled out"


def test_affirmed_mention_has_no_triggers(detector: AssertionDetector) -> None:
    assert assess(detector, "Patient has pneumonia.", "pneumonia") == Assertion()


def test_the_nearest_trigger_of_a_category_is_traced(detector: AssertionDetector) -> None:
    text = "Abdomen: soft, no masses, no hepatosplenomegaly."
    result = assess(detector, text, "hepatosplenomegaly")
    assert [t.start for t in result.triggers] == [text.index("no hep")]


def test_a_trigger_inside_the_mention_does_not_modify_it(detector: AssertionDetector) -> None:
    # The lexicon may match "family history of colon cancer" as one concept (Z80.0).
    text = "Family history of colon cancer."
    assert assess(detector, text, "Family history of colon cancer") == Assertion()


def test_assert_spans_reads_many_mentions_at_once(detector: AssertionDetector) -> None:
    text = "Denies fever, chills, or night sweats but reports cough."
    sentence = split_sentences(text)[0]
    targets = ["fever", "chills", "night sweats", "cough"]
    spans = [(text.index(t), text.index(t) + len(t)) for t in targets]
    results = detector.assert_spans(text, sentence, spans)
    assert [r.negated for r in results] == [True, True, True, False]
    assert detector.assert_spans(text, sentence, []) == []


def test_tokens_passed_in_give_the_same_answer(detector: AssertionDetector) -> None:
    text = "Seen today. Possible pneumonia versus bronchitis, no effusion."
    sentence = split_sentences(text)[1]
    spans = [(text.index(t), text.index(t) + len(t)) for t in ("pneumonia", "effusion")]
    tokens = tokenize(text[sentence.start : sentence.end], sentence.start)
    assert detector.assert_spans(text, sentence, spans, tokens=tokens) == detector.assert_spans(
        text, sentence, spans
    )


def test_span_with_no_word_in_the_sentence_is_affirmed(detector: AssertionDetector) -> None:
    text = "No fever. Cough."
    sentence = split_sentences(text)[0]
    assert detector.assert_spans(text, sentence, [(8, 9), (12, 15), (5, 2)]) == [Assertion()] * 3


# -- sections -----------------------------------------------------------------------------
def test_family_history_section_makes_every_mention_family(detector: AssertionDetector) -> None:
    result = assess(detector, "Diabetes and hypertension.", "Diabetes", SECTION_FAMILY_HISTORY)
    assert flags(result) == {"family"}
    assert result.triggers == (Trigger("section:family_history", "FAMILY", 0, 0),)
    negated = assess(detector, "No colon cancer.", "colon cancer", SECTION_FAMILY_HISTORY)
    assert flags(negated) == {"family", "negated"}


@pytest.mark.parametrize("section", [SECTION_PAST_MEDICAL_HISTORY, SECTION_PAST_SURGICAL_HISTORY])
def test_history_sections_make_every_mention_historical(
    detector: AssertionDetector, section: str
) -> None:
    assert flags(assess(detector, "Appendectomy.", "Appendectomy", section)) == {"historical"}


def test_review_of_systems_negation_reaches_the_end_of_a_long_list(
    detector: AssertionDetector,
) -> None:
    text = (
        "Denies fever chills night sweats weight loss nausea vomiting diarrhea "
        "constipation abdominal pain."
    )
    assert flags(assess(detector, text, "abdominal pain", SECTION_REVIEW_OF_SYSTEMS)) == {"negated"}
    assert flags(assess(detector, text, "abdominal pain")) == set()  # 8 words elsewhere


def test_review_of_systems_list_with_a_heading(detector: AssertionDetector) -> None:
    text = "Constitutional: Denies fevers, chills, or weight loss. Respiratory: Positive for cough."
    for target in ("fevers", "chills", "weight loss"):
        assert assess(detector, text, target, SECTION_REVIEW_OF_SYSTEMS).negated, target
    assert not assess(detector, text, "cough", SECTION_REVIEW_OF_SYSTEMS).negated


def test_section_names_are_those_of_the_sections_module() -> None:
    from medcoder.nlp.sections import SectionKind

    assert SectionKind.FAMILY_HISTORY == SECTION_FAMILY_HISTORY
    assert SectionKind.PAST_MEDICAL_HISTORY == SECTION_PAST_MEDICAL_HISTORY
    assert SectionKind.PAST_SURGICAL_HISTORY == SECTION_PAST_SURGICAL_HISTORY
    assert SectionKind.REVIEW_OF_SYSTEMS == SECTION_REVIEW_OF_SYSTEMS


# -- the lexicon --------------------------------------------------------------------------
def test_default_lexicon_is_rich_and_loaded_once() -> None:
    rules = ContextRules.default()
    assert rules is ContextRules.default()
    assert len(rules) >= 150
    assert {r.category for r in rules.rules} == set(Category)


def _write(tmp_path: Path, rules: object) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules), encoding="utf-8")
    return path


NIXED = {"literal": "nixed", "category": "NEGATED_EXISTENCE", "direction": "BACKWARD"}


def test_from_json_loads_custom_rules(tmp_path: Path) -> None:
    rules = ContextRules.from_json(_write(tmp_path, [{**NIXED, "max_scope": 3}]))
    assert len(rules) == 1
    result = assess(AssertionDetector(rules), "Pneumonia nixed.", "Pneumonia")
    assert result.negated
    assert result.triggers[0].literal == "nixed"


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({**NIXED, "comment": "x"}, "unknown key(s) 'comment'"),
        ({**NIXED, "category": "NEGATION"}, "unknown category 'NEGATION'"),
        ({**NIXED, "direction": "SIDEWAYS"}, "unknown direction 'SIDEWAYS'"),
        ({**NIXED, "direction": "TERMINATE"}, "needs direction FORWARD, BACKWARD or"),
        ({**NIXED, "category": "PSEUDO"}, "a PSEUDO rule has direction PSEUDO"),
        ({**NIXED, "max_scope": 0}, "max_scope must be a positive integer"),
        ({**NIXED, "max_scope": True}, "max_scope must be a positive integer"),
        ({**NIXED, "max_scope": "3"}, "max_scope must be a positive integer"),
        ({"category": "FAMILY", "direction": "FORWARD"}, "missing literal"),
        ({**NIXED, "literal": "  "}, "literal must be a non-empty string"),
        ("nixed", "expected an object"),
    ],
)
def test_loader_rejects_a_bad_rule(tmp_path: Path, rule: object, problem: str) -> None:
    path = _write(tmp_path, [rule])
    with pytest.raises(SourceFormatError) as caught:
        ContextRules.from_json(path)
    assert problem in str(caught.value)
    assert "rule 1" in str(caught.value)
    assert str(path) in str(caught.value)
    assert caught.value.code == "E204"


def test_loader_rejects_two_rules_that_read_the_same_but_differ(tmp_path: Path) -> None:
    rules = [
        {"literal": "denies", "category": "NEGATED_EXISTENCE", "direction": "FORWARD"},
        {"literal": "Deny", "category": "HISTORICAL", "direction": "FORWARD"},
    ]
    with pytest.raises(SourceFormatError, match=r"rule 2 .* reads the same as rule 1"):
        ContextRules.from_json(_write(tmp_path, rules))


@pytest.mark.parametrize("content", ['{"rules": []}', "[", ""])
def test_loader_rejects_a_file_that_is_not_a_list_of_rules(tmp_path: Path, content: str) -> None:
    path = tmp_path / "rules.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceFormatError):
        ContextRules.from_json(path)


def test_loader_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="cannot read the rules"):
        ContextRules.from_json(tmp_path / "absent.json")


# -- volume ---------------------------------------------------------------------------------
TEMPLATES: list[tuple[str, str]] = [
    ("No {c}.", "negated"),
    ("Denies {c}, cough, or wheezing.", "negated"),
    ("Possible {c}.", "uncertain"),
    ("{C} was ruled out.", "negated"),
    ("History of {c}.", "historical"),
    ("Mother had {c}.", "family"),
    ("Return if {c} develops.", "hypothetical"),
    ("Patient has {c}.", ""),
    ("No fever but has {c}.", ""),
    ("{C} versus bronchitis.", "uncertain"),
]
CONDITIONS = [
    "pneumonia",
    "asthma",
    "kidney stones",
    "heart failure",
    "atrial fibrillation",
    "migraine",
    "cellulitis",
    "gout",
    "anemia",
    "sepsis",
    "pancreatitis",
    "hypothyroidism",
    "depression",
    "osteoarthritis",
    "pulmonary embolism",
    "urinary tract infection",
    "deep vein thrombosis",
    "peptic ulcer",
    "psoriasis",
    "glaucoma",
]


def test_two_hundred_sentences_in_one_note(detector: AssertionDetector) -> None:
    """Exercises volume (no timing here: see the benchmark); every answer is checked."""
    parts: list[str] = []
    expected: list[tuple[int, int, str]] = []
    position = 0
    for condition in CONDITIONS:
        for template, flag in TEMPLATES:
            written = template.format(c=condition, C=condition.capitalize())
            start = written.lower().index(condition)
            expected.append((position + start, position + start + len(condition), flag))
            parts.append(written)
            position += len(written) + 1
    text = " ".join(parts)
    sentences = split_sentences(text)
    assert len(sentences) == len(expected) == 200
    for sentence, (start, end, flag) in zip(sentences, expected, strict=True):
        (result,) = detector.assert_spans(text, sentence, [(start, end)])
        assert flags(result) == set(flag.split()), sentence.text
        for trigger in result.triggers:
            assert sentence.start <= trigger.start < trigger.end <= sentence.end


# -- properties -----------------------------------------------------------------------------
LEXICON_WORDS = sorted(
    {word for rule in ContextRules.default().rules for word in rule.literal.split()}
)
NOTE_WORDS = ["fever", "pneumonia", "mother", "history", "cough", "pain", "ies", "'s"]
SEPARATORS = [" ", ", ", ". ", "; ", ": ", "\n", "\n\n", "? ", " - ", "/"]


@st.composite
def notes(draw: st.DrawFn) -> str:
    """Text made mostly of lexicon words, in any case, with plural endings and debris."""
    words = draw(
        st.lists(
            st.one_of(
                st.sampled_from(LEXICON_WORDS),
                st.sampled_from(NOTE_WORDS),
                st.text(alphabet=string.ascii_letters + string.digits + "'/-+é", max_size=6),
            ),
            max_size=25,
        )
    )
    out: list[str] = []
    for word in words:
        case = draw(st.sampled_from([str.lower, str.upper, str.capitalize]))
        suffix = draw(st.sampled_from(["", "", "", "s", "'s", "es"]))
        if word.endswith("y") and draw(st.booleans()):
            word, suffix = word[:-1], "ies"
        out.append(case(word + suffix))
        out.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(out)


SECTIONS = st.sampled_from(
    [None, SECTION_FAMILY_HISTORY, SECTION_PAST_MEDICAL_HISTORY, SECTION_REVIEW_OF_SYSTEMS, "x"]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(notes(), st.text(max_size=80)), data=st.data(), section=SECTIONS)
def test_assert_spans_never_raises(
    detector: AssertionDetector, text: str, data: st.DataObject, section: str | None
) -> None:
    bound = len(text) + 3
    spans = data.draw(
        st.lists(st.tuples(st.integers(-3, bound), st.integers(-3, bound)), max_size=6)
    )
    for sentence in split_sentences(text) or [Sentence(0, len(text), text)]:
        results = detector.assert_spans(text, sentence, spans, section)
        assert len(results) == len(spans)
        for result in results:
            for trigger in result.triggers:
                assert 0 <= trigger.start <= trigger.end <= len(text)


@settings(max_examples=400)
@given(text=notes())
def test_the_pretest_never_hides_a_trigger(text: str) -> None:
    """The cheap test before tokenizing must not skip a sentence a modifier matches in."""
    rules = ContextRules.default()
    if rules._may_match(text):
        return
    tokens = tokenize(text)
    found = rules._find(tokens, [t.norm for t in tokens], text, 0)
    assert not [m.rule.literal for m in found if m.rule.category in MODIFIERS]


def test_the_pretest_passes_every_modifier_as_written() -> None:
    rules = ContextRules.default()
    checked = 0
    for rule in rules.rules:
        if rule.category not in MODIFIERS:
            continue
        for form in (rule.literal, rule.literal.upper(), f"Today {rule.literal}s here."):
            tokens = tokenize(form)
            found = rules._find(tokens, [t.norm for t in tokens], form, 0)
            if any(m.rule.category in MODIFIERS for m in found):
                checked += 1
                assert rules._may_match(form), form
    assert checked > 300
