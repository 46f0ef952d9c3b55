"""The inpatient ICD-10-PCS stage: code procedures from operative and procedure text,
axis by axis, choosing only values the table row allows.

A statement is a sentence holding procedure words ("laparoscopic appendectomy was
performed", "underwent colonoscopy with biopsy", "CT of the abdomen"). Negated, planned,
uncertain, family and past procedures are dropped with their reason. The procedure
words fix the table (or a whole code, or the root operation); the body part comes from
the anatomy words nearby; approach, device and qualifier from the words the note uses
or the defaults the table allows. Axes filled by a guess are named in
``uncertain_axes`` and lower the confidence. PCS is the inpatient procedure system
(ICD-10-PCS Official Guidelines, Conventions A1), so outpatient notes are not coded.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace

from medcoder.codesets.pcs.model import PcsTable
from medcoder.codesets.pcs.store import PcsRegistry, PcsRelease
from medcoder.coding.model import DroppedCandidate, Evidence, RuleApplied
from medcoder.errors import CodeSetError
from medcoder.nlp.assertion import AssertionDetector
from medcoder.nlp.document import ClinicalDocument, Setting
from medcoder.nlp.sections import Section, SectionKind
from medcoder.nlp.text import Sentence, norm_word, split_sentences, tokenize
from medcoder.procedures.model import ProcedureAssignment, ProcedureFindings
from medcoder.procedures.pcs_axes import (
    MAX_DISTANCE,
    AxisChoice,
    BodyPartValue,
    Mention,
    atom,
    atom_cached,
    body_part_values,
    choose_axes,
    choose_body_part,
    contralateral,
    label_atoms,
)
from medcoder.procedures.pcs_vocabulary import (
    PcsVocabulary,
    PhraseIndex,
    ProcedureEntry,
    load_vocabulary,
    norm_phrase,
)

SYSTEM = "icd10pcs"
RULE_AXES = RuleApplied(
    "pcs-axes.v1", "ICD-10-PCS Tables (code structure)",
    "built axis by axis; every value chosen from one table row",
)  # fmt: skip
RULE_BIOPSY = RuleApplied(
    "pcs-biopsy.v1", "ICD-10-PCS Guidelines B3.4a",
    "biopsy: Excision, Extraction or Drainage with the qualifier Diagnostic",
)  # fmt: skip
RULE_RESECTION = RuleApplied(
    "pcs-resection.v1", "ICD-10-PCS Guidelines B3.8",
    "-ectomy of a whole body part: Resection, not Excision",
)  # fmt: skip
RULE_INSPECTION = RuleApplied(
    "pcs-inspection-integral.v1", "ICD-10-PCS Guidelines B3.11a",
    "inspection to reach a procedure's objective is not coded separately",
)  # fmt: skip
RULE_BILATERAL = RuleApplied(
    "pcs-bilateral.v1", "ICD-10-PCS Guidelines B4.3",
    "both sides and no bilateral value: each side coded",
)  # fmt: skip
RULE_ASSERTION = RuleApplied(
    "pcs-not-performed.v1", "ICD-10-PCS Guidelines B3.1a",
    "only procedures performed are coded (not negated, planned or past)",
)  # fmt: skip
_SKIP_SECTIONS = frozenset(
    {SectionKind.PAST_SURGICAL_HISTORY, SectionKind.PAST_MEDICAL_HISTORY,
     SectionKind.FAMILY_HISTORY, SectionKind.PLAN, SectionKind.INSTRUCTIONS,
     SectionKind.ALLERGIES, SectionKind.MEDICATIONS}
)  # fmt: skip
_SIDE_WORDS = {"right": "right", "left": "left", "bilateral": "bilateral",
               "bilaterally": "bilateral", "both": "both"}  # fmt: skip
# "s/p appendectomy" in a hospital course is this stay's procedure, not history.
_THIS_STAY = frozenset({SectionKind.PROCEDURES, SectionKind.HOSPITAL_COURSE})


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """One release's vocabulary, compiled: procedure words with their candidate tables."""

    procedures: PhraseIndex
    anatomy: PhraseIndex
    approaches: PhraseIndex
    devices: PhraseIndex
    tables: dict[int, tuple[tuple[PcsTable, tuple[BodyPartValue, ...]], ...]]  # id(entry) ->
    fixed_codes: dict[str, str | None]  # whole codes the vocabulary names -> title (None: invalid)


def _tables_for(entry: ProcedureEntry, release: PcsRelease) -> tuple[PcsTable, ...]:
    tables = release.tables
    if entry.table:
        return (tables[entry.table],) if entry.table in tables else ()
    return tuple(
        t for prefix, t in sorted(tables.items())
        if prefix[0] == entry.section and t.operation.label == entry.operation
        and (entry.body_system is None or prefix[1] == entry.body_system)
    )  # fmt: skip


def compile_lexicon(vocabulary: PcsVocabulary, release: PcsRelease) -> _Lexicon:
    """Anatomy words: the vocabulary's, every body part label's parts, and the
    Definitions' "includes" terms ("Vermiform appendix" is the Appendix)."""
    anatomy: dict[tuple[str, ...], tuple[str, ...]] = {}
    for atoms, words in vocabulary.anatomy.items():
        for w in words:
            anatomy.setdefault(norm_phrase(w), atoms)
    for table in release.tables.values():
        for row in table.rows:
            for value in row.values(4):
                for part in label_atoms(value.label)[0]:
                    anatomy.setdefault(tuple(part.split()), (part,))
    for (_, position, title), term in release.terms.items():
        if position == 4:
            for text in term.includes:
                anatomy.setdefault(norm_phrase(text), tuple(label_atoms(title)[0]))
    values = {prefix: body_part_values(t) for prefix, t in release.tables.items()}
    fixed = {e.code for e in vocabulary.procedures if e.code}
    return _Lexicon(
        fixed_codes={
            c: (release.title(c) or ("", True))[0] if release.validate(c).valid else None
            for c in fixed
        },
        procedures=vocabulary.procedure_index(),
        anatomy=PhraseIndex(anatomy.items()),
        approaches=vocabulary.label_index(vocabulary.approaches),
        devices=vocabulary.label_index(vocabulary.devices),
        tables={
            id(e): tuple((t, values[t.prefix]) for t in _tables_for(e, release))
            for e in vocabulary.procedures
        },
    )


_WORDS = re.compile(r"[a-z0-9]+")


def procedure_hits(text: str, procedures: PhraseIndex) -> list[int]:
    """Offsets of the words that may start a procedure phrase, normalized as the
    tokenizer normalizes them: most sentences have none and are never tokenized.
    Each distinct word is normalized once; a note without any returns at once."""
    lowered = text.lower()
    starts = [w for w in set(_WORDS.findall(lowered)) if norm_word(w) in procedures]
    if not starts:
        return []
    pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, starts)) + r")(?![a-z0-9])")
    return [m.start() for m in pattern.finditer(lowered)]


@dataclass(frozen=True, slots=True)
class _Statement:
    """What one sentence documents besides the procedure words."""

    mentions: list[tuple[int, int, tuple[str, ...], str]]  # token span, atoms, text
    approaches: list[tuple[int, str, str]]  # token, label, words
    devices: list[tuple[int, str, str]]
    sides: frozenset[str]
    norm_text: str


class PcsCoder:
    """The ProcedureCoder for ICD-10-PCS (inpatient only)."""

    def __init__(
        self, registry: PcsRegistry, vocabulary: PcsVocabulary | None = None,
        detector: AssertionDetector | None = None,
    ) -> None:  # fmt: skip
        self.registry = registry
        self.vocabulary = vocabulary or load_vocabulary()
        self.detector = detector or AssertionDetector()
        self._lexicons: dict[str, _Lexicon] = {}

    def lexicon(self, release: PcsRelease) -> _Lexicon:
        if release.name not in self._lexicons:
            self._lexicons[release.name] = compile_lexicon(self.vocabulary, release)
        return self._lexicons[release.name]

    def code_procedures(
        self, document: ClinicalDocument, sections: Sequence[Section]
    ) -> ProcedureFindings:
        if document.setting != Setting.INPATIENT:
            return ProcedureFindings()
        try:
            release = self.registry.choose(day=document.date_of_service)
        except CodeSetError:  # no PCS release for the date: PCS is simply not coded
            return ProcedureFindings()
        lexicon = self.lexicon(release)
        hits = procedure_hits(document.text, lexicon.procedures)
        if not hits:
            return ProcedureFindings()
        codes: dict[str, ProcedureAssignment] = {}
        dropped: list[DroppedCandidate] = []
        spans = [(s.body_start, s.end, s.kind) for s in sections if s.kind not in _SKIP_SECTIONS]
        if not sections:
            spans = [(0, len(document.text), SectionKind.OTHER)]
        for start, end, kind in spans:
            if not _any_between(hits, start, end):
                continue
            for sentence in split_sentences(document.text, start, end):
                if not _any_between(hits, sentence.start, sentence.end):
                    continue
                found = self._sentence(document.text, sentence, kind, release, lexicon, dropped)
                for code in found:
                    if code.code in codes:
                        old = codes[code.code]
                        evidence = (old.evidence + code.evidence)[:5]
                        code = replace(old, evidence=evidence,
                                       confidence=max(old.confidence, code.confidence))  # fmt: skip
                    codes[code.code] = code
        return ProcedureFindings(codes=tuple(codes.values()), dropped=tuple(dropped))

    def _sentence(
        self, text: str, sentence: Sentence, kind: SectionKind, release: PcsRelease,
        lexicon: _Lexicon, dropped: list[DroppedCandidate],
    ) -> list[ProcedureAssignment]:  # fmt: skip
        tokens = tokenize(sentence.text, sentence.start)
        norms = [t.norm for t in tokens]
        matches = list(lexicon.procedures.find(norms))
        if not matches:
            return []
        spans = [(tokens[i].start, tokens[j - 1].end) for i, j, _ in matches]
        assertions = self.detector.assert_spans(text, sentence, spans, kind.value, tokens=tokens)
        statement = _Statement(
            mentions=[
                (i, j, atoms, text[tokens[i].start : tokens[j - 1].end])
                for i, j, atoms in lexicon.anatomy.find(norms)
                if isinstance(atoms, tuple)
            ],
            approaches=_labels_found(lexicon.approaches, norms),
            devices=_labels_found(lexicon.devices, norms),
            sides=frozenset(_SIDE_WORDS[n] for n in norms if n in _SIDE_WORDS),
            norm_text=" " + " ".join(norms) + " ",
        )
        out: list[tuple[ProcedureEntry, ProcedureAssignment]] = []
        for (i, j, value), (start, end), assertion in zip(matches, spans, assertions, strict=True):
            assert isinstance(value, ProcedureEntry)
            evidence = Evidence(start, end, text[start:end], kind.value)
            historical = assertion.historical and not (
                kind in _THIS_STAY
                and all(t.literal in ("s/p", "status post") for t in assertion.triggers)
            )
            if assertion.negated or assertion.hypothetical or assertion.family or historical \
                    or assertion.uncertain:  # fmt: skip
                why = ("negated" if assertion.negated else "planned" if assertion.hypothetical
                       else "family" if assertion.family else "past" if historical
                       else "uncertain")  # fmt: skip
                dropped.append(DroppedCandidate(None, evidence.text, f"procedure {why}",
                                                RULE_ASSERTION, evidence))  # fmt: skip
                continue
            for code in self._build(value, i, j, evidence, statement, release, lexicon):
                out.append((value, code))
        return _drop_integral_inspections(out, dropped)

    def _build(
        self, entry: ProcedureEntry, i: int, j: int, evidence: Evidence,
        statement: _Statement, release: PcsRelease, lexicon: _Lexicon,
    ) -> list[ProcedureAssignment]:  # fmt: skip
        if entry.code:
            title = lexicon.fixed_codes.get(entry.code)
            if title is None:  # not a valid code in this release
                return []
            path = f"{entry.code}: named by '{evidence.text}'"
            return [self._assignment(entry.code, title, release, evidence, path, (), entry)]
        tables = lexicon.tables[id(entry)]
        mentions = [
            Mention(atoms, max(0, a - j, i - b), words)
            for a, b, atoms, words in statement.mentions
            if max(0, a - j, i - b) <= (MAX_DISTANCE if not entry.generic else 6)
        ]
        fixed = (atom(entry.body_part),) if entry.body_part else ()
        prefer_bilateral = entry.inspection or any(t.prefix[0] in "BC" for t, _ in tables[:1])
        choice = choose_body_part(tables, mentions, fixed, statement.sides, prefer_bilateral)
        if choice is None:
            return []
        table = choice.table
        values = [choice.value]
        bilateral = statement.sides & {"both", "bilateral"} or {"right", "left"} <= statement.sides
        other = contralateral(table, choice.value) if bilateral else None
        if other is not None:
            values.append(other)
        documented = {
            5: _nearest(statement.approaches, i) if table.axis_title(5) == "Approach" else [],
            6: _nearest(statement.devices, i) if table.axis_title(6) == "Device" else [],
        }
        implied = {5: entry.approach, 6: entry.device, 7: entry.qualifier}
        out = []
        for value in values:
            _, axes = choose_axes(
                table, value.code, _with_labels(documented, table, statement),
                {k: v for k, v in implied.items() if v}, table.prefix[0] == "0",
            )  # fmt: skip
            code = table.prefix + value.code + "".join(a.value.code for a in axes)
            uncertain = tuple(
                ["body part"] * (choice.side_uncertain and other is None)
                + [table.axis_title(a.position).lower() for a in axes if a.how == "uncertain"]
            )
            path = (
                f"table {table.prefix} ({table.body_system.label} / {table.operation.label}); "
                f"body part {value.code} {value.label} ({choice.evidence or evidence.text}); "
                + "; ".join(_describe(table, a) for a in axes)
            )
            title = (release.title(code) or ("", True))[0]
            extra = (RULE_BILATERAL,) if other is not None else ()
            out.append(self._assignment(code, title, release, evidence, path, uncertain, entry,
                                        extra, generic=entry.generic))  # fmt: skip
        return out

    def _assignment(
        self, code: str, title: str, release: PcsRelease, evidence: Evidence, path: str,
        uncertain: tuple[str, ...], entry: ProcedureEntry,
        extra: tuple[RuleApplied, ...] = (), *, generic: bool = False,
    ) -> ProcedureAssignment:  # fmt: skip
        rules = [RULE_AXES, *extra]
        if entry.rule == "biopsy":
            rules.append(RULE_BIOPSY)
        if entry.table and entry.table[0] == "0" and entry.table[2] == "T":
            rules.append(RULE_RESECTION)
        confidence = max(0.2, 0.9 - 0.15 * len(uncertain) - (0.15 if generic else 0.0))
        return ProcedureAssignment(
            code=code, system=SYSTEM, title=title, release=release.name, sequence=0,
            confidence=round(confidence, 2), evidence=(evidence,), path=path,
            checks=(f"valid in {release.name} table {code[:3]}",), rules=tuple(rules),
            uncertain_axes=uncertain,
        )  # fmt: skip


def _any_between(hits: list[int], start: int, end: int) -> bool:
    i = bisect_left(hits, start)
    return i < len(hits) and hits[i] < end


def _labels_found(index: PhraseIndex, norms: list[str]) -> list[tuple[int, str, str]]:
    return [(i, str(v), " ".join(norms[i:j])) for i, j, v in index.find(norms)]


def _nearest(found: list[tuple[int, str, str]], at: int) -> list[tuple[str, str]]:
    return [(label, words) for _, label, words in sorted(found, key=lambda f: abs(f[0] - at))]


def _with_labels(
    documented: dict[int, list[tuple[str, str]]], table: PcsTable, statement: _Statement
) -> dict[int, list[tuple[str, str]]]:
    """Add any axis label the sentence spells out ("transesophageal", "intermittent")."""
    out = {p: list(v) for p, v in documented.items()}
    for position in (5, 6, 7):
        for row in table.rows:
            for v in row.values(position):
                key = atom_cached(v.label)
                if len(key) > 3 and f" {key} " in statement.norm_text:
                    out.setdefault(position, []).append((v.label, key))
    return out


def _describe(table: PcsTable, choice: AxisChoice) -> str:
    how = choice.how + (f" '{choice.words}'" if choice.words else "")
    axis = table.axis_title(choice.position).lower()
    return f"{axis} {choice.value.code} {choice.value.label} ({how})"


def _drop_integral_inspections(
    found: list[tuple[ProcedureEntry, ProcedureAssignment]], dropped: list[DroppedCandidate]
) -> list[ProcedureAssignment]:
    """An inspection beside a definitive procedure of the same statement (colonoscopy with
    biopsy, nephrectomy by laparotomy) is integral to it (B3.11a): it gives the
    approach, not a code."""
    definitive = {a.code[0] for e, a in found if not e.inspection}
    out = []
    for entry, assignment in found:
        if entry.inspection and assignment.code[0] in definitive:
            dropped.append(DroppedCandidate(assignment.code, assignment.evidence[0].text,
                                            "inspection integral to the procedure",
                                            RULE_INSPECTION, assignment.evidence[0]))  # fmt: skip
            continue
        out.append(assignment)
    return out


def pcs_coder_for(home: object) -> PcsCoder | None:
    """The PCS stage when a PCS release is installed under ``home``, else None."""
    from pathlib import Path

    registry = PcsRegistry(Path(str(home)))
    return PcsCoder(registry) if registry.installed() else None
