"""The parsed note: sections found once, each sentence split, tokenized and read by ConText
once however many stages ask (issue 11), and nothing kept between notes."""

from __future__ import annotations

from unittest import mock

from medcoder.nlp import note as note_module
from medcoder.nlp.assertion import AssertionDetector
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.note import parse_note
from medcoder.nlp.sections import SectionKind

NOTE = (
    "HPI: 62-year-old male with cough. No fever.\nASSESSMENT: Possible pneumonia. Hypertension.\n"
)


def test_each_sentence_is_read_once_for_every_stage() -> None:
    detector = AssertionDetector()
    note = parse_note(ClinicalDocument(NOTE), detector)
    with (
        mock.patch.object(
            note_module, "tokens_between", wraps=note_module.tokens_between
        ) as tokenize,
        mock.patch.object(detector, "scope", wraps=detector.scope) as scope,
    ):
        for _stage in range(3):  # three stages walking the same note
            for section in note.body_sections:
                for sentence in note.section_sentences(section):
                    tokens = note.tokens(sentence)
                    note.assertions(sentence, [(tokens[0].start, tokens[-1].end)], "hpi")
    sentences = [s for sec in note.body_sections for s in note.section_sentences(sec)]
    assert [s.text for s in sentences] == [
        "62-year-old male with cough.", "No fever.", "Possible pneumonia.", "Hypertension.",
    ]  # fmt: skip
    assert tokenize.call_count == len(sentences)
    assert scope.call_count == len(sentences)


def test_assertions_come_from_the_shared_scope() -> None:
    note = parse_note(ClinicalDocument(NOTE), AssertionDetector())
    hpi, assessment = note.sections
    fever = note.section_sentences(hpi)[1]
    pneumonia = note.section_sentences(assessment)[0]
    (negated,) = note.assertions(fever, [(fever.end - 6, fever.end - 1)], str(hpi.kind))
    (uncertain,) = note.assertions(pneumonia, [(pneumonia.start + 9, pneumonia.end - 1)], None)
    assert negated.negated and not negated.uncertain
    assert uncertain.uncertain and not uncertain.negated
    assert note.assertions(fever, [], None) == []


def test_patient_sex_and_a_note_without_headings() -> None:
    note = parse_note(ClinicalDocument("Cough for a week, likely viral."), AssertionDetector())
    (whole,) = note.body_sections
    assert note.sections == note.body_sections
    assert whole.kind is SectionKind.OTHER and (whole.body_start, whole.end) == (0, 31)
    assert note.patient_words == frozenset()
    assert parse_note(ClinicalDocument(NOTE), AssertionDetector()).patient_words == {"male"}


def test_notes_share_nothing() -> None:
    detector = AssertionDetector()
    first = parse_note(ClinicalDocument(NOTE), detector)
    second = parse_note(ClinicalDocument(NOTE), detector)
    sentence = first.section_sentences(first.sections[0])[0]
    assert first.tokens(sentence) == second.tokens(sentence)
    assert first.tokens(sentence) is not second.tokens(sentence)


def test_a_sentence_read_for_its_content_words_only_is_not_tokenized() -> None:
    note = parse_note(ClinicalDocument(NOTE), AssertionDetector())
    with mock.patch.object(note_module, "tokens_between", wraps=note_module.tokens_between) as t:
        sentence = note.section_sentences(note.body_sections[0])[1]
        assert note.content(sentence) == ((0, 1), ("no", "fever"))
        assert t.call_count == 0
        note.tokens(sentence)
        assert t.call_count == 1
