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

import threading
from dataclasses import replace

from medcoder.codesets.in_force import CodeSetsInForce
from medcoder.codesets.pcs.store import PcsRelease
from medcoder.kinds import CodeSystem, Setting
from medcoder.nlp.note import ParsedNote
from medcoder.nlp.sections import SectionKind
from medcoder.nlp.text import Sentence
from medcoder.procedures.pcs_axes import ADMINISTRATION, choose_axes
from medcoder.procedures.pcs_body_part import (
    MAX_DISTANCE,
    BodyPartChoice,
    Mention,
    choose_body_part,
    contralateral,
)
from medcoder.procedures.pcs_labels import atom
from medcoder.procedures.pcs_lexicon import (
    Lexicon,
    anatomy_found,
    compile_lexicon,
    procedure_hits,
)
from medcoder.procedures.pcs_rules import (
    retarget,
    said_not_done,
)
from medcoder.procedures.pcs_sections import (
    axis_evidence,
    drop_irrigated_devices,
    is_undocumented,
    monitoring_code,
)
from medcoder.procedures.pcs_statement import (
    IMAGING,
    SIDE_WORDS,
    NoteText,
    Statement,
    any_between,
    describe,
    drop_integral_inspections,
    labels_found,
    listed_regions,
    nearest,
    negates,
    side_from_note,
    trigger_before,
    with_labels,
)
from medcoder.procedures.pcs_vocabulary import (
    PcsVocabulary,
    ProcedureEntry,
    load_vocabulary,
)
from medcoder.results import (
    DroppedCandidate,
    Evidence,
    ProcedureAssignment,
    RuleApplied,
    StageFindings,
)

SYSTEM = CodeSystem.ICD10PCS
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
ROUTE_REACH = 8  # tokens between a substance's words and its route ("through a central line")
# "s/p appendectomy" in a hospital course is this stay's procedure, not history.
_THIS_STAY = frozenset({SectionKind.PROCEDURES, SectionKind.HOSPITAL_COURSE})


class PcsCoder:
    """The ProcedureCoder for ICD-10-PCS (inpatient only)."""

    name = "icd10pcs"

    def __init__(self, vocabulary: PcsVocabulary | None = None) -> None:
        self.vocabulary = vocabulary or load_vocabulary()
        self._lexicons: dict[str, Lexicon] = {}
        # Keyed by the id of a lexicon this coder holds (in _lexicons): never reused.
        self._fixed_memo: dict[tuple[int, str], tuple[tuple[str, ...], frozenset[str]]] = {}
        self._titles: dict[tuple[str, str], str] = {}  # (release, code) -> title
        self._lock = threading.Lock()

    def lexicon(self, release: PcsRelease) -> Lexicon:
        if release.name not in self._lexicons:
            with self._lock:  # compiled once per release, whichever thread asks first
                if release.name not in self._lexicons:
                    self._lexicons[release.name] = compile_lexicon(self.vocabulary, release)
        return self._lexicons[release.name]

    def __call__(
        self, note: ParsedNote, code_sets: CodeSetsInForce, so_far: StageFindings
    ) -> StageFindings:
        document = note.document
        if document.setting is not Setting.INPATIENT:
            return StageFindings()  # ICD-10-PCS reports inpatient procedures only
        choice = code_sets.icd10pcs
        if choice.release is None:  # no PCS release for the date: PCS is not coded
            return StageFindings(notices=(choice.notice,))
        return self.findings(note, choice.release)

    def findings(self, note: ParsedNote, release: PcsRelease) -> StageFindings:
        """The PCS codes of one inpatient note under ``release``."""
        document = note.document
        lexicon = self.lexicon(release)
        hits = procedure_hits(document.text, lexicon.procedures)
        if not hits:
            return StageFindings()
        codes: dict[str, ProcedureAssignment] = {}
        dropped: list[DroppedCandidate] = []
        whole = NoteText(note)
        for section in note.body_sections:
            if section.kind in _SKIP_SECTIONS:
                continue
            if not any_between(hits, section.body_start, section.end):
                continue
            for sentence in note.section_sentences(section):
                if not any_between(hits, sentence.start, sentence.end):
                    continue
                found = self._sentence(whole, sentence, section.kind, release, lexicon, dropped)
                for code in found:
                    if code.code in codes:
                        old = codes[code.code]
                        evidence = (old.evidence + code.evidence)[:5]
                        code = replace(old, evidence=evidence,
                                       confidence=max(old.confidence, code.confidence))  # fmt: skip
                    codes[code.code] = code
        return StageFindings(procedures=tuple(codes.values()), dropped=tuple(dropped))

    def _sentence(
        self, note: NoteText, sentence: Sentence, kind: SectionKind, release: PcsRelease,
        lexicon: Lexicon, dropped: list[DroppedCandidate],
    ) -> list[ProcedureAssignment]:  # fmt: skip
        text = note.text
        tokens = note.parsed.tokens(sentence)
        norms = [t.norm for t in tokens]
        matches = list(lexicon.procedures.find(norms))
        if not matches:
            return []
        spans = [(tokens[i].start, tokens[j - 1].end) for i, j, _ in matches]
        assertions = note.parsed.assertions(sentence, spans, kind.value)
        statement = Statement(
            mentions=[
                (i, j, atoms, text[tokens[i].start : tokens[j - 1].end])
                for i, j, atoms in anatomy_found(lexicon.anatomy, norms)
            ],
            approaches=labels_found(lexicon.approaches, norms),
            devices=labels_found(lexicon.devices, norms),
            sides=frozenset(SIDE_WORDS[n] for n in norms if n in SIDE_WORDS),
            norm_text=" " + " ".join(norms) + " ",
            said=frozenset(norms),
            norms=tuple(norms),
            raw=text[sentence.start : sentence.end],
        )
        out: list[tuple[ProcedureEntry, ProcedureAssignment]] = []
        for (i, j, value), (start, end), assertion in zip(matches, spans, assertions, strict=True):
            assert isinstance(value, ProcedureEntry)
            evidence = Evidence(start, end, text[start:end], kind.value)
            historical = assertion.historical and not (
                kind in _THIS_STAY
                and all(t.literal in ("s/p", "status post") for t in assertion.triggers)
            )
            # "Chest x-ray was negative", "CT suggestive of ...": a negation or doubt
            # written after the procedure is about its findings; the test was done.
            negated = (
                assertion.negated and negates(assertion, value, text, start)
            ) or said_not_done(text, end)
            uncertain = assertion.uncertain and trigger_before(
                assertion, "POSSIBLE_EXISTENCE", start
            )
            if negated or assertion.hypothetical or assertion.family or historical or uncertain:
                why = ("negated" if negated else "planned" if assertion.hypothetical
                       else "family" if assertion.family else "past" if historical
                       else "uncertain")  # fmt: skip
                dropped.append(DroppedCandidate(None, evidence.text, f"procedure {why}",
                                                RULE_ASSERTION, evidence))  # fmt: skip
                continue
            for code in self._build(value, i, j, evidence, statement, release, lexicon, note):
                out.append((value, code))
        return drop_irrigated_devices(drop_integral_inspections(out, dropped), dropped)

    def _build(
        self, entry: ProcedureEntry, i: int, j: int, evidence: Evidence,
        statement: Statement, release: PcsRelease, lexicon: Lexicon, note: NoteText,
    ) -> list[ProcedureAssignment]:  # fmt: skip
        if entry.code:
            title = lexicon.fixed_codes.get(entry.code)
            if title is None:  # not a valid code in this release
                return []
            code, path = entry.code, f"{entry.code}: named by '{evidence.text}'"
            monitored = monitoring_code(code, statement.said, release)
            if monitored is not None:  # Definitions, section 4: Monitoring is over time
                code, title = monitored
                path += f"; {code}: monitored over a period (Monitoring, not Measurement)"
            return [self._assignment(code, title, release, evidence, path, (), entry)]
        tables, retargeted = retarget(lexicon.tables[id(entry)], statement.said, lexicon.matter,
                                      statement.norms, lexicon.every_table)  # fmt: skip
        # A root operation word alone reaches the anatomy of its own clause: a few words in
        # imaging ("ultrasound of the kidney"), a longer phrase in surgery ("excision of a
        # lipoma of the subcutaneous tissue of the right thigh").
        reach = MAX_DISTANCE if not entry.generic else 12 if entry.section == "0" else 6
        route = (entry.table or entry.section or "")[:1] == ADMINISTRATION
        if route:
            reach = ROUTE_REACH  # the route is written beside the substance given
        mentions = [
            Mention(atoms, max(0, a - j, i - b), words)
            for a, b, atoms, words in statement.mentions
            if max(0, a - j, i - b) <= reach
            # "bone marrow transplant": the substance's own words are not its route
            and not (route and i <= a and b <= j)
        ]
        fixed, fixed_words = self._fixed(entry, lexicon)
        prefer_bilateral = entry.inspection or any(t.prefix[0] in "BC" for t, _ in tables[:1])
        said = frozenset(statement.norms[max(0, i - reach) : j + reach])  # near the words
        choice = choose_body_part(tables, mentions, fixed, statement.sides, prefer_bilateral,
                                  said, fixed_words)  # fmt: skip
        usual = choice is None and entry.usual_body_part is not None
        if choice is None and entry.usual_body_part:
            choice = choose_body_part(tables, [], (atom(entry.usual_body_part),),
                                      statement.sides, prefer_bilateral)  # fmt: skip
        if choice is None:
            return []
        if choice.side_uncertain and not statement.sides:
            choice = side_from_note(choice, lexicon, note)
        choices = [choice]
        if choice.table.prefix[0] == IMAGING and not fixed:
            choices += listed_regions(choice, tables, statement, i, prefer_bilateral)
        out = []
        for one in choices:
            out += self._codes(one, entry, evidence, statement, release, lexicon, i, usual,
                               retargeted)  # fmt: skip
        return out

    def _title(self, release: PcsRelease, code: str) -> str:
        """A code's title, read once per release (a query of the release's database)."""
        key = (release.name, code)
        found = self._titles.get(key)
        if found is None:
            found = self._titles[key] = (release.title(code) or ("", True))[0]
        return found

    def _fixed(
        self, entry: ProcedureEntry, lexicon: Lexicon
    ) -> tuple[tuple[str, ...], frozenset[str]]:
        """The body part an entry names (as an atom) and every word that names it, read
        once per entry and lexicon."""
        if not entry.body_part:
            return (), frozenset()
        key = (id(lexicon), entry.body_part)
        found = self._fixed_memo.get(key)
        if found is None:
            fixed = (atom(entry.body_part),)
            words = frozenset(
                w for a in fixed for p in (*lexicon.anatomy_phrases.get(a, ()), tuple(a.split()))
                for w in p
            )  # fmt: skip
            found = self._fixed_memo[key] = (fixed, words)
        return found

    def _codes(
        self, choice: BodyPartChoice, entry: ProcedureEntry, evidence: Evidence,
        statement: Statement, release: PcsRelease, lexicon: Lexicon, i: int, usual: bool,
        retargeted: RuleApplied | None,
    ) -> list[ProcedureAssignment]:  # fmt: skip
        """The code(s) of one body part choice: its other axes, and the other side's."""
        table = choice.table
        values = [choice.value]
        bilateral = statement.sides & {"both", "bilateral"} or {"right", "left"} <= statement.sides
        other = contralateral(table, choice.value) if bilateral else None
        if other is not None:
            values.append(other)
        documented = {
            5: nearest(statement.approaches, i) if table.axis_title(5) == "Approach" else [],
            6: nearest(statement.devices, i) if table.axis_title(6) == "Device" else [],
        }
        if table.prefix[0] != "0":  # contrast, substance, duration ... (pcs_sections)
            found = axis_evidence(table, statement.norms, statement.raw, lexicon.substances)
            for position, labels in found.items():
                documented[position] = labels + documented.get(position, [])
        implied = {5: entry.approach, 6: entry.device, 7: entry.qualifier}
        out = []
        for value in values:
            _, axes = choose_axes(
                table, value.code, with_labels(documented, table, statement),
                {k: v for k, v in implied.items() if v}, table.prefix[0] == "0",
            )  # fmt: skip
            code = table.prefix + value.code + "".join(a.value.code for a in axes)
            uncertain = tuple(
                ["body part"] * ((choice.side_uncertain and other is None) or usual)
                + [table.axis_title(a.position).lower() for a in axes
                   if a.how == "uncertain" or is_undocumented(a.words)]
            )  # fmt: skip
            path = (
                f"table {table.prefix} ({table.body_system.label} / {table.operation.label}); "
                f"body part {value.code} {value.label} ({choice.evidence or evidence.text}); "
                + "; ".join(describe(table, a) for a in axes)
            )
            title = self._title(release, code)
            extra = ((RULE_BILATERAL,) if other is not None else ()) + (
                (retargeted,) if retargeted else ()
            )
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
        if code[0] == "0" and code[2] == "T":
            rules.append(RULE_RESECTION)
        confidence = max(0.2, 0.9 - 0.15 * len(uncertain) - (0.15 if generic else 0.0))
        return ProcedureAssignment(
            code=code, system=SYSTEM, title=title, release=release.name, sequence=0,
            confidence=round(confidence, 2), evidence=(evidence,), path=path,
            checks=(f"valid in {release.name} table {code[:3]}",), rules=tuple(rules),
            uncertain_axes=uncertain,
        )  # fmt: skip
